package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The environment of a task's command in the container, built as pyxis builds it.
 *
 * <p>The container is started once per node with a small environment ({@link #forKeeper}); the
 * runtime adds the image's variables and its environ.d files, and the result is what the keeper
 * process holds. Each task then takes its own environment (Slurm's SLURM_*, PMI_* and PMIX_* for
 * that task, the user's exported variables), drops LANG, LANGUAGE and LC_ALL (the host's locale may
 * not exist in the image), and lays the container's variables over it: the image's values win, except
 * for the names given with --container-env, whose host values are kept.
 */
final class TaskEnvironment {

    /** Host locale variables that do not reach the container unless named in --container-env. */
    static final List<String> LOCALE = List.of("LANG", "LANGUAGE", "LC_ALL");

    /** What the keeper inherits from the task besides the runtime's own settings. */
    static final Set<String> KEEPER_BASE = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TMPDIR",
            "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME");

    private TaskEnvironment() {
    }

    /**
     * The keeper's environment: the base variables, the runtime's configuration (ENROOT_*,
     * SQUASHROOT_*, proxies, certificates), and the --container-env names, whose host values are
     * set before the entrypoint runs.
     */
    static Map<String, String> forKeeper(Map<String, String> task, Collection<String> containerEnv) {
        Map<String, String> out = new LinkedHashMap<>();
        task.forEach((k, v) -> {
            if (KEEPER_BASE.contains(k) || k.startsWith("ENROOT_") || k.startsWith("SQUASHROOT_")
                    || k.matches("(?i)(all|no|http|https)_proxy|SSL_CERT_(DIR|FILE)")
                    || containerEnv.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The command's environment: the task's, minus the locale, under the container's. */
    static Map<String, String> forTask(Map<String, String> task, Map<String, String> container,
                                       Collection<String> containerEnv) {
        Map<String, String> out = new LinkedHashMap<>(task);
        for (String name : LOCALE) {
            if (!containerEnv.contains(name)) {
                out.remove(name);
            }
        }
        container.forEach((k, v) -> {
            if (!containerEnv.contains(k) || !task.containsKey(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The environment of a running process, from /proc/PID/environ. */
    static Map<String, String> ofProcess(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        return parse(new String(raw, StandardCharsets.UTF_8));
    }

    static Map<String, String> parse(String nulSeparated) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : nulSeparated.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                out.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return out;
    }
}
