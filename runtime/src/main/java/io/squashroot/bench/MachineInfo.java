package io.squashroot.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where the figures were taken: machine, kernel, tool versions, and the image measured. */
record MachineInfo(Map<String, String> facts) {

    static MachineInfo collect(Path image, BenchOptions o) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("date_utc", java.time.Instant.now().toString());
        f.put("hostname", firstLine(Path.of("/proc/sys/kernel/hostname")));
        f.put("kernel", firstLine(Path.of("/proc/sys/kernel/osrelease")));
        f.put("os", osRelease());
        f.put("cpu", cpuModel());
        f.put("cpus_online", Integer.toString(Runtime.getRuntime().availableProcessors()));
        f.put("memory", meminfo("MemTotal:"));
        f.put("load_average", firstLine(Path.of("/proc/loadavg")));
        f.put("user", Privileges.isRoot() ? "root" : System.getProperty("user.name"));
        f.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        f.put("squashroot", o.version());
        for (String tool : List.of("squashfuse", "squashfuse_ll", "unsquashfs", "fuse-overlayfs", "mksquashfs")) {
            f.put(tool, version(tool));
        }
        f.put("image", image.toString());
        try {
            f.put("image_bytes", Long.toString(Files.size(image)));
            f.put("image_filesystem", Files.getFileStore(image).type());
        } catch (IOException e) {
            f.put("image_bytes", "unknown");
        }
        f.putAll(superblock(image));
        f.put("workload", o.workload() == null ? "(none: list the root directory)" : o.workload());
        f.put("runs", Integer.toString(o.runs()));
        f.put("drop_caches", Boolean.toString(o.dropCaches()));
        return new MachineInfo(f);
    }

    /** Compression and block size from the 96-byte superblock (format doc, "Superblock"). */
    static Map<String, String> superblock(Path image) {
        Map<String, String> f = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(image)) {
            ByteBuffer b = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // keep reading until 96 bytes or end of file
            }
            if (b.position() < 96 || b.getInt(0) != 0x73717368) {
                f.put("image_format", "not a squashfs image");
                return f;
            }
            String[] comp = {"none", "gzip", "lzma", "lzo", "xz", "lz4", "zstd"};
            int c = b.getShort(20) & 0xffff;
            f.put("image_compression", c < comp.length ? comp[c] : "id " + c);
            f.put("image_block_size", Integer.toString(b.getInt(12)));
            f.put("image_inodes", Integer.toString(b.getInt(4)));
        } catch (IOException e) {
            f.put("image_format", "unreadable: " + e.getMessage());
        }
        return f;
    }

    private static String version(String tool) {
        if (Commands.which(tool).isEmpty()) {
            return "not installed";
        }
        String flag = tool.startsWith("squashfuse") ? "--version" : tool.equals("fuse-overlayfs") ? "--version" : "-version";
        try {
            Commands.Result r = new Commands().run(List.of(tool, flag), 10);
            String all = r.stdout() + "\n" + r.stderr();
            // The first line that names the tool and carries a dotted number: the tools print
            // usage text and library versions around it.
            return all.lines().filter(l -> l.contains(tool) && l.matches(".*\\d+\\.\\d+.*"))
                    .findFirst().orElse("installed").strip();
        } catch (IOException e) {
            return "installed";
        }
    }

    private static String firstLine(Path p) {
        try {
            return Files.readAllLines(p).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String osRelease() {
        try {
            return Files.readAllLines(Path.of("/etc/os-release")).stream().filter(l -> l.startsWith("PRETTY_NAME="))
                    .map(l -> l.substring(12).replace("\"", "")).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String meminfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key))
                    .map(l -> l.substring(key.length()).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
