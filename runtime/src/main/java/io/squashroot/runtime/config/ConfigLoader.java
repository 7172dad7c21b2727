package io.squashroot.runtime.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves the configuration exactly in enroot's order (enroot.in, {@code config::*}):
 * <ol>
 *   <li>{@code enroot.conf}, then its drop-ins {@code enroot.conf.d/*.conf} in name order, each
 *       line {@code KEY VALUE} or {@code KEY=VALUE} with VALUE shell-expanded; a key already set
 *       (non-empty) in the environment or by an earlier line keeps its value: the environment
 *       wins over the file and the first definition wins;</li>
 *   <li>the XDG_* fallbacks and the ENROOT_* defaults, for whatever is still unset or empty;</li>
 *   <li>every ENROOT_* whose value reads as "no" is removed ({@link EnrootBoolean}).</li>
 * </ol>
 * {@link #applyDirectives} is enroot's {@code start --conf} step: {@code #ENROOT_X value}
 * comment lines of the container configuration override everything.
 *
 * <p>The file lives in {@code $SQUASHROOT_SYSCONF_DIR} (default {@code /etc/enroot}, the same
 * file enroot reads), which is also ENROOT_SYSCONF_PATH's default.
 */
public final class ConfigLoader {

    static final List<String> PATH_KEYS = List.of("ENROOT_LIBRARY_PATH", "ENROOT_SYSCONF_PATH",
            "ENROOT_RUNTIME_PATH", "ENROOT_CONFIG_PATH", "ENROOT_CACHE_PATH", "ENROOT_DATA_PATH",
            "ENROOT_TEMP_PATH");
    static final List<String> NUMBER_KEYS = List.of("ENROOT_MAX_PROCESSORS", "ENROOT_MAX_CONNECTIONS",
            "ENROOT_CONNECT_TIMEOUT", "ENROOT_TRANSFER_TIMEOUT", "ENROOT_TRANSFER_RETRIES");

    private static final Pattern KEY = Pattern.compile(
            "ENROOT_[A-Z_]+|SQUASHROOT_[A-Z_]+|(MELLANOX_|NVIDIA_).*|SSL_CERT_(DIR|FILE)|(all|no|http|https)_proxy");

    private final Map<String, String> env;
    private final Path sysconfDir;
    private final int processors;
    private final String defaultLibrary;

    /**
     * @param env            the process environment (or a test's)
     * @param processors     what {@code $(nproc)} means
     * @param defaultLibrary ENROOT_LIBRARY_PATH when unset (squashroot's unpacked scripts), or
     *                       null for {@code ${ENROOT_RUNTIME_PATH}/lib}
     */
    public ConfigLoader(Map<String, String> env, int processors, String defaultLibrary) {
        this.env = env;
        String dir = env.get("SQUASHROOT_SYSCONF_DIR");
        this.sysconfDir = Path.of(dir == null || dir.isEmpty() ? "/etc/enroot" : dir);
        this.processors = processors;
        this.defaultLibrary = defaultLibrary;
    }

    public static ConfigLoader fromSystem() {
        return new ConfigLoader(System.getenv(), Runtime.getRuntime().availableProcessors(), null);
    }

    static boolean isConfigKey(String key) {
        return KEY.matcher(key).matches();
    }

    /** The enroot.conf this loader reads. */
    public Path configFile() {
        return sysconfDir.resolve("enroot.conf");
    }

    public RuntimeConfig load() throws IOException {
        Map<String, String> work = new HashMap<>(env);
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (isConfigKey(e.getKey()) && !e.getValue().isEmpty()) {
                out.put(e.getKey(), e.getValue());
            }
        }
        loadWithDropIns(configFile(), work, out, false);

        String home = work.getOrDefault("HOME", System.getProperty("user.home"));
        String xdgData = export(work, null, "XDG_DATA_HOME", home + "/.local/share", false);
        String xdgConfig = export(work, null, "XDG_CONFIG_HOME", home + "/.config", false);
        String xdgCache = export(work, null, "XDG_CACHE_HOME", home + "/.cache", false);
        String tmp = work.get("TMPDIR");
        String xdgRuntime = export(work, null, "XDG_RUNTIME_DIR",
                defaultRuntimeBase(currentUid(), tmp == null || tmp.isEmpty() ? "/tmp" : tmp), false);

        String runtime = export(work, out, "ENROOT_RUNTIME_PATH", xdgRuntime + "/enroot", false);
        export(work, out, "ENROOT_LIBRARY_PATH", defaultLibrary != null ? defaultLibrary : runtime + "/lib", false);
        export(work, out, "ENROOT_SYSCONF_PATH", sysconfDir.toString(), false);
        export(work, out, "ENROOT_CONFIG_PATH", xdgConfig + "/enroot", false);
        export(work, out, "ENROOT_CACHE_PATH", xdgCache + "/enroot", false);
        export(work, out, "ENROOT_DATA_PATH", xdgData + "/enroot", false);
        export(work, out, "ENROOT_TEMP_PATH", tmp == null || tmp.isEmpty() ? "/tmp" : tmp, false);
        export(work, out, "ENROOT_GZIP_PROGRAM", onPath(work, "pigz") ? "pigz" : "gzip", false);
        export(work, out, "ENROOT_ZSTD_OPTIONS", "-1", false);
        export(work, out, "ENROOT_SQUASH_OPTIONS", "-comp lzo -noD -exit-on-error", false);
        export(work, out, "ENROOT_MAX_PROCESSORS", Integer.toString(processors), false);
        export(work, out, "ENROOT_MAX_CONNECTIONS", "10", false);
        export(work, out, "ENROOT_CONNECT_TIMEOUT", "30", false);
        export(work, out, "ENROOT_TRANSFER_TIMEOUT", "0", false);
        export(work, out, "ENROOT_TRANSFER_RETRIES", "0", false);
        export(work, out, "ENROOT_LOGIN_SHELL", "true", false);
        export(work, out, "ENROOT_ALLOW_SUPERUSER", "false", false);
        export(work, out, "ENROOT_ALLOW_HTTP", "false", false);
        export(work, out, "ENROOT_ROOTFS_WRITABLE", "false", false);
        export(work, out, "ENROOT_NATIVE_OVERLAYFS", "true", false);
        export(work, out, "ENROOT_REMAP_ROOT", "false", false);
        export(work, out, "ENROOT_BUNDLE_ALL", "false", false);
        export(work, out, "ENROOT_BUNDLE_CHECKSUM", "false", false);
        export(work, out, "ENROOT_FORCE_OVERRIDE", "false", false);
        export(work, out, "SQUASHROOT_MOUNT_MODE", "fuse", false);
        export(work, out, "SQUASHROOT_SUBIDS", "auto", false);
        return finish(out);
    }

    /**
     * enroot's {@code start --conf FILE}: the file's {@code #ENROOT_KEY value} comment lines are
     * loaded with overwrite, so they beat the environment and enroot.conf.
     */
    public RuntimeConfig applyDirectives(RuntimeConfig base, Path confFile) throws IOException {
        Map<String, String> out = new HashMap<>(base.variables());
        Map<String, String> work = new HashMap<>(env);
        work.putAll(out);
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(confFile, StandardCharsets.UTF_8)) {
            String t = line.stripLeading();
            if (t.matches("#[ \t]*ENROOT_.*")) {
                lines.add(t.substring(1).stripLeading());
            }
        }
        parse(lines, confFile.toString(), work, out, true);
        return finish(out);
    }

    private RuntimeConfig finish(Map<String, String> out) {
        RuntimeConfig.Builder b = RuntimeConfig.builder();
        for (Map.Entry<String, String> e : out.entrySet()) {
            b.set(e.getKey(), e.getValue());
        }
        return b.build();
    }

    private void loadWithDropIns(Path file, Map<String, String> work, Map<String, String> out, boolean overwrite)
            throws IOException {
        if (Files.isRegularFile(file)) {
            parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString(), work, out, overwrite);
        }
        Path dropins = Path.of(file + ".d");
        if (Files.isDirectory(dropins)) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dropins, "*.conf")) {
                ds.forEach(files::add);
            }
            files.sort(null);
            for (Path f : files) {
                parse(Files.readAllLines(f, StandardCharsets.UTF_8), f.toString(), work, out, overwrite);
            }
        }
    }

    private void parse(List<String> lines, String where, Map<String, String> work, Map<String, String> out,
                       boolean overwrite) {
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.strip();
            int k = 0;
            while (k < line.length() && " \t=".indexOf(line.charAt(k)) < 0) {
                k++;
            }
            String key = line.substring(0, k);
            if (!isConfigKey(key)) {
                continue;
            }
            String rest = line.substring(k).stripLeading();
            if (rest.startsWith("=")) {
                rest = rest.substring(1).stripLeading();
            }
            String value = ShellWords.expand(rest, work::get, processors, where + ":" + lineNo);
            export(work, out, key, value, overwrite);
        }
    }

    /** enroot's {@code config::export}: set unless already non-empty (or always, with overwrite). */
    /**
     * Where runtime state goes when XDG_RUNTIME_DIR is unset. enroot uses /run, which only root
     * can write: an ordinary user (a batch job, a `runuser` shell) would fail on the first start.
     * We keep /run for root, use the user's /run/user/UID when the system made one, and
     * otherwise fall back to a per-user directory under the temporary directory (whose
     * ownership and 0700 mode are checked before use, see Containers).
     */
    static String defaultRuntimeBase(long uid, String tmp) {
        if (uid == 0) {
            return "/run";
        }
        Path userRun = Path.of("/run/user", Long.toString(uid));
        if (Files.isDirectory(userRun) && Files.isWritable(userRun)) {
            return userRun.toString();
        }
        return tmp + "/squashroot-run-" + uid;
    }

    private static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1; // unknown: never treated as root
        }
    }

    private static String export(Map<String, String> work, Map<String, String> out, String key, String value,
                                 boolean overwrite) {
        String cur = work.get(key);
        String v = overwrite || cur == null || cur.isEmpty() ? value : cur;
        work.put(key, v);
        if (out != null) {
            out.put(key, v);
        }
        return v;
    }

    /** Whether {@code cmd} is an executable in a directory of {@code env}'s PATH (default /usr/bin:/bin). */
    public static boolean onPath(Map<String, String> env, String cmd) {
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, cmd))) {
                return true;
            }
        }
        return false;
    }
}
