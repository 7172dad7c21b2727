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
 * @param lastStart null when never started
 */
public record ContainerRecord(String name, MountMode mode, Path image, String digest, long imageSize,
                              long imageMtimeMillis, Instant created, Instant lastStart) {

    public ContainerRecord withLastStart(Instant t) {
        return new ContainerRecord(name, mode, image, digest, imageSize, imageMtimeMillis, created, t);
    }

    /** When the container was last used: its last start, or its creation. */
    public Instant lastUsed() {
        return lastStart != null ? lastStart : created;
    }
}
