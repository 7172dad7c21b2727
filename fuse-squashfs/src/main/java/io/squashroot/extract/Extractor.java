package io.squashroot.extract;

import io.squashroot.host.FileWrites;
import io.squashroot.squashfs.CorruptImageException;
import io.squashroot.squashfs.DirEntry;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import io.squashroot.host.HostPaths;
import io.squashroot.tree.NameBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Extracts a whole image into a directory with N worker threads, restoring what unsquashfs
 * restores: content (sparse files stay sparse), mode, owner (as root; the caller otherwise),
 * mtime, symlinks, hard links, device nodes, FIFOs and sockets (when permitted, otherwise
 * counted), and xattrs (when permitted, otherwise counted).
 *
 * <p>Why it is safe on hostile images: one thread walks the tree and creates every directory
 * itself, so every parent of an output path is a real directory this extraction made (or, with
 * {@code force}, one it checked with {@code NOFOLLOW_LINKS}); names that could step outside
 * ({@code /}, {@code .}, {@code ..}, empty, NUL) are refused; files are opened with
 * {@code CREATE_NEW} and {@code NOFOLLOW_LINKS}; a directory seen twice (a cycle) is an error;
 * symlinks are created but never followed. Workers only fill in files and special nodes, and
 * directory metadata is applied last, deepest first, so read-only directories do not block
 * their own contents.
 *
 * <p>Names keep their exact bytes under any locale, valid UTF-8 or not: output paths are built
 * with {@link HostPaths} (java.nio paths made from bytes) and libc gets byte paths, so nothing
 * goes through the JVM's file-name charset.
 */
public final class Extractor {
    /** Work items queued ahead of the workers: bounds memory on images with millions of files. */
    private static final int MAX_QUEUED = 4096;
    /** Linux PATH_MAX 4096 holds at most 2048 one-character components. */
    private static final int MAX_DEPTH = 2048;

    private static final java.util.Set<java.nio.file.OpenOption> CREATE_FILE = java.util.Set.of(
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

    private final int threads;
    private final boolean force;

    private Extractor(int threads, boolean force) {
        this.threads = threads;
        this.force = force;
    }

    /**
     * @param threads worker threads (≥ 1)
     * @param force overwrite existing files and extract into a non-empty directory
     */
    public static Extractor create(int threads, boolean force) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return new Extractor(threads, force);
    }

    /** Extracts all of {@code image} into {@code dir}, created if missing. */
    public ExtractReport extract(SquashfsImage image, Path dir) throws IOException {
        Destination dest = new Destination(force);
        Path root = dest.prepare(dir);
        return new Run(image, root, dest).run();
    }

