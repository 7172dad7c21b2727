package io.squashroot.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code squashroot stats [MOUNTPOINT]}: what each mounted image has cost its storage so far. */
@Command(name = "stats",
        mixinStandardHelpOptions = true,
        description = {"Show read metrics of this user's squashroot mounts: requests and bytes sent to the"
                + " image file, and hits and misses of the memory, node and decoded-block caches.",
                "With MOUNTPOINT: every figure of that mount, one 'key value' per line."})
final class StatsCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "MOUNTPOINT", description = "a squashroot mount point")
    Path mountpoint;

    @Override
    public Integer call() throws IOException {
        if (mountpoint != null) {
            Path f = MountStats.fileFor(mountpoint);
            Map<String, String> m = Files.exists(f) ? MountStats.read(f).orElse(null) : null;
            if (m == null) {
                throw new ExitException(1, mountpoint.toAbsolutePath().normalize()
                        + ": no squashroot mount of this user here (no metrics in " + f.getParent() + ")");
            }
            m.forEach((k, v) -> System.out.println(k + " " + v));
            return 0;
        }
        List<Map<String, String>> all = MountStats.all();
        System.out.printf(Locale.ROOT, "%-40s %12s %10s %8s %8s %8s%n", "MOUNTPOINT", "READ_MiB", "REQUESTS",
                "MEM_HIT", "NODE_HIT", "BLK_HIT");
        for (Map<String, String> m : all) {
            System.out.printf(Locale.ROOT, "%-40s %12.1f %10d %8s %8s %8s%n", m.get("mountpoint"),
                    num(m, "backing_bytes") / 1048576.0, num(m, "backing_requests"),
                    pct(m, "chunk_memory_hits", "chunk_memory_misses"), pct(m, "node_cache_hits", "node_cache_misses"),
                    pct(m, "block_cache_hits", "block_cache_misses"));
        }
        return 0;
    }

    private static long num(Map<String, String> m, String key) {
        try {
            return Long.parseLong(m.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String pct(Map<String, String> m, String hits, String misses) {
        long h = num(m, hits);
        long total = h + num(m, misses);
        return total == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * h / total);
    }
}
