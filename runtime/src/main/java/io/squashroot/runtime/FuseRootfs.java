package io.squashroot.runtime;

import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import io.squashroot.overlay.IdMap;
import io.squashroot.overlay.ImageLayers;
import io.squashroot.overlay.Overlay;
import io.squashroot.squashfs.BlockCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuse mode: the image read in place ({@link SquashfsTree}) under a copy-on-write
 * {@link Overlay} whose upper layer is {@code upper}, served by {@link FuseMount} from this JVM at
 * {@code mountpoint}, outside the container's mount namespace (a FUSE server inside the
 * container's root would deadlock on its own mount).
 *
 * <p>Ownership: with the single mapping ({@link NamespaceIds#single}), an ordinary user's mount
 * presents every node as owned by that user (as enroot's squashfuse {@code -o uid=,gid=}), which
 * the container's user namespace shows as root, or as the user itself without --root. With a
 * subordinate range the overlay serves every owner through the namespace's {@link IdMap}
 * instead, and the mount has allow_other (with default_permissions, so the kernel checks modes)
 * so the container's other users reach their files. Root's mount keeps the image's owners.
 */
final class FuseRootfs {
    /** Data blocks decoded ahead of a sequential reader. */
    static final int READAHEAD_BLOCKS = 4;

    private FuseRootfs() {
    }

    /**
     * Initialises, on a daemon thread, what a fuse-mode start needs later and is slow the first
     * time (Caffeine's set-up, zstd-jni's library, jffi for the overlay's libc calls, the libfuse
     * binding, whose jnr-ffi code is generated at run time), so that work overlaps the
     * command-line parsing and the image opening instead of following them. Harmless if the
     * start turns out not to need them. One thread: a second one for the libfuse binding
     * measured no gain on two CPUs (docs/benchmarks.md, "Container start").
     */
    static void prewarm() {
        Thread t = new Thread(FuseRootfs::warm, "squashroot-prewarm");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The set-up {@link #prewarm} runs, in the calling thread: the shared block cache (Caffeine's
     * set-up), zstd-jni's library, the overlay's libc calls and libfuse (loaded, its callbacks
     * bound, nothing mounted). The class-data-sharing training run calls it so that the classes
     * involved are archived too.
     */
    static void warm() {
        try {
            // in the order the start needs them: the image is opened (into the cache) before
            // the overlay's first host call, the mount comes last
            Trace.mark("prewarm: started");
            BlockCache.shared();
            Trace.mark("prewarm: block cache");
            // zstd-jni loads its native library when first used: the image's first metadata block
            // (most images are zstd) would otherwise wait ~7 ms for it on the start's main thread
            Class.forName("com.github.luben.zstd.ZstdDecompressCtx", true, FuseRootfs.class.getClassLoader());
            Trace.mark("prewarm: zstd");
            Class.forName("io.squashroot.overlay.Libc", true, FuseRootfs.class.getClassLoader());
            Trace.mark("prewarm: libc");
            FuseMount.warmUp();
            Trace.mark("prewarm: libfuse");
        } catch (Throwable e) {
            // the real use reports it
        }
    }

    static Rootfs mount(Path image, Path upper, Path mountpoint, IdMap ids) throws IOException {
        return mountLayers(List.of(image), image.toString(), upper, mountpoint, ids);
    }

    /**
     * Several images as the overlay's lowers, topmost first (an imported image's layer images
     * from the layer cache, configuration layer on top), read in place like a single image.
     */
    static Rootfs mountLayers(List<Path> lowersTopFirst, String fsname, Path upper, Path mountpoint, IdMap ids)
            throws IOException {
        Files.createDirectories(upper);
        Files.createDirectories(mountpoint);
        ImageLayers layers = ImageLayers.open(lowersTopFirst, upper, BlockCache.shared(), READAHEAD_BLOCKS, ids);
        try {
            Overlay overlay = layers.overlay();
            Trace.mark("overlay opened");
            MountOptions.Builder opts = MountOptions.builder().readOnly(false)
                    .fsname(fsname).subtype("squashroot");
            int uid = HostIds.uid();
            if (!ids.isIdentity()) {
                opts.allowOther(true);
            } else if (uid != 0) {
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
                        layers.close();
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            layers.close();
            throw e;
        }
    }
}
