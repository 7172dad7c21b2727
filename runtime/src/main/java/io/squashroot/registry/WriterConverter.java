package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** Layer conversion with the project's SquashFS writer (io.squashroot.squashfs.write). */
final class WriterConverter implements LayerConverter {

    @Override
    public void convertLayer(InputStream layerBlob, Path target) throws IOException {
        throw new IOException("layer conversion is not available in this build (SquashFS writer missing)");
    }

    @Override
    public void flatten(List<Path> layersLowestFirst, Path target) throws IOException {
        throw new IOException("flattening is not available in this build (SquashFS writer missing)");
    }
}
