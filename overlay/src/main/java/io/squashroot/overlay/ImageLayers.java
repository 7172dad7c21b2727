package io.squashroot.overlay;

import io.squashroot.tree.FsTree;
import io.squashroot.fuse.SquashfsTree;
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
 * An {@link Overlay} over lower layers given as paths, topmost first: a SquashFS image is read
 * in place ({@link SquashfsTree}), a directory is served as it is ({@link DirectoryTree}). Every
 * image shares one block cache and one small prefetch pool, so 40 layers cost what one does.
 * Closing it closes the images and the pool; the caller unmounts first.
 *
 * <p>Used by both {@code squashroot mount --upper} and the runtime's fuse mode, which is why it
 * lives beside the overlay rather than in either of them.
 */
public final class ImageLayers implements AutoCloseable {
    private final Overlay overlay;
    private final List<SquashfsImage> images;
    private final ExecutorService prefetch;

    private ImageLayers(Overlay overlay, List<SquashfsImage> images, ExecutorService prefetch) {
        this.overlay = overlay;
        this.images = images;
        this.prefetch = prefetch;
    }

    /**
     * Opens the lowers and the overlay over {@code upper}.
     *
     * @param prefetchBlocks data blocks decoded ahead of a sequential reader
     */
    public static ImageLayers open(List<Path> lowersTopFirst, Path upper, BlockCache cache, int prefetchBlocks)
            throws IOException {
        return open(lowersTopFirst, upper, cache, prefetchBlocks, IdMap.identity());
    }

    /** As above, for a container whose user namespace maps ids by {@code ids} ({@link Overlay#open(List, Path, IdMap)}). */
    public static ImageLayers open(List<Path> lowersTopFirst, Path upper, BlockCache cache, int prefetchBlocks,
                                   IdMap ids) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "squashroot-prefetch");
            t.setDaemon(true);
            return t;
        });
        List<SquashfsImage> images = new ArrayList<>();
        try {
            List<FsTree> trees = new ArrayList<>();
            for (Path p : lowersTopFirst) {
                if (Files.isDirectory(p)) {
                    trees.add(DirectoryTree.of(p));
                } else {
                    SquashfsImage img = SquashfsImage.open(p, cache);
                    images.add(img);
                    trees.add(new SquashfsTree(img, pool, prefetchBlocks));
                }
            }
            return new ImageLayers(Overlay.open(trees, upper, ids), images, pool);
        } catch (IOException | RuntimeException e) {
            closeAll(pool, images);
            throw e;
        }
    }

    /** The writable tree to mount. */
    public Overlay overlay() {
        return overlay;
    }

    @Override
    public void close() throws IOException {
        closeAll(prefetch, images);
    }

    private static void closeAll(ExecutorService pool, List<SquashfsImage> images) throws IOException {
        pool.shutdownNow();
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
