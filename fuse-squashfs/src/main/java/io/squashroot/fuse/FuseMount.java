package io.squashroot.fuse;

import io.squashroot.tree.FsTree;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * A tree mounted through FUSE, served by a fixed pool of worker threads in this JVM.
 *
 * <pre>{@code
 * try (FuseMount m = FuseMount.mount(tree, Path.of("/mnt/x"), MountOptions.builder().build())) {
 *     ... // the mount answers here
 * } // unmounted
 * }</pre>
 *
 * <p>{@link #mount} returns only once the kernel has completed the FUSE handshake and a
 * stat of the mountpoint is answered by this tree (its st_dev differs from the directory
 * underneath), so callers can use the path at once. {@link #close} unmounts (fusermount -u as
 * a user, umount as root, lazily if busy) and waits for the workers.
 */
public final class FuseMount implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FuseMount.class.getName());
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final long JOIN_TIMEOUT_MS = 10_000;

    private final Path mountpoint;
    private final FuseSession backend;
    private final List<Thread> workers = new ArrayList<>();
    private final Object lock = new Object();
    private boolean closed;
    private boolean destroyed;

    private FuseMount(Path mountpoint, FuseSession backend) {
        this.mountpoint = mountpoint;
        this.backend = backend;
    }

    /**
     * Mounts {@code tree} at {@code mountpoint} and returns once the mount answers.
     *
     * @throws FuseUnavailableException when libfuse2 or /dev/fuse is missing (one-line advice)
     * @throws IOException              when the mountpoint is unusable or the mount fails
     */
    public static FuseMount mount(FsTree tree, Path mountpoint, MountOptions opts) throws IOException {
        Objects.requireNonNull(tree, "tree");
        checkDevice();
        Path mp = mountpoint.toAbsolutePath().normalize();
        if (MountTable.isStale(mp)) {
            LOG.warning(mp + ": stale FUSE mount (Transport endpoint is not connected); unmounting it first");
            MountTable.unmount(mp, true);
        }
        if (!Files.isDirectory(mp)) {
            throw new IOException(mp + ": mountpoint is not a directory");
        }
        Object devBefore = Files.getAttribute(mp, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        FuseSession backend;
        if (opts.backend().equals(MountOptions.LIBFUSE)) {
            JnrFuseBackend jnr = new JnrFuseBackend(tree, opts.uid(), opts.gid(),
                    !(tree.isReadOnly() && opts.readOnly()));
            jnr.mount(mp, opts.fuseArgs(tree.isReadOnly()));
            backend = jnr;
        } else {
            KernelSession session = new KernelSession(tree, opts);
            session.mount(mp, opts.kernelMountArgs());
            backend = session;
        }
        FuseMount m = new FuseMount(mp, backend);
        for (int i = 0, n = opts.workers(); i < n; i++) {
            Thread t = new Thread(m::serve, "fuse-" + mp.getFileName() + "-" + i);
            t.setDaemon(true);
            m.workers.add(t);
            t.start();
        }
        try {
            m.awaitReady(devBefore);
        } catch (IOException | RuntimeException e) {
            m.closeQuietly();
            throw e;
        }
        return m;
    }

    /** Where the tree is mounted. */
    public Path mountpoint() {
        return mountpoint;
    }

    /** True while at least one worker still serves requests. */
    public boolean isServing() {
        return workers.stream().anyMatch(Thread::isAlive);
    }

    /**
     * Blocks until the mount goes away (unmounted from outside, e.g. {@code squashroot
     * umount}), then frees the session.
     */
    public void awaitUnmount() throws InterruptedException {
        for (Thread t : workers) {
            t.join();
        }
        destroyOnce();
    }

    /** Unmounts (lazily if busy) and stops the workers. Idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        IOException failure = null;
        try {
            if (isServing() && MountTable.isFuseMount(mountpoint)) {
                MountTable.unmountOrDetach(mountpoint);
            }
        } catch (IOException e) {
            failure = e;
        }
        backend.exit();
        boolean allStopped = true;
        for (Thread t : workers) {
            try {
                t.join(JOIN_TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            allStopped &= !t.isAlive();
        }
        // Freeing the session under a worker still inside libfuse would crash the JVM; a
        // lazily detached mount with files still open keeps its workers, so leave it be.
        if (allStopped) {
            destroyOnce();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void destroyOnce() {
        synchronized (lock) {
            if (destroyed) {
                return;
            }
            destroyed = true;
        }
        backend.destroy();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            LOG.warning(e.getMessage());
        }
    }

    private void serve() {
        backend.serve();
    }

    /**
     * The first stat after mount(2) blocks in the kernel until our workers have answered INIT
     * and the root's getattr; a changed st_dev proves the answer came from this mount.
     */
    private void awaitReady(Object devBefore) throws IOException {
        CompletableFuture<Object> dev = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.getAttribute(mountpoint, "unix:dev");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            Object now = dev.get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (now.equals(devBefore)) {
                throw new IOException(mountpoint + ": mount did not appear (st_dev unchanged)");
            }
        } catch (TimeoutException e) {
            throw new IOException(mountpoint + ": mount did not answer within " + READY_TIMEOUT_MS / 1000 + " s");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            throw new IOException(mountpoint + ": mount does not answer: " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(mountpoint + ": interrupted while waiting for the mount");
        }
    }

    /**
     * Checks that this machine can mount through FUSE (libfuse2 loadable, /dev/fuse usable)
     * without mounting anything, so a command can fail early with one line of advice.
     */
    public static void checkAvailable() throws FuseUnavailableException {
        checkDevice();
        if (MountOptions.defaultBackend().equals(MountOptions.LIBFUSE)) {
            JnrFuseBackend.library();
        } else {
            DevFuse.load();
        }
    }

    /**
     * Does, without mounting, the one-time work of a first mount in this JVM: loads libfuse and
     * the session's classes (with the libfuse backend also binds every callback: jnr-ffi
     * generates a class per callback signature, tens of milliseconds that a container start
     * would otherwise wait for). Best effort; a later mount reports any problem.
     */
    public static void warmUp() {
        try {
            checkAvailable();
            if (MountOptions.defaultBackend().equals(MountOptions.LIBFUSE)) {
                new JnrFuseBackend(WarmTree.INSTANCE, -1, -1, true);
            } else {
                new KernelSession(WarmTree.INSTANCE, MountOptions.builder().build());
            }
        } catch (FuseUnavailableException | RuntimeException | LinkageError e) {
            // the real mount reports it
        }
    }

    /** /dev/fuse must exist and be usable by this user before libfuse tries (its errors are cryptic). */
    public static void checkDevice() throws FuseUnavailableException {
        Path dev = Path.of(System.getProperty("squashroot.fusedev", "/dev/fuse"));
        if (!Files.exists(dev)) {
            throw new FuseUnavailableException(dev + " does not exist: load the fuse kernel module (modprobe fuse)"
                    + " or, in a container, pass the device in (--device /dev/fuse)");
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            throw new FuseUnavailableException(dev + " is not readable and writable by this user: make it mode 0666"
                    + " (chmod 0666 " + dev + ") or run as root");
        }
    }
}
