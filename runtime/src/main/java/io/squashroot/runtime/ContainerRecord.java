package io.squashroot.runtime;

import io.squashroot.runtime.config.MountMode;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What squashroot remembers about a named container (in
 * {@code $ENROOT_DATA_PATH/.squashroot/NAME.properties}, beside enroot's rootfs directories):
 * the image it was made from, that image's digest and size/mtime stamp at creation, its mount
 * mode, and when it was created and last started.
 *
 * <p>A fuse-mode container created from an image URI ({@code docker://...}) has no image file:
 * {@code source} is the URI, {@code image} its pin in the layer cache (which names the layer
 * images it starts from), {@code digest} the image's manifest digest, and the stamp is -1.
 *
 * @param lastStart null when never started
 * @param source    the image URI of a layered container, null for one made from a .sqsh file
 */
public record ContainerRecord(String name, MountMode mode, Path image, String digest, long imageSize,
                              long imageMtimeMillis, Instant created, Instant lastStart, String source) {

    public ContainerRecord withLastStart(Instant t) {
        return new ContainerRecord(name, mode, image, digest, imageSize, imageMtimeMillis, created, t, source);
    }

    /** True for a container that starts from cached layer images rather than an image file. */
    public boolean layered() {
        return source != null;
    }

    /** When the container was last used: its last start, or its creation. */
    public Instant lastUsed() {
        return lastStart != null ? lastStart : created;
    }
}
