package io.squashroot.cli;

import io.squashroot.fuse.FsTree;
import io.squashroot.fuse.SquashfsTree;
import io.squashroot.overlay.DirectoryTree;
import io.squashroot.overlay.Overlay;
import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The tree {@code squashroot mount IMAGE MOUNTPOINT --upper DIR [--lower IMAGE|DIR]...} serves:
 * IMAGE topmost, each --lower below it in order, under the writable DIR. Every image layer
 * shares one block cache and one prefetch pool, so 40 layers cost what one does.
 */
final class OverlayLayers {
    private OverlayLayers() {
    }

    static void check(MountCommand c) {
        if (c.upper == null && !c.lowers.isEmpty()) {
            throw new ExitException(2, "--lower needs --upper (a read-only mount serves one image)");
        }
        if (c.upper != null && !Files.isDirectory(c.upper)) {
            throw new ExitException(1, c.upper + ": upper directory does not exist");
        }
    }

    static MountCommand.OpenTree open(Path top, List<Path> below, Path upper, MountCommand.TreeSettings s)
            throws IOException {
        List<Path> layers = new ArrayList<>();
        layers.add(top);
        layers.addAll(below);
        BlockCache cache = BlockCache.create(s.cacheBytes());
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "prefetch");
            t.setDaemon(true);
            return t;
        });
        List<SquashfsImage> images = new ArrayList<>();
        try {
            List<FsTree> trees = new ArrayList<>();
            for (Path p : layers) {
                if (Files.isDirectory(p)) {
                    trees.add(DirectoryTree.of(p));
                } else {
                    SquashfsImage img = SquashfsImage.open(p, cache);
                    images.add(img);
                    trees.add(new SquashfsTree(img, pool, s.prefetchBlocks()));
                }
            }
            Overlay overlay = Overlay.open(trees, upper);
            return new MountCommand.OpenTree() {
                @Override
                public FsTree tree() {
                    return overlay;
                }

                @Override
                public void close() throws IOException {
                    pool.shutdownNow();
                    closeAll(images);
                }
            };
        } catch (IOException | RuntimeException e) {
            pool.shutdownNow();
            closeAll(images);
            throw e;
        }
    }

    private static void closeAll(List<SquashfsImage> images) throws IOException {
        IOException first = null;
        for (SquashfsImage img : images) {
            try {
                img.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
