package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * testdata/slowfs.py mounted over a directory: a FUSE passthrough with latency and a bandwidth
 * cap that stands in for NFS (this kernel has no NFS), counting what it serves. Closing
 * unmounts it and stops the process, so no mount outlives a test.
 */
final class SlowStorage implements AutoCloseable {
    final Path mount;
    final Path stats;
    private final Process process;

    private SlowStorage(Path mount, Path stats, Process process) {
        this.mount = mount;
        this.stats = stats;
        this.process = process;
    }

    static SlowStorage mount(Path backing, Path mount, double delayMs, double mbps) throws IOException, InterruptedException {
        Files.createDirectories(mount);
        Path stats = mount.resolveSibling(mount.getFileName() + ".stats");
        Path script = TestImages.REPO.resolve("testdata/slowfs.py");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), backing.toString(), mount.toString(),
                "--delay-ms", Double.toString(delayMs), "--read-mbps", Double.toString(mbps), "--foreground",
                "--direct-io", "--stats", stats.toString())
                .redirectErrorStream(true).redirectOutput(mount.resolveSibling(mount.getFileName() + ".log").toFile())
                .start();
        SlowStorage s = new SlowStorage(mount, stats, p);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!mounted(mount)) {
            if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                s.close();
                throw new IOException("slowfs did not mount " + mount + ": "
                        + Files.readString(mount.resolveSibling(mount.getFileName() + ".log")));
            }
            Thread.sleep(20);
        }
        return s;
    }

    static boolean mounted(Path mount) throws IOException {
        String needle = " " + mount.toAbsolutePath() + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(needle));
    }

    /** Bytes the "server" has sent so far (slowfs writes its counters at most every 0.2 s). */
    long bytesServed() throws IOException {
        if (!Files.exists(stats)) {
            return 0;
        }
        for (String line : Files.readAllLines(stats)) {
            if (line.startsWith("read_bytes ")) {
                return Long.parseLong(line.substring(11).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (mounted(mount)) {
                new ProcessBuilder("fusermount", "-u", mount.toString()).inheritIO().start().waitFor(20, TimeUnit.SECONDS);
            }
        } finally {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
