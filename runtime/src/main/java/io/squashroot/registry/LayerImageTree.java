package io.squashroot.registry;

import io.squashroot.fuse.Caller;
import io.squashroot.fuse.DirFiller;
import io.squashroot.fuse.Errno;
import io.squashroot.fuse.FileAttr;
import io.squashroot.fuse.FsException;
import io.squashroot.fuse.FsStat;
import io.squashroot.fuse.FsTree;
import io.squashroot.squashfs.DirEntry;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-only FsTree over one layer image, just what the writer's flattening reads (attributes,
 * listings, file data, link targets, xattrs). It exists so {@code import} can flatten without a
 * FUSE mount; paths resolved once are remembered, since flattening asks for each one repeatedly.
 */
final class LayerImageTree implements FsTree, AutoCloseable {

    private final SquashfsImage image;
    private final Map<String, Inode> resolved = new ConcurrentHashMap<>();

    LayerImageTree(SquashfsImage image) {
        this.image = image;
    }

    private Inode inode(String path) throws FsException {
        Inode cached = resolved.get(path);
        if (cached != null) {
            return cached;
        }
        try {
            Inode i = image.lookup(path).orElseThrow(() -> new FsException(Errno.ENOENT));
            resolved.put(path, i);
            return i;
        } catch (IOException e) {
            throw new FsException(Errno.EIO, image.name() + ": " + path + ": " + e.getMessage(), e);
        }
    }

    private static FileAttr attr(Inode i) {
        long rdev = 0;
        if (i instanceof Inode.CharDevice c) {
            rdev = c.rdev();
        } else if (i instanceof Inode.BlockDevice b) {
            rdev = b.rdev();
        }
        return new FileAttr(i.number(), i.mode(), i.linkCount(), i.uid(), i.gid(), rdev, i.size(),
                (i.size() + 511) / 512, i.mtime(), 0, i.mtime(), 0, i.mtime(), 0);
    }

    @Override
    public FileAttr getattr(String path) throws FsException {
        return attr(inode(path));
    }

    @Override
    public void readdir(String path, DirFiller filler) throws FsException {
        if (!(inode(path) instanceof Inode.Directory dir)) {
            throw new FsException(Errno.ENOTDIR);
        }
        try {
            String prefix = path.endsWith("/") ? path : path + "/";
            List<DirEntry> entries = new ArrayList<>(image.list(dir));
            for (DirEntry e : entries) {
                Inode child = image.inode(e);
                resolved.put(prefix + e.name(), child);
                if (!filler.add(e.name(), attr(child))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new FsException(Errno.EIO, image.name() + ": " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long open(String path, int flags, Caller caller) throws FsException {
        inode(path);
        return 0;
    }

    @Override
    public int read(String path, long handle, ByteBuffer dst, long offset) throws FsException {
        if (!(inode(path) instanceof Inode.RegularFile f)) {
            throw new FsException(Errno.EINVAL);
        }
        try {
            int n = image.read(f, offset, dst);
            return Math.max(n, 0);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, image.name() + ": " + path + " at " + offset + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] readlink(String path) throws FsException {
        if (!(inode(path) instanceof Inode.Symlink l)) {
            throw new FsException(Errno.EINVAL);
        }
        return image.readlink(l);
    }

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        byte[] v = xattrs(path).get(name);
        if (v == null) {
            throw new FsException(Errno.ENODATA);
        }
        return v;
    }

    @Override
    public List<String> listxattr(String path) throws FsException {
        return List.copyOf(xattrs(path).keySet());
    }

    private Map<String, byte[]> xattrs(String path) throws FsException {
        try {
            return image.xattrs(inode(path));
        } catch (IOException e) {
            throw new FsException(Errno.EIO, image.name() + ": " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public FsStat statfs(String path) {
        return new FsStat(4096, 0, 0, 0, 0, 0, 255);
    }

    @Override
    public void close() throws IOException {
        image.close();
    }

    @Override
    public String toString() {
        return "LayerImageTree[" + image.name() + "]";
    }

}
