package io.squashroot.cli;

/** {@code create} given an image URI instead of a .sqsh: the default container name. */
final class ImageUris {
    private ImageUris() {
    }

    /** enroot's default container name for an image: its default file name without .sqsh. */
    static String containerName(String uri) {
        String n = ImportCommand.defaultName(uri);
        return n.endsWith(".sqsh") ? n.substring(0, n.length() - 5) : n;
    }
}
