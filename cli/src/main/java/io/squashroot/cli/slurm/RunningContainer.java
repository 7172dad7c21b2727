package io.squashroot.cli.slurm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container started for the tasks of a node: {@code squashroot start} running a keeper, a shell
 * that reports its pid and then only waits. Tasks enter the keeper's namespaces with nsenter, as
 * pyxis's tasks enter the namespaces of the process enroot started. The keeper needs nothing but a
 * POSIX shell in the image (pyxis needs the same); it sleeps if the image has sleep, else it
 * blocks reading its stdin, a pipe this class keeps open.
 *
 * <p>Stopping kills the keeper; the runtime sees its container end, unmounts the image and exits.
 */
final class RunningContainer {

    /** Printed by the keeper, then its pid as seen inside the container. */
    static final String READY = "squashroot-keeper-ready";

    static final String KEEPER_SCRIPT = "echo " + READY + " $$; "
            + "command -v sleep >/dev/null 2>&1 && exec sleep 2147483647; read _keep";

    private final Process start;
    private final Keeper keeper;

    private RunningContainer(Process start, Keeper keeper) {
        this.start = start;
        this.keeper = keeper;
    }

    Keeper keeper() {
        return keeper;
    }

    /**
     * Starts container {@code name} and returns once the keeper runs inside it. What the container
     * prints on stdout before (an entrypoint's output) goes to stderr when {@code showOutput}.
     */
    static RunningContainer start(RuntimeCommands runtime, List<String> options, String name,
                                  Map<String, String> env, boolean showOutput) throws IOException {
        Process p = runtime.start(options, name, List.of("/bin/sh", "-c", KEEPER_SCRIPT, "squashroot-keeper"), env);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        long innerPid = -1;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(READY + " ")) {
                innerPid = Long.parseLong(line.substring(READY.length() + 1).strip());
                break;
            }
            if (showOutput) {
                System.err.println(line); // the entrypoint's output (--container-entrypoint-log)
            }
        }
        if (innerPid < 0) {
            int rc = RuntimeCommands.waitFor(p);
            throw new IOException("container " + name + " did not start (squashroot start exited with " + rc + ")");
        }
        drain(out);
        long hostPid = findKeeper(p.toHandle(), innerPid)
                .orElseThrow(() -> new IOException("container " + name + ": keeper process not found"));
        return new RunningContainer(p, Keeper.of(hostPid));
    }

    /** The descendant of {@code start} whose innermost pid (last NSpid field) is {@code innerPid}. */
    static Optional<Long> findKeeper(ProcessHandle start, long innerPid) {
        long best = -1;
        int bestDepth = 0;
        for (ProcessHandle h : start.descendants().toList()) {
            long[] ns = nsPids(h.pid());
            if (ns.length > bestDepth && ns[ns.length - 1] == innerPid) {
                best = h.pid();
                bestDepth = ns.length;
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(best);
    }

    static long[] nsPids(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("NSpid:")) {
                    String[] f = l.substring(6).strip().split("\\s+");
                    long[] out = new long[f.length];
                    for (int i = 0; i < f.length; i++) {
                        out[i] = Long.parseLong(f[i]);
                    }
                    return out;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended meanwhile
        }
        return new long[0];
    }

    /** Ends the container: kills the keeper, then waits for the runtime to unmount and exit. */
    int stop() throws IOException {
        if (keeper.alive()) {
            ProcessHandle.of(keeper.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        start.getOutputStream().close();
        try {
            if (!start.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                start.destroy();
                if (!start.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    start.destroyForcibly();
                }
            }
            return start.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            start.destroyForcibly();
            return -1;
        }
    }

    /** {@link #stop} for a shutdown hook: errors are reported, not thrown. */
    void stopQuietly() {
        try {
            stop();
        } catch (IOException e) {
            System.err.println("squashroot: stopping the container: " + e.getMessage());
        }
    }

    private static void drain(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    System.err.println(l);
                }
            } catch (IOException e) {
                // the runtime ended
            }
        }, "runtime-output");
        t.setDaemon(true);
        t.start();
    }
}
