package io.squashroot.runtime;

import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import io.squashroot.fuse.SquashfsTree;
import io.squashroot.overlay.Overlay;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fuse mode: the image read in place ({@link SquashfsTree}) under a copy-on-write
 * {@link Overlay} whose upper layer is {@code upper}, served by {@link FuseMount} from this JVM at
 * {@code mountpoint}, outside the container's mount namespace (a FUSE server inside the
 * container's root would deadlock on its own mount).
 *
 * <p>Ownership: mounted by an ordinary user, every node is presented as owned by that user
 * (as enroot's squashfuse {@code -o uid=,gid=}), which the container's user namespace shows as
 * root, or as the user itself without --root. Root's mount keeps the image's owners.
 */
final class FuseRootfs {
    /** Data blocks decoded ahead of a sequential reader. */
    private static final int READAHEAD_BLOCKS = 4;

    private FuseRootfs() {
    }

    static Rootfs mount(Path image, Path upper, Path mountpoint) throws IOException {
        Files.createDirectories(upper);
        Files.createDirectories(mountpoint);
        SquashfsImage img = SquashfsImage.open(image);
        ExecutorService prefetch = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "squashroot-prefetch");
            t.setDaemon(true);
            return t;
        });
        try {
            SquashfsTree lower = new SquashfsTree(img, prefetch, READAHEAD_BLOCKS);
            Overlay overlay = Overlay.open(List.of(lower), upper);
            MountOptions.Builder opts = MountOptions.builder().readOnly(false)
                    .fsname(image.toString()).subtype("squashroot");
            int uid = HostIds.uid();
            if (uid != 0) {
                opts.owner(uid, HostIds.gid());
            }
            FuseMount mount = FuseMount.mount(overlay, mountpoint, opts.build());
            return new Rootfs() {
                @Override
                public Path path() {
                    return mountpoint;
                }

                @Override
                public void close() throws IOException {
                    try {
                        mount.close();
                    } finally {
                        prefetch.shutdownNow();
                        img.close();
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            prefetch.shutdownNow();
            img.close();
            throw e;
        }
    }
}
