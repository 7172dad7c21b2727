package io.squashroot.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private world for end-to-end tests of the container commands: its own ENROOT paths
 * (XDG_* under one base directory), its own sysconf directory, and {@code squashroot} run as a
 * separate JVM (so exit statuses, signals and kill -9 are real), as root or as the ordinary
 * user {@code sqtest}. The class path is copied to a world-readable place once, because the
 * Maven repository is private to root.
 */
final class Sandbox implements AutoCloseable {
    static final String TEST_USER = "sqtest";
    private static Path classpathCopy;

    final Path base;
    final String user;
    final Map<String, String> env = new HashMap<>();

    Sandbox(String user) throws IOException {
        this.user = user;
        base = Files.createTempDirectory(Path.of("/tmp"), "sqr-it-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : List.of("home", "run", "data", "config", "cache", "sysconf", "tmp")) {
            Files.createDirectories(base.resolve(d));
        }
        if (user != null) {
            chown(base, user);
        }
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", base.resolve("home").toString());
        env.put("XDG_RUNTIME_DIR", base.resolve("run").toString());
        env.put("XDG_DATA_HOME", base.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", base.resolve("config").toString());
        env.put("XDG_CACHE_HOME", base.resolve("cache").toString());
        env.put("SQUASHROOT_SYSCONF_DIR", base.resolve("sysconf").toString());
        env.put("TMPDIR", base.resolve("tmp").toString());
        env.put("LANG", "C.UTF-8");
    }

    Path dataPath() {
        return base.resolve("data/enroot");
    }

    Path runtimePath() {
        return base.resolve("run/enroot");
    }

    Path configPath() {
        return base.resolve("config/enroot");
    }

    Path sysconf() {
        return base.resolve("sysconf");
    }

    /**
     * Builds {@code out}, a Debian package {@code name} 1.0 (Architecture: all) holding
     * {@code file} (an absolute path inside the package) with {@code content}, and the maintainer
     * script {@code postinst}; made with dpkg-deb under this sandbox, owned by its user.
     */
    Path buildDeb(String name, String file, String content, String postinst, Path out) throws IOException {
        Path pkg = base.resolve("deb-" + name);
        write(pkg.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: 1.0\nArchitecture: all\n"
                + "Maintainer: squashroot tests <tests@example.invalid>\nDescription: squashroot test package\n", false);
        write(pkg.resolve(file.substring(1)), content, false);
        write(pkg.resolve("DEBIAN/postinst"), postinst, true);
        Files.createDirectories(out.getParent());
        sh("dpkg-deb", "--root-owner-group", "--build", pkg.toString(), out.toString());
        if (user != null) {
            chown(base, user);
        }
        return out;
    }

    /** Writes a file (parents created), executable when asked, owned by the sandbox's user. */
    Path write(Path p, String text, boolean executable) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        if (user != null) {
            chown(base, user);
        }
        return p;
    }

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), null, args);
    }

    Result run(Map<String, String> extraEnv, String stdin, String... args) throws IOException, InterruptedException {
        Process p = start(extraEnv, args);
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        var out = readAsync(p.getInputStream());
        var err = readAsync(p.getErrorStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("squashroot " + String.join(" ", args) + ": no exit within 120 s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /** Starts {@code squashroot ARGS} without waiting. */
    Process start(Map<String, String> extraEnv, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"));
        }
        String cp = classpath();
        cmd.addAll(List.of(javaBin(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(cdsOptions());
        cmd.addAll(List.of("-cp", cp, Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(base.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        return pb.start();
    }

    static java.util.concurrent.CompletableFuture<String> readAsync(java.io.InputStream in) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The same application class-data archive bin/squashroot uses, made once per test run for
     * the copied class path: every test starts many JVMs, and this is most of their start-up.
     */
    private static synchronized List<String> cdsOptions() throws IOException {
        Path jsa = classpathCopy.resolve("squashroot.jsa");
        if (!Files.exists(jsa) && !Files.exists(classpathCopy.resolve("no-cds"))) {
            try {
                Process p = new ProcessBuilder(javaBin(), "-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off",
                        "-Xlog:cds+dynamic=off", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                        "-cp", System.getProperty("sqr.it.cp"), Main.class.getName(), "cds-train")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor() != 0 || !Files.exists(jsa)) {
                    Files.createFile(classpathCopy.resolve("no-cds"));
                } else {
                    Files.setPosixFilePermissions(jsa, PosixFilePermissions.fromString("rw-r--r--"));
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
        return Files.exists(jsa)
                ? List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off")
                : List.of();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static synchronized String classpath() throws IOException {
        if (classpathCopy == null) {
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "sqr-cp-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            int n = 0;
            List<String> entries = new ArrayList<>();
            for (String e : cp.split(java.io.File.pathSeparator)) {
                Path src = Path.of(e);
                if (!Files.exists(src)) {
                    continue;
                }
                Path dst = dir.resolve((n++) + "-" + src.getFileName());
                copyTree(src, dst);
                entries.add(dst.toString());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            classpathCopy = dir;
            System.setProperty("sqr.it.cp", String.join(":", entries));
        }
        return System.getProperty("sqr.it.cp");
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (var s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }

    static void chown(Path p, String user) throws IOException {
        sh("chown", "-R", user + ":" + user, p.toString());
    }

    static String sh(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return out;
    }

    static void deleteTree(Path dir) {
        try {
            new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort
        }
    }

    static void awaitTrue(Duration limit, java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws IOException {
        // Leftover FUSE mounts under the sandbox would make rm fail: detach them first.
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mp = line.split(" ")[4];
                if (mp.startsWith(base.toString())) {
                    new ProcessBuilder("umount", "-l", mp).start().waitFor();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(base);
    }

    static List<Path> sortedDeepestFirst(List<Path> l) {
        l.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return l;
    }
}
