package io.squashroot.cli;

import io.squashroot.tree.FsTree;
import io.squashroot.overlay.ImageLayers;
import io.squashroot.squashfs.BlockCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        ImageLayers stack = ImageLayers.open(layers, upper, BlockCache.create(s.cacheBytes()), s.prefetchBlocks());
        return new MountCommand.OpenTree() {
            @Override
            public FsTree tree() {
                return stack.overlay();
            }

            @Override
            public void close() throws IOException {
                stack.close();
            }
        };
    }
}
