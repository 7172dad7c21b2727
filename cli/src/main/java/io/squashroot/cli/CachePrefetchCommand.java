package io.squashroot.cli;

import io.squashroot.squashfs.NodeCache;
import io.squashroot.squashfs.ReadSettings;
import io.squashroot.squashfs.ReadStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code squashroot cache prefetch IMAGE...}: warms the node-local chunk cache in one sequential pass. */
@Command(name = "prefetch",
        mixinStandardHelpOptions = true,
        description = "Read IMAGE once, sequentially, into the node cache (SQUASHROOT_NODE_CACHE), so the"
                + " containers started from it on this node read nothing more from shared storage."
                + " Chunks already cached and intact are not read again.")
final class CachePrefetchCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "SquashFS image file(s)")
    List<Path> images;

    @Option(names = "--node-cache", paramLabel = "DIR", description = "Node cache directory (default: $SQUASHROOT_NODE_CACHE).")
    Path dir;

    @Option(names = "--size", paramLabel = "SIZE",
            description = "Node cache size limit, e.g. 50G (default: $SQUASHROOT_NODE_CACHE_SIZE or 10G).")
    String size;

    @Override
    public Integer call() throws IOException {
        ReadSettings s = ReadSettings.fromEnvironment();
        Path cacheDir = dir != null ? dir : s.nodeCacheDir();
        if (cacheDir == null) {
            throw new ExitException(2, "cache prefetch: no node cache; set SQUASHROOT_NODE_CACHE=DIR or pass --node-cache DIR");
        }
        long max = size != null ? io.squashroot.fuse.Sizes.parse(size) : s.nodeCacheMaxBytes();
        s = s.withNodeCache(cacheDir, max);
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new java.nio.file.NoSuchFileException(image.toString());
            }
            ReadStats r = NodeCache.prefetch(image, s);
            System.out.printf(Locale.ROOT, "%s: %d chunks fetched (%.1f MiB read), %d already cached%s%n", image,
                    r.nodeMisses(), r.backingBytes() / 1048576.0, r.nodeHits(),
                    r.nodeCorrupt() > 0 ? ", " + r.nodeCorrupt() + " damaged chunks replaced" : "");
        }
        return 0;
    }
}
