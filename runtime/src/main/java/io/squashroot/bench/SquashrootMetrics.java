package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads a squashroot mount's own read counters before it is unmounted, with {@code squashroot
 * stats MOUNTPOINT} (one "key value" per line): the exact bytes and requests its server sent to
 * the image file. Absent when this squashroot has no stats command or the mount wrote none.
 */
final class SquashrootMetrics implements DaemonMount.MetricsSource {

    private final List<String> self;

    SquashrootMetrics(List<String> self) {
        this.self = List.copyOf(self);
    }

    @Override
    public Optional<long[]> backingReads(Path mountPoint) {
        try {
            Commands.Result r = new Commands().run(Modes.concat(self, "stats", mountPoint.toString()), 60);
            if (r.exit() != 0) {
                return Optional.empty();
            }
            return parse(r.stdout());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<long[]> parse(String text) {
        long bytes = -1;
        long requests = -1;
        for (String line : text.split("\n")) {
            String[] kv = line.trim().split(" ", 2);
            if (kv.length == 2 && kv[0].equals("backing_bytes")) {
                bytes = Long.parseLong(kv[1].trim());
            } else if (kv.length == 2 && kv[0].equals("backing_requests")) {
                requests = Long.parseLong(kv[1].trim());
            }
        }
        return bytes < 0 || requests < 0 ? Optional.empty() : Optional.of(new long[] {bytes, requests});
    }
}
