package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * squashfuse for the read-only image under fuse-overlayfs for writes: how rootless Podman and
 * Apptainer-style runtimes stack FUSE today, and the closest peer to squashroot's fuse mode with
 * its copy-on-write overlay. Both daemons are accounted together.
 */
final class OverlayStack implements Mode {

    @Override
    public String name() {
        return "fuse-overlayfs";
    }

    @Override
    public Optional<String> unavailable() {
        if (Commands.which("squashfuse").isEmpty()) {
            return Optional.of("squashfuse is not installed (fuse-overlayfs needs a lower mount)");
        }
        return Commands.which("fuse-overlayfs").isEmpty()
                ? Optional.of("fuse-overlayfs is not installed") : Optional.empty();
    }

    @Override
    public Session open(Path image, Path workDir, Commands commands) throws IOException {
        Path base = Files.createDirectories(workDir.resolve("fuse-overlayfs"));
        Path lowerMnt = Files.createDirectories(base.resolve("lower"));
        Path upper = Files.createDirectories(base.resolve("upper"));
        Path work = Files.createDirectories(base.resolve("work"));
        Path merged = Files.createDirectories(base.resolve("merged"));
        Session lower = DaemonMount.mount(List.of("squashfuse", "-f", image.toString(), lowerMnt.toString()),
                lowerMnt, commands, DaemonMount.MetricsSource.NONE);
        try {
            Session top = DaemonMount.mount(List.of("fuse-overlayfs", "-f", "-o",
                    "lowerdir=" + lowerMnt + ",upperdir=" + upper + ",workdir=" + work, merged.toString()),
                    merged, commands, DaemonMount.MetricsSource.NONE);
            return new Stack(merged, lower, top, base, upper);
        } catch (IOException | RuntimeException e) {
            lower.close();
            throw e;
        }
    }

    private static final class Stack extends Session {
        private final Session lower;
        private final Session top;
        private final Path base;
        private final Path upper;

        Stack(Path root, Session lower, Session top, Path base, Path upper) {
            super(root);
            this.lower = lower;
            this.top = top;
            this.base = base;
            this.upper = upper;
        }

        @Override
        ProcStats stats() {
            return lower.stats().plus(top.stats());
        }

        @Override
        List<Path> localDirs() {
            return List.of(upper);
        }

        @Override
        public void close() throws IOException {
            try {
                top.close();
            } finally {
                lower.close();
                Extraction.delete(base);
            }
        }
    }
}
