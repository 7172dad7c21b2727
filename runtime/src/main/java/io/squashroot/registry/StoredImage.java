package io.squashroot.registry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An image in the layer cache, ready to mount: its layer images and the configuration layer
 * (enroot's /etc/rc, rc.local, fstab, environment) that goes on top of them.
 *
 * @param reference         the canonical reference it was imported as
 * @param manifest          the manifest digest
 * @param config            the parsed image config
 * @param configJson        the verified config blob in the cache
 * @param layersLowestFirst one SquashFS layer image per layer, base layer first
 * @param rcLayer           the configuration layer, to be stacked above every image layer
 */
public record StoredImage(String reference, Digest manifest, ImageConfig config, Path configJson,
                          List<Path> layersLowestFirst, Path rcLayer) {

    public StoredImage {
        layersLowestFirst = List.copyOf(layersLowestFirst);
    }

    /** All lowers in overlayfs {@code lowerdir=} order: the configuration layer first, base last. */
    public List<Path> lowersTopFirst() {
        List<Path> out = new ArrayList<>(layersLowestFirst);
        out.add(rcLayer);
        Collections.reverse(out);
        return out;
    }
}
