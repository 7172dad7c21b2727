package io.squashroot.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a mount's server as a detached JVM: the same command line plus {@code --foreground},
 * in its own session (setsid) so the terminal's signals and the caller's exit leave it alone.
 * The server writes its pid to a per-user 0700 run directory once its mount answers; the
 * starter waits for that file, or for the server's death, whose last message it repeats.
 */
final class MountDaemon {
    private static final long START_TIMEOUT_MS = 60_000;
    /** Set in the server's environment: it runs detached and logs to its log file. */
    static final String DAEMON_ENV = "SQUASHROOT_MOUNT_SERVER";

    private MountDaemon() {
    }

    /**
     * @param heapBytes the server's heap ceiling unless the JVM options already set one: the
     *                  block cache plus room for the path cache and request buffers, so the
     *                  server does not grow to the JVM's default of a quarter of the machine
     */
    static int start(List<String> originalArgs, Path mp, long heapBytes) throws IOException, InterruptedException {
        Path dir = runDir();
        String key = key(mp);
        Path log = dir.resolve(key + ".log");
        Path pidFile = dir.resolve(key + ".pid");
        Files.deleteIfExists(pidFile);
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAM"))) {
            cmd.add("-Xmx" + (heapBytes >> 20) + "m");
        }
        // The server runs with the launcher's JVM options, C1 only included: on a quiet machine
        // that served the metadata walk, the cold and the sequential read faster and with less
        // CPU than tiered C2 (docs/benchmarks.md, "FUSE mount", runs H and I), the decompression being native code
        // either way. SQUASHROOT_JAVA_OPTS=-XX:TieredStopAtLevel=4 asks for C2.
        for (String a : jvmArgs) {
            if (!a.startsWith("-agentlib:jdwp")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(originalArgs);
        cmd.add("--foreground");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(DAEMON_ENV, "1");
        Process p = pb
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile())
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (readPid(pidFile).orElse(-1L) == p.pid()) {
                return 0;
            }
            if (p.waitFor(10, TimeUnit.MILLISECONDS)) {
                throw new ExitException(1, lastMessage(log).orElse(mp + ": mount server exited with status "
                        + p.exitValue() + " (log: " + log + ")"));
            }
        }
        p.destroy();
        throw new ExitException(1, mp + ": mount did not answer within " + START_TIMEOUT_MS / 1000 + " s (log: "
                + log + ")");
    }

    /** Called by the server once its mount answers. */
    static void markReady(Path mp) throws IOException {
        Path dir = runDir();
        Path tmp = Files.createTempFile(dir, "pid", ".tmp");
        Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
        Files.move(tmp, dir.resolve(key(mp) + ".pid"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** After an unmount: waits (up to 10 s) for the server of {@code mp} to exit. */
    static void awaitExit(Path mp) throws IOException, InterruptedException {
        Path pidFile = runDir().resolve(key(mp) + ".pid");
        Optional<Long> pid = readPid(pidFile);
        if (pid.isPresent()) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid.get());
            if (h.isPresent()) {
                try {
                    h.get().onExit().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // still finishing open files after a lazy unmount; it exits on its own
                }
            }
            Files.deleteIfExists(pidFile);
        }
    }

    private static Optional<Long> readPid(Path f) {
        try {
            return Optional.of(Long.parseLong(Files.readString(f).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> lastMessage(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).trim();
                if (l.startsWith("squashroot: ")) {
                    return Optional.of(l.substring("squashroot: ".length()));
                }
            }
        } catch (IOException ignored) {
            // no log: the caller reports the exit status
        }
        return Optional.empty();
    }

    /** A name for a mountpoint's files: its path, hashed, so any path fits. */
    private static String key(Path mp) {
        return "mount-" + Integer.toHexString(mp.toString().hashCode()) + "-"
                + mp.getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /**
     * $XDG_RUNTIME_DIR/squashroot, else /tmp/squashroot-UID: created 0700, and refused when
     * someone else owns it or it is a symlink (a shared /tmp must not redirect our files).
     */
    static Path runDir() throws IOException {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        long uid = io.squashroot.fuse.MountTable.processOwner()[0];
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg))
                ? Path.of(xdg, "squashroot") : Path.of("/tmp", "squashroot-" + uid);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // checked below
            }
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                || ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() != uid) {
            throw new IOException(dir + ": not a directory owned by uid " + uid + "; remove it");
        }
        return dir;
    }
}
