package io.squashroot.cli;

import io.squashroot.tree.FsTree;
import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import io.squashroot.fuse.MountTable;
import io.squashroot.fuse.SquashfsTree;
import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.SquashfsImage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code squashroot mount IMAGE MOUNTPOINT}: serves an image read-only through FUSE.
 *
 * <p>By default the command starts a detached server JVM (the same command with
 * {@code --foreground}) and returns once the mount answers; the server exits when the mount is
 * unmounted, and SIGINT/SIGTERM make it unmount first. The tree to serve comes from
 * {@link #openTree}, the one place a variant of this command (layers, an upper directory)
 * needs to change.
 */
@Command(name = "mount",
        mixinStandardHelpOptions = true,
        description = {"Mount a SquashFS image read-only through FUSE (no root needed).",
                "Returns once the mount answers; the server runs in the background until"
                        + " 'squashroot umount MOUNTPOINT'."},
        footer = {"", "Mount options (-o, comma-separated; squashfuse's spelling where it has one):",
                "  uid=N,gid=N      owner shown for every file (default: as stored when",
                "                   root, the calling user otherwise)",
                "  allow_other      let other users in (user_allow_other in /etc/fuse.conf)",
                "  cache_size=SIZE  decoded-block cache, e.g. 256M (default 64M)",
                "  prefetch=N       blocks decoded ahead of a sequential reader (default 4;",
                "                   0 below 4 CPUs, where the workers already use them all)",
                "  threads=N        request worker threads (default: one per CPU, 2..16; with",
                "                   --upper only one waits for requests while they are quick)",
                "  entry_timeout=S  attr_timeout=S  kernel cache lifetimes (default 86400)",
                "  nokernel_cache  readahead=SIZE  fsname=NAME  subtype=NAME",
                "  nowriteback_cache  with --upper: write through to the upper layer at each",
                "                   write(2) instead of letting the kernel gather writes (default:",
                "                   gathered; SQUASHROOT_FUSE_WRITEBACK=0 changes the default)",
                "  backend=kernel|libfuse  our own FUSE protocol session (default), or libfuse2's",
                "                   loop through jnr-fuse (SQUASHROOT_FUSE_BACKEND)"})
public class MountCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "SquashFS image file")
    Path image;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "existing directory to mount on")
    Path mountpoint;

    @Option(names = "--foreground", description = "Serve in this process until unmounted or interrupted.")
    boolean foreground;

    @Option(names = "-o", paramLabel = "OPTIONS", split = ",", description = "Mount options (see below).")
    List<String> options = new ArrayList<>();

    @Option(names = "--upper", paramLabel = "DIR", description = {"Mount IMAGE writable: a copy-on-write overlay whose"
            + " changes land in DIR (an existing directory; docs/overlay-format.md)."})
    Path upper;

    @Option(names = "--lower", paramLabel = "IMAGE|DIR", description = {"A read-only layer below IMAGE: an image or a"
            + " directory. Repeat for more, topmost first. Needs --upper."})
    List<Path> lowers = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final long DEFAULT_CACHE_BYTES = 64L << 20;
    /**
     * Readahead decodes on threads of its own, which pays only when cores are left over: on 2
     * cores the hand-over between prefetch and request threads cost a fifth more server CPU
     * than the workers decoding on demand (docs/benchmarks.md).
     */
    static final int DEFAULT_PREFETCH = Runtime.getRuntime().availableProcessors() >= 4 ? 4 : 0;

    /** What {@link #openTree} needs besides the FUSE options. */
    protected record TreeSettings(long cacheBytes, int prefetchBlocks) {
    }

    /** JVM uptime when the command began (after JVM start and picocli), for the server's log. */
    private long startedAtMs;

    @Override
    public Integer call() throws IOException, InterruptedException {
        startedAtMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        Path mp = mountpoint.toAbsolutePath().normalize();
        OverlayLayers.check(this);
        List<String> fuseOpts = new ArrayList<>();
        // The kernel keeps file pages (kernel_cache); this cache only has to hold blocks that
        // several requests share (fragments, 4 KiB random reads of one block), so it stays small
        // and the server's heap with it (a bigger one mostly buys garbage-collection work).
        long cacheBytes = DEFAULT_CACHE_BYTES;
        int prefetch = DEFAULT_PREFETCH;
        for (String o : options) {
            if (o.startsWith("cache_size=")) {
                cacheBytes = io.squashroot.fuse.Sizes.parse(o.substring("cache_size=".length()));
            } else if (o.startsWith("prefetch=")) {
                prefetch = parseCount("prefetch", o.substring("prefetch=".length()), 256);
            } else {
                fuseOpts.add(o);
            }
        }
        MountOptions opts = MountOptions.parse(String.join(",", fuseOpts), defaults(mp));
        StaleMounts.recover(mp);
        if (!Files.isDirectory(mp)) {
            throw new ExitException(1, mp + ": mountpoint is not a directory");
        }
        if (MountTable.isFuseMount(mp)) {
            throw new ExitException(1, mp + ": already mounted (squashroot umount " + mp + " first)");
        }
        TreeSettings settings = new TreeSettings(cacheBytes, prefetch);
        if (!foreground) {
            FuseMount.checkDevice(); // libfuse and the image are checked by the server, whose
            // one-line complaint start() repeats: opening them here too would only slow the start
            if (!Files.isReadable(image)) {
                throw new ExitException(1, image + ": cannot read the image");
            }
            return MountDaemon.start(spec.root().commandLine().getParseResult().originalArgs(), mp,
                    cacheBytes + (160L << 20));
        }
        FuseMount.checkAvailable();
        return serve(settings, mp, opts);
    }

    private MountOptions defaults(Path mp) {
        MountOptions.Builder b = MountOptions.builder().fsname(image.toAbsolutePath().toString());
        if (upper != null) {
            return b.readOnly(false).build(); // the overlay shows the owners it stores, recorded ones too
        }
        long[] me = MountTable.processOwner();
        if (me[0] != 0 && me[0] >= 0) {
            b.owner(me[0], me[1]); // unprivileged: the image appears as the caller's own files
        }
        return b.build();
    }

    private static int parseCount(String key, String v, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n < 0 || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mount option " + key + "=" + v + ": must be 0.." + max);
        }
    }

    /** A tree to mount and what to close after it is unmounted. */
    protected interface OpenTree extends Closeable {
        FsTree tree();

        /** The image whose read metrics the server publishes (squashroot stats), or null. */
        default SquashfsImage image() {
            return null;
        }
    }

    /** Opens the tree this command serves; subclasses or later options may build another. */
    protected OpenTree openTree(TreeSettings s) throws IOException {
        if (upper != null) {
            return OverlayLayers.open(image, lowers, upper, s);
        }
        SquashfsImage img = SquashfsImage.open(image, BlockCache.create(s.cacheBytes()));
        // Two decoders and a bounded queue: readahead is a hint, so work that does not fit is
        // refused (the tree takes the refusal back and lets the reader decode the block).
        java.util.concurrent.ExecutorService pool = s.prefetchBlocks() == 0 ? null
                : new java.util.concurrent.ThreadPoolExecutor(2, 2, 0, java.util.concurrent.TimeUnit.SECONDS,
                        new java.util.concurrent.ArrayBlockingQueue<>(256), r -> {
                            Thread t = new Thread(r, "prefetch");
                            t.setDaemon(true);
                            return t;
                        }, new java.util.concurrent.ThreadPoolExecutor.AbortPolicy());
        SquashfsTree tree = new SquashfsTree(img, pool == null ? Runnable::run : pool, s.prefetchBlocks());
        return new OpenTree() {
            @Override
            public FsTree tree() {
                return tree;
            }

            @Override
            public SquashfsImage image() {
                return img;
            }

            @Override
            public void close() throws IOException {
                if (pool != null) {
                    pool.shutdownNow();
                }
                img.close();
            }
        };
    }

    private int serve(TreeSettings settings, Path mp, MountOptions opts) throws IOException, InterruptedException {
        try (OpenTree t = openTree(settings)) {
            FuseMount m = FuseMount.mount(t.tree(), mp, opts);
            Thread hook = new Thread(() -> {
                try {
                    m.close();
                } catch (IOException e) {
                    System.err.println("squashroot: " + e.getMessage());
                }
            }, "unmount-on-exit");
            Runtime.getRuntime().addShutdownHook(hook);
            MountStats stats = t.image() == null ? null : MountStats.start(mp, image, t.image());
            MountDaemon.markReady(mp);
            if (System.getenv(MountDaemon.DAEMON_ENV) != null) {
                // Goes to the server's log only: the figure the benchmarks quote.
                long now = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
                System.err.println("info: " + mp + " answering " + now + " ms after JVM start, "
                        + (now - startedAtMs) + " ms after the mount command began");
            }
            try {
                m.awaitUnmount();
            } finally {
                if (stats != null) {
                    stats.close();
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already unmounting
            }
        }
        return 0;
    }
}
