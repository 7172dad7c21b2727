package io.squashroot.runtime;

import java.io.IOException;
import java.nio.file.Path;

/** Fuse mode: the image read in place under a copy-on-write overlay, served from this JVM. */
final class FuseRootfs {
    private FuseRootfs() {
    }

    static Rootfs mount(Path image, Path upper, Path mountpoint) throws IOException {
        throw new IOException(image + ": fuse mount mode is not available in this build yet; use --mount-mode=extract");
    }
}
