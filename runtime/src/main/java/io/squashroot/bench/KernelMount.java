package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's own squashfs on a loop device (root only): the floor every user-space reader is
 * measured against. Its reads are the loop device's read counter; its CPU time is spent in the
 * kernel on behalf of whoever reads and cannot be attributed, so CPU and memory stay empty.
 */
final class KernelMount implements Mode {

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public Optional<String> unavailable() {
        if (!Privileges.isRoot()) {
            return Optional.of("mount -t squashfs needs root");
        }
        try {
            if (!Files.readString(Path.of("/proc/filesystems")).contains("squashfs")) {
                return Optional.of("this kernel has no squashfs support loaded");
            }
        } catch (IOException e) {
            return Optional.of("/proc/filesystems unreadable");
        }
        return Optional.empty();
    }

    @Override
    public Session open(Path image, Path workDir, Commands commands) throws IOException {
        Path mnt = Files.createDirectories(workDir.resolve("kernel-mnt"));
        commands.check(List.of("mount", "-t", "squashfs", "-o", "loop,ro,nosuid,nodev", image.toString(),
                mnt.toString()), 60);
        String source = MountTable.find(mnt).map(MountTable.Entry::source).orElse("");
        Optional<DeviceStats> loop = source.startsWith("/dev/")
                ? DeviceStats.forBlockDevice(Path.of(source).getFileName().toString())
                : Optional.empty();
        return new Loop(mnt, loop, commands);
    }

    private static final class Loop extends Session {
        private final Optional<DeviceStats> loop;
        private final long base;
        private final Commands commands;
        private Long finalBytes;

        Loop(Path mnt, Optional<DeviceStats> loop, Commands commands) {
            super(mnt);
            this.loop = loop;
            this.base = loop.map(DeviceStats::readBytes).orElse(0L);
            this.commands = commands;
        }

        @Override
        ProcStats stats() {
            long b = finalBytes != null ? finalBytes : loop.map(d -> d.readBytes() - base).orElse(0L);
            return new ProcStats(b, b, 0, 0);
        }

        @Override
        boolean hasProcesses() {
            return false;
        }

        @Override
        public void close() throws IOException {
            if (finalBytes == null) {
                finalBytes = stats().readBytes();
            }
            DaemonMount.unmount(root(), commands);
            Files.deleteIfExists(root());
        }
    }
}
