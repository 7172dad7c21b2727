package io.squashroot.cli;

import io.squashroot.registry.ImageStore;
import io.squashroot.registry.LayerCache;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code cache list}: what import keeps in the layer cache. */
@Command(name = "list", description = {"List the layer cache: imported images, container pins (fuse-mode",
        "containers made from an image URI), layer images, configuration layers,",
        "flat images."})
final class CacheListCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        LayerCache c = ImageStore.open(RegistryCommands.settings()).cache();
        long total = 0;
        System.out.printf(Locale.ROOT, "%-6s %11s  %-20s %s%n", "KIND", "SIZE", "LAST USED", "NAME");
        for (LayerCache.Entry e : c.list()) {
            total += e.bytes();
            System.out.printf(Locale.ROOT, "%-6s %11s  %-20s %s%n", e.kind(), ProgressPrinter.human(e.bytes()),
                    DateTimeFormatter.ISO_INSTANT.format(e.lastUsed().truncatedTo(ChronoUnit.SECONDS)), e.name());
        }
        System.out.printf(Locale.ROOT, "total %s in %s%n", ProgressPrinter.human(total), c.root());
        return 0;
    }
}
