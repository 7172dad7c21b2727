package io.squashroot.overlay;

import io.squashroot.fuse.SquashfsTree;
import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a lower entry into the upper layer before its first change, preserving data (holes
 * stay holes: all-zero blocks are not written), owner, mode, times and xattrs.
 *
 * <p>Crash safety: the copy is built under a fresh name in the work directory, fsync'ed, and
 * renamed into place in one step, so a SIGKILL at any point leaves either the lower view or
 * the complete copy, never a short file. Leftovers in the work directory are deleted at the
 * next mount. A failure (ENOSPC, EDQUOT, EIO) deletes the partial copy and reaches the caller.
 */
final class CopyUp {
    private static final Caller SYSTEM = new Caller(0, 0, 0);
    private static final int CHUNK = 1 << 20;
    private final Resolver resolver;
    private final Upper upper;
    private final Inodes inodes;

    CopyUp(Resolver resolver, Upper upper, Inodes inodes) {
        this.resolver = resolver;
        this.upper = upper;
        this.inodes = inodes;
    }

    /** The upper host path of the directory {@code path}, copying it and its parents up. */
    String dir(String path) throws FsException {
        Node n = resolver.resolve(path);
        if (!n.isDirectory()) {
            throw new FsException(Errno.ENOTDIR);
        }
        return entry(n, true);
    }

    /** The upper host path of {@code node}, copying it up first when it is only in a lower layer. */
    String entry(Node node, boolean withData) throws FsException {
        String hp = upper.path(node.path());
        if (node.inUpper()) {
            return hp;
        }
        String parentHp = dir(Resolver.parent(node.path()));
        FileAttr a = node.lowerAttr();
        FsTree tree = resolver.lower(node.top());
        String tmp = upper.tempPath();
        try {
            boolean placeholder = create(tree, node.path(), a, tmp, withData);
            copyXattrs(tree, node.path(), tmp, a);
            upper.setStat(tmp, a.uid(), a.gid(), a.mode(), a.rdev(), placeholder);
            HostFs.utimens(tmp, a.atimeSec() * 1_000_000_000L + a.atimeNsec(),
                    a.mtimeSec() * 1_000_000_000L + a.mtimeNsec());
            upper.rename(tmp, hp, Libc.RENAME_NOREPLACE);
        } catch (FsException e) {
            discard(tmp);
            throw e;
        }
        Upper.syncDir(parentHp);
        inodes.recordOrigin(HostFs.lstat(hp).ino(), inodes.ofLower(node.top(), a.ino()));
        resolver.invalidate(node.path());
        return hp;
    }

    /**
     * Copies a directory and everything visible below it into the upper layer and marks it
     * opaque: how a directory that lives in lower layers is renamed (docs/overlay-format.md).
     */
    void tree(String path) throws FsException {
        Node n = resolver.resolve(path);
        String hp = entry(n, true);
        if (!n.isDirectory()) {
            return;
        }
        List<String> children = new ArrayList<>();
        resolver.list(resolver.resolve(path), children::add);
        for (String c : children) {
            tree(Resolver.child(path, c));
        }
        if (n.hasLowerDirs()) {
            upper.setOpaque(hp);
            resolver.invalidateTree(path);
        }
    }

    private boolean create(FsTree tree, String path, FileAttr a, String tmp, boolean withData) throws FsException {
        int type = a.mode() & FileAttr.S_IFMT;
        try {
            switch (type) {
                case FileAttr.S_IFDIR -> Files.createDirectory(Path.of(tmp));
                case FileAttr.S_IFREG -> copyData(tree, path, tmp, withData ? a.size() : 0);
                case FileAttr.S_IFLNK -> Files.createSymbolicLink(Path.of(tmp),
                        Path.of(new String(tree.readlink(path), StandardCharsets.UTF_8)));
                case FileAttr.S_IFIFO, FileAttr.S_IFSOCK -> {
                    return makeSpecial(tmp, type, a.uid(), a.gid());
                }
                case FileAttr.S_IFCHR, FileAttr.S_IFBLK -> {
                    return makeDevice(tmp, type, a.rdev());
                }
                default -> throw new FsException(Errno.EIO, "copy-up " + path + ": unknown file type " + type);
            }
        } catch (IOException e) {
            throw HostFs.fromIo(e, "copy-up " + path);
        }
        return false;
    }

    /** A fifo or socket, or a placeholder file when its owner could not be set or recorded. */
    boolean makeSpecial(String hp, int type, long uid, long gid) throws FsException {
        if (upper.needsPlaceholder(uid, gid)) {
            Upper.createEmptyFile(hp);
            return true;
        }
        HostFs.mknod(hp, type | 0600, 0);
        return false;
    }

    /** A device node, or a placeholder file when the host refuses mknod; true for a placeholder. */
    boolean makeDevice(String hp, int type, long rdev) throws FsException {
        if (upper.privileged) {
            try {
                HostFs.mknod(hp, type | 0600, rdev);
                return false;
            } catch (FsException e) {
                if (e.errno() != Errno.EPERM) {
                    throw e;
                }
            }
        }
        Upper.createEmptyFile(hp);
        return true;
    }

    private static void copyData(FsTree tree, String path, String tmp, long size) throws FsException, IOException {
        try (FileChannel out = FileChannel.open(Path.of(tmp), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (size > 0 && tree instanceof SquashfsTree image) {
                int fd = HostFs.openForWriteback(tmp);
                HoleSkippingWriter w = new HoleSkippingWriter(out, fd);
                try {
                    image.transferTo(path, w);
                } catch (IOException e) {
                    if (w.failure() != null) {
                        throw w.failure(); // the host's ENOSPC/EDQUOT, not the image's fault
                    }
                    throw new FsException(Errno.EIO, "copy-up " + path + ": " + e.getMessage(), e);
                } finally {
                    HostFs.close(fd);
                }
            } else if (size > 0) {
                long h = tree.open(path, 0, SYSTEM);
                try {
                    copyBlocks(tree, path, h, out, size);
                } finally {
                    tree.release(path, h);
                }
            }
            if (out.size() < size) {
                HostFs.truncate(tmp, size); // the tail was zeros: leave it a hole
            }
            out.force(true);
        }
    }

    private static void copyBlocks(FsTree tree, String path, long h, FileChannel out, long size)
            throws FsException, IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long off = 0;
        while (off < size) {
            buf.clear();
            int n = tree.read(path, h, buf, off);
            if (n <= 0) {
                break;
            }
            buf.flip();
            HoleSkippingWriter.writeSkippingZeros(out, buf, off);
            off += n;
        }
    }

    private void copyXattrs(FsTree tree, String path, String tmp, FileAttr a) throws FsException {
        List<String> names;
        try {
            names = tree.listxattr(path);
        } catch (FsException e) {
            return; // a lower tree without xattr support has none to copy
        }
        for (String name : names) {
            if (Whiteout.isInternalXattr(name)) {
                continue;
            }
            byte[] v;
            try {
                v = tree.getxattr(path, name);
            } catch (FsException e) {
                continue;
            }
            try {
                upper.setXattr(tmp, name, v, 0);
            } catch (FsException e) {
                if (!a.isSymlink()) {
                    throw e; // symlinks cannot carry user.* xattrs: nothing else to do
                }
            }
        }
    }

    private void discard(String tmp) {
        try {
            Path p = Path.of(tmp);
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Upper.deleteTree(p);
            } else {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // the work directory is emptied at the next mount
        }
    }
}
