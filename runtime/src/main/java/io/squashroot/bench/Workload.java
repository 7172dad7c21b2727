package io.squashroot.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the admin's workload inside an image's tree and times its first byte of output and its
 * exit. The tree becomes the root with chroot(8); an unprivileged harness gets the right to do
 * that from a user namespace of its own ({@code unshare --user --map-root-user}), as a
 * container runtime would.
 *
 * <p>Without a workload the harness lists the root directory itself: the "first output" is then
 * the first entry the mount returns, which still measures what a start costs before a program
 * can run.
 */
final class Workload {

    private static final long TIMEOUT_S = 3600;

    /**
     * When the first output came and when the workload ended, in nanoseconds of System.nanoTime,
     * and the accounting of the whole process tree the command started.
     */
    record Timing(long firstOutputNanos, long endNanos, int exit, ProcStats tree) {
    }

    private final String command;

    Workload(String command) {
        this.command = command;
    }

    boolean isProbe() {
        return command == null || command.isBlank();
    }

    List<String> argv(Path root) {
        List<String> a = new ArrayList<>();
        if (!Privileges.isRoot()) {
            a.addAll(List.of("unshare", "--user", "--map-root-user"));
        }
        a.addAll(List.of("chroot", root.toString(), "/bin/sh", "-c", command));
        return a;
    }

    Timing run(Path root, Commands commands) throws IOException {
        if (isProbe()) {
            long first;
            try (var s = Files.list(root)) {
                s.findFirst();
                first = System.nanoTime();
            }
            return new Timing(first, first, 0, ProcStats.ZERO);
        }
        return time(argv(root), commands);
    }

    /** Runs {@code argv} (the workload, or a whole container start), timing its output and exit. */
    Timing time(List<String> argv, Commands commands) throws IOException {
        commands.record(argv);
        Process p = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        long first = -1;
        ProcessWatch watch = new ProcessWatch(p.pid());
        try (watch; InputStream in = p.getInputStream()) {
            byte[] b = new byte[65536];
            int n;
            while ((n = in.read(b)) >= 0) {
                if (n > 0 && first < 0) {
                    first = System.nanoTime();
                }
            }
        }
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("workload did not finish within " + TIMEOUT_S + " s: " + command);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running the workload");
        }
        long end = System.nanoTime();
        return new Timing(first < 0 ? end : first, end, p.exitValue(), watch.total());
    }
}
