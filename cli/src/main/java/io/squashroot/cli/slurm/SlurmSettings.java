package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The node's settings for squashroot-srun, in pyxis's words so that a site moving from pyxis can
 * copy its plugstack.conf arguments: one {@code key=value} per line in /etc/squashroot/slurm.conf
 * (SQUASHROOT_SLURM_CONF names another file), '#' starts a comment.
 *
 * <ul>
 *   <li>{@code container_scope=global|job} (default global): with job, container names carry the
 *       job id, and the epilog removes them when the job ends;</li>
 *   <li>{@code execute_entrypoint=bool} (default false): run the image's entrypoint unless the user
 *       says otherwise;</li>
 *   <li>{@code runtime_path=DIR} (default /run/squashroot): node-local directory that holds one
 *       0700 directory per user with the state of the containers of running steps.</li>
 * </ul>
 */
record SlurmSettings(boolean jobScope, boolean executeEntrypoint, Path runtimePath) {

    static final Path DEFAULT_FILE = Path.of("/etc/squashroot/slurm.conf");
    static final Path DEFAULT_RUNTIME_PATH = Path.of("/run/squashroot");

    static SlurmSettings load(Map<String, String> environ) throws IOException {
        String override = environ.get("SQUASHROOT_SLURM_CONF");
        Path file = override == null || override.isEmpty() ? DEFAULT_FILE : Path.of(override);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            if (override != null && !override.isEmpty()) {
                throw new IOException(file + ": no such file (named by SQUASHROOT_SLURM_CONF)");
            }
            lines = List.of();
        }
        return parse(file.toString(), lines);
    }

    static SlurmSettings parse(String where, List<String> lines) {
        boolean jobScope = false;
        boolean entrypoint = false;
        Path runtime = DEFAULT_RUNTIME_PATH;
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(where + ":" + n + ": expected key=value: " + line);
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            switch (key) {
                case "container_scope" -> {
                    if (!value.equals("job") && !value.equals("global")) {
                        throw new IllegalArgumentException(where + ":" + n + ": container_scope: invalid value: " + value);
                    }
                    jobScope = value.equals("job");
                }
                case "execute_entrypoint" -> {
                    Boolean b = ContainerOptionParser.parseBool(value);
                    if (b == null) {
                        throw new IllegalArgumentException(where + ":" + n + ": execute_entrypoint: invalid value: " + value);
                    }
                    entrypoint = b;
                }
                case "runtime_path" -> {
                    if (!value.startsWith("/")) {
                        throw new IllegalArgumentException(where + ":" + n + ": runtime_path: not an absolute path: " + value);
                    }
                    runtime = Path.of(value);
                }
                default -> throw new IllegalArgumentException(where + ":" + n + ": unknown setting: " + key);
            }
        }
        return new SlurmSettings(jobScope, entrypoint, runtime);
    }
}
