package io.squashroot.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code gc}: what killed launchers left behind, and named containers nobody started lately. */
final class Sweep {
    private final ContainerStore store;
    private final RunDirs runDirs;
    private final Clock clock;

    Sweep(ContainerStore store, RunDirs runDirs, Clock clock) {
        this.store = store;
        this.runDirs = runDirs;
        this.clock = clock;
    }

    /**
     * Removes stale runtime directories (their launcher is gone) with whatever is still mounted
     * under them, script libraries and links of older jars that no running start uses
     * ({@link LibrarySweep}), and, when {@code olderThan} is given, named containers not
     * started (or, never started, not created) within it and not running now.
     */
    GcReport run(Duration olderThan, boolean dryRun) throws IOException {
        List<String> items = new ArrayList<>();
        long bytes = 0;
        for (Path d : runDirs.stale()) {
            for (Path m : Mounts.under(d)) {
                items.add("mount " + m);
            }
            items.add("runtime dir " + d);
            if (dryRun) {
                bytes += Tree.sizeOnDisk(d);
            } else {
                bytes += RunDirs.clean(d);
            }
        }
        bytes += LibrarySweep.of(runDirs).run(dryRun, items);
        if (olderThan != null) {
            Instant cutoff = clock.instant().minus(olderThan);
            for (String n : store.names()) {
                Optional<ContainerRecord> r = store.record(n);
                Instant used = r.map(ContainerRecord::lastUsed).orElseGet(() -> modified(store.dir(n)));
                if (!used.isBefore(cutoff)) {
                    continue;
                }
                Optional<ContainerStore.Lock> lock = store.tryLock(n, true);
                if (lock.isEmpty()) {
                    continue;
                }
                try (ContainerStore.Lock l = lock.get()) {
                    long size = Tree.sizeOnDisk(store.dir(n));
                    items.add("container " + n);
                    bytes += size;
                    if (!dryRun) {
                        Tree.delete(store.dir(n));
                        store.deleteRecord(n);
                    }
                }
            }
        }
        return new GcReport(items, bytes, dryRun);
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }
}
