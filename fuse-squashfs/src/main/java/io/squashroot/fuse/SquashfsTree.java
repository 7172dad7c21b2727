package io.squashroot.fuse;

import io.squashroot.tree.FsTree;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.DirFiller;
import io.squashroot.tree.Caller;
import io.squashroot.tree.FsStat;
import io.squashroot.tree.FsException;
import io.squashroot.tree.Errno;


import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.squashroot.squashfs.BlockWriter;
import io.squashroot.squashfs.CorruptImageException;
import io.squashroot.squashfs.DirEntry;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import io.squashroot.squashfs.Superblock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A {@link FsTree} over one {@link SquashfsImage}: read-only, every write refused with EROFS.
 *
 * <p>The tree is path-based (as libfuse's high-level API is), so resolved inodes are kept in a
 * bounded path cache; a readdir fills it for every child it lists, which is what makes a
 * metadata walk ({@code find}, {@code ls -l}) cost one directory decode per directory. Open
 * files hold their inode, so reads never resolve a path.
 *
 * <p>Sequential reads trigger readahead: when a read starts where the previous one on the same
 * handle ended, the next {@code readaheadBlocks} data blocks are decoded on {@code prefetch}
 * threads ({@link BlockPrefetch}) and handed to the reads that ask for them, so decoding runs
 * ahead of the reader instead of inside its request.
 *
 * <p>A block that fails to decode (corrupt image) answers EIO for the file that needs it; other
 * files keep being served. The first failure per image is logged with its position.
 */
public final class SquashfsTree implements FsTree {

    private static final Logger LOG = Logger.getLogger(SquashfsTree.class.getName());
    private static final int O_ACCMODE = 3;
    private static final int PATH_CACHE_ENTRIES = 200_000;

    /** Blocks held by readahead for all open files together, per block of depth. */
    private static final int BUFFERS_PER_DEPTH = 8;

    private final SquashfsImage image;
    private final BlockPrefetch prefetch;
    private final Cache<String, Inode> paths;
    private final Map<Long, OpenFile> open = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private volatile boolean corruptionLogged;

    /** Per-handle state: the inode, and where the last read ended (to spot sequential reads). */
    private static final class OpenFile {
        final Inode.RegularFile inode;
        final BlockPrefetch.Ahead ahead = new BlockPrefetch.Ahead();
        volatile long nextOffset = -1;

        OpenFile(Inode.RegularFile inode) {
            this.inode = inode;
        }
    }

    /**
     * @param prefetch        runs readahead (a small bounded pool); {@code Runnable::run} to
     *                        disable asynchronous readahead
     * @param readaheadBlocks data blocks decoded ahead of a sequential reader (0 disables)
     */
    public SquashfsTree(SquashfsImage image, Executor prefetch, int readaheadBlocks) {
        this.image = image;
        this.prefetch = readaheadBlocks <= 0 ? null
                : new BlockPrefetch(image, prefetch, readaheadBlocks, BUFFERS_PER_DEPTH * readaheadBlocks);
        this.paths = Caffeine.newBuilder().maximumSize(PATH_CACHE_ENTRIES).build();
        paths.put("/", image.root());
    }

    /** The image this tree serves. */
    public SquashfsImage image() {
        return image;
    }

    /**
     * Streams the whole content of the regular file {@code path} to {@code writer}, past the
     * block cache, holes not delivered ({@link SquashfsImage#transferTo}): how the overlay copies
     * a file up without a copy per cached block and without flushing the shared cache with
     * blocks nobody reads again.
     *
     * @throws FsException ENOENT/ENOTDIR for the path, EISDIR (or EINVAL) when it is not a file
     * @throws IOException from the image (corrupt) or from {@code writer}, unchanged
     */
    public long transferTo(String path, BlockWriter writer) throws FsException, IOException {
        if (!(resolve(path) instanceof Inode.RegularFile f)) {
            throw new FsException(Errno.EINVAL, path + ": not a regular file");
        }
        return image.transferTo(f, writer);
    }

    // ---- resolving ------------------------------------------------------------------------

    private Inode resolve(String path) throws FsException {
        Inode hit = paths.getIfPresent(path);
        if (hit != null) {
            return hit;
        }
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            throw new FsException(Errno.ENOENT);
        }
        String parentPath = slash == 0 ? "/" : path.substring(0, slash);
        Inode parent = resolve(parentPath);
        if (!(parent instanceof Inode.Directory dir)) {
            throw new FsException(Errno.ENOTDIR);
        }
        try {
            Optional<DirEntry> e = image.lookup(dir, path.substring(slash + 1));
            if (e.isEmpty()) {
                throw new FsException(Errno.ENOENT);
            }
            Inode inode = image.inode(e.get());
            paths.put(path, inode);
            return inode;
        } catch (IOException e) {
            throw io(e, path);
        }
    }

    private FsException io(IOException e, String path) {
        if (!corruptionLogged) {
            corruptionLogged = true;
            LOG.warning(image.name() + ": " + path + ": " + e.getMessage()
                    + (e instanceof CorruptImageException ? " (answering EIO; further errors not logged)" : ""));
        }
        return new FsException(Errno.EIO, e.getMessage(), e);
    }

    static FileAttr attr(Inode i) {
        long rdev = 0;
        if (i instanceof Inode.BlockDevice b) {
            rdev = makedev(b.major(), b.minor());
        } else if (i instanceof Inode.CharDevice c) {
            rdev = makedev(c.major(), c.minor());
        }
        long size = i.size();
        long blocks = i instanceof Inode.RegularFile ? (size + 511) / 512 : 0;
        long t = i.mtime();
        return new FileAttr(i.number(), i.mode(), i.linkCount(), i.uid(), i.gid(), rdev, size, blocks,
                t, 0, t, 0, t, 0);
    }

    /** glibc's makedev(): the dev_t layout stat(2) reports. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    // ---- FsTree ---------------------------------------------------------------------------

    @Override
    public FileAttr getattr(String path) throws FsException {
        return attr(resolve(path));
    }

    @Override
    public void readdir(String path, DirFiller filler) throws FsException {
        Inode inode = resolve(path);
        if (!(inode instanceof Inode.Directory dir)) {
            throw new FsException(Errno.ENOTDIR);
        }
        try {
            if (!filler.add(".", attr(dir)) || !filler.add("..", null)) {
                return;
            }
            String prefix = path.equals("/") ? "/" : path + "/";
            for (DirEntry e : image.list(dir)) {
                String name = e.name();
                String child = prefix + name;
                Inode ci = paths.getIfPresent(child);
                if (ci == null) {
                    ci = image.inode(e);
                    paths.put(child, ci);
                }
                if (!filler.add(name, attr(ci))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw io(e, path);
        }
    }

    @Override
    public long open(String path, int flags, Caller caller) throws FsException {
        if ((flags & O_ACCMODE) != 0) {
            throw new FsException(Errno.EROFS);
        }
        Inode inode = resolve(path);
        if (inode instanceof Inode.Directory) {
            throw new FsException(Errno.EISDIR);
        }
        if (!(inode instanceof Inode.RegularFile f)) {
            throw new FsException(Errno.ENXIO);
        }
        long h = nextHandle.getAndIncrement();
        open.put(h, new OpenFile(f));
        return h;
    }

    @Override
    public void release(String path, long handle) {
        OpenFile of = open.remove(handle);
        if (of != null && prefetch != null) {
            prefetch.release(of.ahead);
        }
    }

    @Override
    public int read(String path, long handle, ByteBuffer dst, long offset) throws FsException {
        OpenFile of = open.get(handle);
        Inode.RegularFile f;
        if (of != null) {
            f = of.inode;
        } else if (resolve(path) instanceof Inode.RegularFile rf) {
            f = rf;
        } else {
            throw new FsException(Errno.EISDIR);
        }
        try {
            int ahead = of != null && prefetch != null ? prefetch.take(of.ahead, offset, dst) : 0;
            int n = dst.hasRemaining() ? image.read(f, offset + ahead, dst) : 0;
            n = Math.max(n, 0) + ahead;
            if (n == 0) {
                return 0;
            }
            if (of != null) {
                boolean sequential = of.nextOffset == offset || offset == 0;
                of.nextOffset = offset + n;
                if (sequential && prefetch != null) {
                    prefetch.after(f, of.ahead, offset + n);
                }
            }
            return n;
        } catch (IOException e) {
            throw io(e, path);
        }
    }

    @Override
    public byte[] readlink(String path) throws FsException {
        if (resolve(path) instanceof Inode.Symlink s) {
            return image.readlink(s);
        }
        throw new FsException(Errno.EINVAL);
    }

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        try {
            byte[] v = image.xattrs(resolve(path)).get(name);
            if (v == null) {
                throw new FsException(Errno.ENODATA);
            }
            return v;
        } catch (IOException e) {
            throw io(e, path);
        }
    }

    @Override
    public List<String> listxattr(String path) throws FsException {
        try {
            return new ArrayList<>(image.xattrs(resolve(path)).keySet());
        } catch (IOException e) {
            throw io(e, path);
        }
    }

    @Override
    public FsStat statfs(String path) {
        Superblock sb = image.superblock();
        long blocks = (sb.bytesUsed() + sb.blockSize() - 1) / sb.blockSize();
        return new FsStat(sb.blockSize(), blocks, 0, 0, sb.inodeCount(), 0, 256);
    }

    @Override
    public void destroy() {
        if (prefetch != null) {
            open.values().forEach(of -> prefetch.release(of.ahead));
        }
        open.clear();
    }
}
