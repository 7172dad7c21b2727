package io.squashroot.cli;

import io.squashroot.registry.ImageStore;
import io.squashroot.registry.Platform;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code create} and {@code start} given an image URI instead of a .sqsh: the image comes from
 * the layer cache (imported first if it is not there), as the cached flat image.
 */
final class ImageUris {
    private ImageUris() {
    }

    static Path flatImage(String uri) throws IOException {
        return ImageStore.open(RegistryCommands.settings()).flatImage(uri, Platform.host(), ProgressPrinter.forStderr());
    }

    /** enroot's default container name for an image: its default file name without .sqsh. */
    static String containerName(String uri) {
        String n = ImportCommand.defaultName(uri);
        return n.endsWith(".sqsh") ? n.substring(0, n.length() - 5) : n;
    }
}
