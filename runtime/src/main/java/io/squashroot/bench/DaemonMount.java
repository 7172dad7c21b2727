package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * A mode served by a FUSE daemon that mounts an image on a directory: squashroot's own mount,
 * squashfuse, squashfuse_ll. The daemon may stay in the foreground or fork; either way the
 * session follows every process whose command line names the mount point.
 */
final class DaemonMount implements Mode {

    private static final long MOUNT_TIMEOUT_MS = 120_000;

    private final String name;
    private final BiFunction<Path, Path, List<String>> argv;
    private final Optional<String> unavailable;
    private final MetricsSource metrics;

    /** Reads a mode's own per-mount counters (squashroot's stats) before unmounting, if it has them. */
    interface MetricsSource {
        MetricsSource NONE = mountPoint -> Optional.empty();

        Optional<long[]> backingReads(Path mountPoint);
    }

    DaemonMount(String name, BiFunction<Path, Path, List<String>> argv, Optional<String> unavailable,
            MetricsSource metrics) {
        this.name = name;
        this.argv = argv;
        this.unavailable = unavailable;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> unavailable() {
        return unavailable;
    }

    @Override
    public Session open(Path image, Path workDir, Commands commands) throws IOException {
        Path mnt = Files.createDirectories(workDir.resolve(name + "-mnt"));
        return mount(argv.apply(image, mnt), mnt, commands, metrics);
    }

    /** Starts {@code cmd}, waits until {@code mnt} is mounted, and returns the session serving it. */
    static MountedSession mount(List<String> cmd, Path mnt, Commands commands, MetricsSource metrics)
            throws IOException {
        Path errFile = Files.createTempFile(mnt.getParent(), "daemon-", ".err");
        Process p = commands.start(cmd, errFile);
        ProcessWatch watch = new ProcessWatch(p.pid());
        MountedSession s = new MountedSession(mnt, p, watch, commands, metrics, errFile);
        try {
            long deadline = System.currentTimeMillis() + MOUNT_TIMEOUT_MS;
            while (!MountTable.isMounted(mnt)) {
                if (!p.isAlive() && p.exitValue() != 0) {
                    throw new IOException(cmd.get(0) + " failed to mount " + mnt + " (exit " + p.exitValue()
                            + "): " + firstLine(errFile));
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException(cmd.get(0) + ": " + mnt + " not mounted after "
                            + MOUNT_TIMEOUT_MS / 1000 + " s: " + firstLine(errFile));
                }
                Thread.sleep(5);
            }
            watch.addByArgument(mnt);
            watch.resetBaseline();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        } catch (InterruptedException e) {
            s.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + mnt);
        }
    }

    private static String firstLine(Path f) {
        try {
            return Files.readString(f).strip().lines().findFirst().orElse("no message");
        } catch (IOException e) {
            return "no message";
        }
    }

    /** Unmounts a FUSE or kernel mount: umount(8) as root, else fusermount3/fusermount -u. */
    static void unmount(Path mnt, Commands commands) throws IOException {
        if (!MountTable.isMounted(mnt)) {
            return;
        }
        List<List<String>> tries = new ArrayList<>();
        if (Privileges.isRoot()) {
            tries.add(List.of("umount", mnt.toString()));
        }
        Commands.which("fusermount3").ifPresent(f -> tries.add(List.of(f.toString(), "-u", mnt.toString())));
        Commands.which("fusermount").ifPresent(f -> tries.add(List.of(f.toString(), "-u", mnt.toString())));
        String last = "no unmount tool found";
        for (int attempt = 0; attempt < 50; attempt++) {
            for (List<String> t : tries) {
                Commands.Result r = commands.run(t, 30);
                if (r.exit() == 0 || !MountTable.isMounted(mnt)) {
                    return;
                }
                last = r.firstErrorLine();
            }
            sleep(100); // busy: a reader in the harness may still be closing files
        }
        throw new IOException(mnt + ": could not unmount: " + last);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A live mount and the daemon serving it. */
    static final class MountedSession extends Session {
        private final Process process;
        private final ProcessWatch watch;
        private final Commands commands;
        private final MetricsSource metrics;
        private final Path errFile;
        private ProcStats finalStats;
        private long[] backing;

        MountedSession(Path mnt, Process process, ProcessWatch watch, Commands commands, MetricsSource metrics,
                Path errFile) {
            super(mnt);
            this.process = process;
            this.watch = watch;
            this.commands = commands;
            this.metrics = metrics;
            this.errFile = errFile;
        }

        @Override
        ProcStats stats() {
            return finalStats != null ? finalStats : watch.total();
        }

        @Override
        OptionalLong backingReadBytes() {
            return backing == null ? OptionalLong.empty() : OptionalLong.of(backing[0]);
        }

        @Override
        OptionalLong backingReadRequests() {
            return backing == null ? OptionalLong.empty() : OptionalLong.of(backing[1]);
        }

        @Override
        public void close() throws IOException {
            if (finalStats == null) {
                finalStats = watch.total();
                backing = metrics.backingReads(root()).orElse(null);
            }
            try {
                unmount(root(), commands);
            } finally {
                watch.close();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroy();
                        if (!process.waitFor(5, TimeUnit.SECONDS)) {
                            process.destroyForcibly();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Files.deleteIfExists(errFile);
                if (!MountTable.isMounted(root())) {
                    Files.deleteIfExists(root());
                }
            }
        }
    }
}
