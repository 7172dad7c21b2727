package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Bytes read from the block device that holds a file, from /sys/dev/block/MAJ:MIN/stat (field 3,
 * sectors read, always in 512-byte units; see the kernel's Documentation/block/stat.rst).
 *
 * <p>These counters are node-wide: anything else reading that device in the same interval is
 * counted too. They are the only storage counter that covers tools whose reads the harness cannot
 * attribute to a process (the kernel's own squashfs, page-cache readahead). Files on pseudo file
 * systems (tmpfs, FUSE, overlay) have no block device; the figure is then absent.
 */
final class DeviceStats {

    private static final long SECTOR = 512;

    private final Path stat;

    private DeviceStats(Path stat) {
        this.stat = stat;
    }

    /** The counters of the device holding {@code file}, if it is a block device. */
    static Optional<DeviceStats> forFile(Path file) {
        try {
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            return forDevice(major(dev), minor(dev));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The counters of block device {@code name} (e.g. loop3), if it exists. */
    static Optional<DeviceStats> forBlockDevice(String name) {
        Path p = Path.of("/sys/block", name, "stat");
        return Files.isReadable(p) ? Optional.of(new DeviceStats(p)) : Optional.empty();
    }

    static Optional<DeviceStats> forDevice(long major, long minor) {
        if (major == 0) {
            return Optional.empty(); // anonymous device: tmpfs, FUSE, overlay
        }
        Path p = Path.of("/sys/dev/block", major + ":" + minor, "stat");
        return Files.isReadable(p) ? Optional.of(new DeviceStats(p)) : Optional.empty();
    }

    long readBytes() {
        try {
            return parseReadBytes(Files.readString(stat));
        } catch (IOException e) {
            return 0;
        }
    }

    static long parseReadBytes(String statLine) {
        String[] f = statLine.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("block stat: " + f.length + " fields, expected at least 3");
        }
        return Long.parseLong(f[2]) * SECTOR;
    }

    // glibc's encoding of dev_t (sys/sysmacros.h): 12 bits of major and 20 of minor, split.
    static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L);
    }

    static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & 0xffffff00L);
    }
}
