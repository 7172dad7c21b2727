package io.squashroot.runtime;

import java.util.List;

/**
 * What {@code gc} removed (or, with --dry-run, would remove).
 *
 * @param items  one line per thing: "container NAME", "runtime dir PATH", "mount PATH",
 *               "script library PATH", "script library link PATH"
 * @param bytes  bytes on disk freed
 */
public record GcReport(List<String> items, long bytes, boolean dryRun) {
    public GcReport {
        items = List.copyOf(items);
    }
}
