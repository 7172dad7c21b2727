package io.squashroot.cli.slurm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import io.squashroot.runtime.Containers;
import io.squashroot.runtime.config.ConfigLoader;
import io.squashroot.runtime.config.RuntimeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The container runtime as the Slurm layer uses it. {@code start} (and import/export) run as
 * {@code squashroot} child processes, through the enroot-compatible command line: the started
 * runtime owns the FUSE server for as long as the container runs, apart from the task's JVM. The
 * short bookkeeping commands (list, create, remove, gc) call the runtime's {@link Containers} in
 * this JVM with the same configuration a child would load: a JVM start each is what made a step's
 * set-up and the Prolog/Epilog slow.
 */
final class RuntimeCommands {

    private final String launcher;
    private final Map<String, String> environ;

    /**
     * @param launcher absolute path of bin/squashroot
     * @param environ  environment of every command (the runtime's ENROOT_* / SQUASHROOT_* settings)
     */
    RuntimeCommands(String launcher, Map<String, String> environ) {
        this.launcher = launcher;
        this.environ = environ;
    }

    /**
     * The runtime's configuration in an environment (ENROOT_*, SQUASHROOT_*, XDG_* and HOME),
     * NUL-separated NAME=VALUE: recorded with each running instance so that the Epilog, which does
     * not see the job's environment, removes the job's containers from where they were made.
     */
    static String configOf(Map<String, String> env) {
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> {
            if (k.startsWith("ENROOT_") || k.startsWith("SQUASHROOT_") || k.startsWith("XDG_") || k.equals("HOME")) {
                sb.append(k).append('=').append(v).append('\0');
            }
        });
        return sb.toString();
    }

    private Containers containers() throws IOException {
        RuntimeConfig cfg = new ConfigLoader(environ, Runtime.getRuntime().availableProcessors(), null).load();
        return Containers.open(cfg);
    }

    /** Names of the user's containers ({@code squashroot list}). */
    List<String> list() throws IOException {
        return containers().names();
    }

    void create(String name, Path image) throws IOException {
        try {
            containers().create(image, name, null, System.err);
        } catch (IOException e) {
            throw new IOException("could not create container " + name + " from " + image + ": " + e.getMessage(), e);
        }
    }

    void remove(String name) throws IOException {
        try {
            containers().remove(name);
        } catch (IOException e) {
            throw new IOException("could not remove container " + name + ": " + e.getMessage(), e);
        }
    }

    /** {@code squashroot create --name NAME URI}: the runtime imports the image into its layer cache. */
    void createFromUri(String name, String uri) throws IOException {
        run(List.of("create", "--name", name, uri), Map.of(), "create container " + name + " from " + uri);
    }

    /** The runtime's own clean-up of stale mounts and run directories ({@code squashroot gc}). */
    List<String> gc() throws IOException {
        return containers().gc(null, false).items();
    }

    void export(String name, Path output) throws IOException {
        run(List.of("export", "--force", "--output", output.toString(), name), "export container " + name);
    }

    /**
     * Starts {@code squashroot start [options] NAME COMMAND...} with {@code env} as its whole
     * environment; stdout is a pipe (the keeper reports on it), stderr goes to the task's.
     */
    Process start(List<String> options, String name, List<String> command, Map<String, String> env)
            throws IOException {
        List<String> argv = new ArrayList<>(List.of(launcher, "start"));
        argv.addAll(options);
        argv.add(name);
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    private void run(List<String> args, String what) throws IOException {
        run(args, Map.of(), what);
    }

    private void run(List<String> args, Map<String, String> extraEnv, String what) throws IOException {
        List<String> argv = new ArrayList<>(List.of(launcher));
        argv.addAll(args);
        // The runtime's progress and errors go to the task's stderr, where srun shows them.
        // (stdout is copied to stderr: the task's stdout belongs to the user's command).
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().clear();
        pb.environment().putAll(environ);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(System.err);
        }
        int rc = waitFor(p);
        if (rc != 0) {
            throw new IOException("could not " + what + " (squashroot " + args.get(0) + " exited with " + rc + ")");
        }
    }

    static int waitFor(Process p) throws IOException {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new IOException("interrupted while waiting for " + p.info().command().orElse("a process"));
        }
    }
}