    /** One extraction: counters, the worker pool, deferred hard links and directory metadata. */
    private final class Run {
        private final SquashfsImage image;
        private final Path root;
        private final Destination dest;
        private final boolean isRoot;
        private final ExecutorService pool;
        /**
         * One writer thread: the N workers only read and decode, and hand each decoded block to
         * it, as unsquashfs' N decompressors hand blocks to its writer thread; it also closes
         * files and applies owner, mode, xattrs and times, in the order it was given them.
         */
        private final ExecutorService finisher;
        /** Decoded-block buffers cycling between workers and the writer; their number bounds memory. */
        private final java.util.concurrent.BlockingQueue<ByteBuffer> buffers;
        private final ReadAhead readAhead;
        private final Semaphore queued = new Semaphore(MAX_QUEUED);
        private final AtomicReference<IOException> failure = new AtomicReference<>();
        private final LongAdder files = new LongAdder();
        private final LongAdder symlinks = new LongAdder();
        private final LongAdder specials = new LongAdder();
        private final LongAdder bytes = new LongAdder();
        private final LongAdder skippedSpecial = new LongAdder();
        private final LongAdder skippedXattrs = new LongAdder();
        private long directories;
        private long hardLinks;
        private final Map<Long, Path> firstPath = new HashMap<>();
        private final List<Path[]> links = new ArrayList<>();
        private final List<Object[]> dirMeta = new ArrayList<>();
        private final Set<Long> seenDirs = new HashSet<>();
        /** Paths of special files that could not be created: their hard links are skipped too. */
        private final Set<Path> skipped = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Run(SquashfsImage image, Path root, Destination dest) throws IOException {
            this.image = image;
            this.root = root;
            this.dest = dest;
            // Load libc here, not in a worker: an interrupt during the native stub's unpacking
            // (a failing run's shutdownNow) would leave the class unusable for the JVM's life.
            Posix.libc();
            this.isRoot = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
            this.pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "extract");
                t.setDaemon(true);
                return t;
            });
            this.finisher = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "extract-finish");
                t.setDaemon(true);
                return t;
            });
            int bufferCount = threads * 4 + 4;
            this.buffers = new java.util.concurrent.ArrayBlockingQueue<>(bufferCount);
            for (int i = 0; i < bufferCount; i++) {
                buffers.add(ByteBuffer.allocateDirect(image.superblock().blockSize()));
            }
            this.readAhead = ReadAhead.start(Path.of(image.name()), image.superblock().inodeTableStart());
        }

        ExtractReport run() throws IOException {
            try {
                seenDirs.add(image.root().ref());
                walk(image.root(), root, 0);
            } catch (IOException | RuntimeException e) {
                readAhead.stop();
                pool.shutdownNow();
                awaitPool(pool);
                finisher.shutdownNow();
                awaitPool(finisher);
                throw e;
            }
            readAhead.stop();
            pool.shutdown();
            awaitPool(pool);
            finisher.shutdown();
            awaitPool(finisher);
            IOException f = failure.get();
            if (f != null) {
                throw f;
            }
            for (Path[] l : links) {
                if (skipped.contains(l[1])) {
                    skippedSpecial.increment();
                    continue;
                }
                dest.replaceable(l[0]);
                Files.createLink(l[0], l[1]);
            }
            for (int i = dirMeta.size() - 1; i >= 0; i--) {
                Object[] m = dirMeta.get(i);
                restore((Path) m[0], (Inode) m[1]);
            }
            restore(root, image.root());
            return new ExtractReport(directories, files.sum(), symlinks.sum(), hardLinks, specials.sum(), bytes.sum(),
                    skippedSpecial.sum(), skippedXattrs.sum());
        }

        private void awaitPool(ExecutorService pool) throws IOException {
            try {
                while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    // keep waiting: workers finish or fail on their own
                }
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("extraction interrupted");
            }
        }

        private void walk(Inode.Directory dir, Path path, int depth) throws IOException {
            if (depth > MAX_DEPTH) {
                throw new CorruptImageException(image.name() + ": directory inode " + dir.number() + " is nested "
                        + depth + " levels deep; no path that deep fits in PATH_MAX");
            }
            byte[] previous = null;
            for (DirEntry e : image.list(dir)) {
                if (failure.get() != null) {
                    return;
                }
                // Sorted and unique (§9.4). A repeated name could make a symlink replace a directory
                // this walk already created and is filling, and lead later writes outside DIR.
                if (previous != null && java.util.Arrays.compareUnsigned(previous, e.nameBytes()) >= 0) {
                    throw new CorruptImageException(image.name() + ": directory inode " + dir.number() + ": entry '"
                            + e.name() + "' is out of order or repeated");
                }
                previous = e.nameBytes();
                checkName(e);
                Path child = HostPaths.child(path, e.nameBytes());
                if (!child.getParent().equals(path)) {
                    throw new CorruptImageException(image.name() + ": directory entry '" + e.name() + "' of inode "
                            + dir.number() + " is not a plain name");
                }
                Inode inode = image.inode(e);
                if (inode instanceof Inode.Directory sub) {
                    if (!seenDirs.add(sub.ref())) {
                        throw new CorruptImageException(image.name() + ": directory entry '" + e.name() + "' of inode "
                                + dir.number() + " refers back to directory inode " + sub.number() + " (a cycle)");
                    }
                    dest.makeDirectory(child);
                    directories++;
                    dirMeta.add(new Object[] {child, sub});
                    walk(sub, child, depth + 1);
                    continue;
                }
                if (inode.linkCount() > 1) {
                    Path first = firstPath.putIfAbsent(inode.ref(), child);
                    if (first != null) {
                        links.add(new Path[] {child, first});
                        hardLinks++;
                        continue;
                    }
                }
                submit(child, inode);
            }
        }

        /** Refuses names that are not one plain path component. */
        private void checkName(DirEntry e) throws CorruptImageException {
            byte[] b = e.nameBytes();
            if (b.length == 0 || (b.length == 1 && b[0] == '.') || (b.length == 2 && b[0] == '.' && b[1] == '.')) {
                throw new CorruptImageException(image.name() + ": directory entry name '" + e.name() + "' is not allowed");
            }
            for (byte c : b) {
                if (c == '/' || c == 0) {
                    throw new CorruptImageException(image.name() + ": directory entry name contains '/' or NUL");
                }
            }
        }

        private void submit(Path path, Inode inode) throws IOException {
            try {
                queued.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("extraction interrupted");
            }
            if (inode instanceof Inode.RegularFile f) {
                readAhead.reached(f.blocksStart());
            }
            pool.execute(() -> {
                boolean handedOff = false;
                try {
                    if (failure.get() == null) {
                        handedOff = create(path, inode);
                    }
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, new IOException(show(path) + ": " + e, e));
                } finally {
                    if (!handedOff) {
                        queued.release();
                    }
                }
            });
        }

        /** Queues work for the writer thread; the permit of this entry is released after it. */
        private void finish(Path path, Inode inode, FileChannel toClose, boolean modeSet) {
            finisher.execute(() -> {
                try {
                    if (toClose != null) {
                        toClose.close();
                    }
                    if (failure.get() == null) {
                        restore(path, inode, modeSet);
                    }
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, new IOException(show(path) + ": " + e, e));
                } finally {
                    queued.release();
                }
            });
        }

        /** Hands a worker's decoded blocks of one file to the writer thread. */
        private final class Blocks implements io.squashroot.squashfs.BlockWriter {
            private final FileChannel out;

            Blocks(FileChannel out) {
                this.out = out;
            }

            @Override
            public ByteBuffer take(int capacity) throws IOException {
                try {
                    return buffers.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("extraction interrupted");
                }
            }

            @Override
            public void write(ByteBuffer data, long position) {
                finisher.execute(() -> {
                    try {
                        if (failure.get() == null) {
                            FileWrites.writeFully(out, data, position);
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        buffers.add(data.clear());
                    }
                });
            }
        }

        /**
         * Creates the node; a file's blocks go to the writer thread. True when the rest (closing,
         * metadata, the permit) has been handed to the writer.
         */
        private boolean create(Path path, Inode inode) throws IOException {
            // Nothing is checked first: the destination is empty unless --force, so creating
            // and handling EEXIST spares a stat per entry (dest.replaceable refuses, or removes
            // what is there, without following a symlink).
            if (inode instanceof Inode.RegularFile f) {
                // Created with its permissions: when the umask takes none of them away and there
                // are no set-id/sticky bits (which a chown clears), restore() needs no chmod.
                int perms = inode.permissions();
                FileAttribute<?> mode = FileModes.attribute(perms & 0777);
                FileChannel out = open(path, mode);
                boolean modeSet = (perms & 07000) == 0 && (perms & FileModes.UMASK) == 0;
                try {
                    bytes.add(image.transferTo(f, new Blocks(out)));
                } catch (IOException | RuntimeException | Error e) {
                    finisher.execute(() -> {
                        try {
                            out.close();
                        } catch (IOException ignored) {
                            // the extraction already failed with e
                        }
                    });
                    throw e;
                }
                files.increment();
                finish(path, inode, out, modeSet);
                return true;
            } else if (inode instanceof Inode.Symlink s) {
                byte[] target = java.util.Arrays.copyOf(s.target(), s.target().length + 1);
                byte[] cpath = HostPaths.cString(path);
                if (createOrReplace(path, () -> Posix.libc().symlink(target, cpath)) != 0) {
                    throw new IOException(show(path) + ": cannot create symlink: " + Posix.strerror(Posix.errno()));
                }
                symlinks.increment();
            } else if (mknod(path, inode)) {
                specials.increment();
            } else {
                skipped.add(path);
                skippedSpecial.increment();
                return false;
            }
            finish(path, inode, null, false);
            return true;
        }

        private FileChannel open(Path path, FileAttribute<?> mode) throws IOException {
            try {
                return FileChannel.open(path, CREATE_FILE, mode);
            } catch (FileAlreadyExistsException exists) {
                dest.replaceable(path);
                return FileChannel.open(path, CREATE_FILE, mode);
            }
        }

        /**
         * Runs the libc call {@code create} (0 or -1 with errno); on EEXIST lets {@code dest}
         * refuse or remove what is there (without following a symlink) and runs it once more.
         */
        private int createOrReplace(Path path, java.util.function.IntSupplier create) throws IOException {
            int rc = create.getAsInt();
            if (rc != 0 && Posix.errno() == Posix.EEXIST) {
                dest.replaceable(path);
                rc = create.getAsInt();
            }
            return rc;
        }

        private boolean mknod(Path path, Inode inode) throws IOException {
            long dev = 0;
            if (inode instanceof Inode.BlockDevice b) {
                dev = Posix.makedev(b.major(), b.minor());
            } else if (inode instanceof Inode.CharDevice c) {
                dev = Posix.makedev(c.major(), c.minor());
            }
            byte[] cpath = HostPaths.cString(path);
            long rdev = dev;
            int rc = createOrReplace(path, () -> Posix.libc().mknod(cpath, inode.mode() & ~07777 | 0600, rdev));
            if (rc != 0) {
                int errno = Posix.errno();
                if (errno == Posix.EPERM || errno == Posix.EACCES) {
                    if (System.getenv("SQUASHROOT_DEBUG") != null) {
                        System.err.println("squashroot: " + show(path) + ": mknod: " + Posix.strerror(errno));
                    }
                    return false;
                }
                throw new IOException(show(path) + ": cannot create " + inode.getClass().getSimpleName() + ": "
                        + Posix.strerror(errno));
            }
            return true;
        }

        private void restore(Path path, Inode inode) throws IOException {
            restore(path, inode, false);
        }

        /**
         * Owner, mode (unless {@code modeSet}: created with it), xattrs, then mtime: chown clears
         * setuid bits and capabilities, so it goes first.
         */
        private void restore(Path path, Inode inode, boolean modeSet) throws IOException {
            byte[] p = HostPaths.cString(path);
            boolean link = inode instanceof Inode.Symlink;
            if (isRoot && Posix.libc().lchown(p, (int) inode.uid(), (int) inode.gid()) != 0) {
                throw new IOException(show(path) + ": cannot change owner: " + Posix.strerror(Posix.errno()));
            }
            if (!link && !modeSet && Posix.libc().chmod(p, inode.permissions()) != 0) {
                throw new IOException(show(path) + ": cannot change mode: " + Posix.strerror(Posix.errno()));
            }
            if (inode.xattrIndex() != Inode.NO_XATTRS) {
                for (Map.Entry<String, byte[]> x : image.xattrs(inode).entrySet()) {
                    byte[] v = x.getValue();
                    byte[] name = Posix.cString(NameBytes.encode(x.getKey()));
                    if (Posix.libc().lsetxattr(p, name, v, v.length, 0) != 0) {
                        int errno = Posix.errno();
                        if (errno == Posix.EPERM || errno == Posix.EACCES || errno == Posix.ENOTSUP) {
                            skippedXattrs.increment();
                        } else {
                            throw new IOException(show(path) + ": cannot set xattr " + x.getKey() + ": " + Posix.strerror(errno));
                        }
                    }
                }
            }
            // utimensat on the path itself: opening a FIFO to set its times would block.
            long[] times = {inode.mtime(), 0, inode.mtime(), 0};
            if (Posix.libc().utimensat(Posix.AT_FDCWD, p, times, Posix.AT_SYMLINK_NOFOLLOW) != 0) {
                throw new IOException(show(path) + ": cannot set times: " + Posix.strerror(Posix.errno()));
            }
        }
    }

    /** An output path for messages: its exact bytes, those that are not UTF-8 shown as \xNN. */
    static String show(Path p) {
        return NameBytes.display(HostPaths.bytes(p));
    }
}
