package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** Turns layer tars into SquashFS layer images and layer images into one flat image. */
interface LayerConverter {

    /**
     * Converts one layer blob (plain, gzip or zstd tar) into a layer image at {@code target}
     * (a name that does not exist yet), whiteouts in overlay form (char 0:0, opaque xattr).
     */
    void convertLayer(InputStream layerBlob, Path target) throws IOException;

    /** Writes the flat image of {@code layersLowestFirst} to {@code target}, whiteouts applied. */
    void flatten(List<Path> layersLowestFirst, Path target) throws IOException;

    /** What besides the layers decides the flat image's bytes (squash options, timestamps): part of its cache key. */
    String flatOptions();
}
