package io.squashroot.squashfs.write;

import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import io.squashroot.tree.NameBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Any {@link FsTree} (a SquashFS image, the overlay, a host directory), walked in name order
 * through its read methods. Hard links are recognised by inode number when nlink > 1.
 */
final class TreeSource {
    private final FsTree tree;
    private final Map<Long, Inode> hardLinks = new HashMap<>();

    TreeSource(FsTree tree) {
        this.tree = tree;
    }

    void populate(ImageBuilder image) throws IOException {
        FileAttr a = getattr(tree, "/");
        if (!a.isDirectory()) {
            throw new IOException("tree root is not a directory");
        }
        fill(image.root, tree, "/", a, image);
        walk(image, image.root, "/");
    }

    private void walk(ImageBuilder image, Inode dir, String path) throws IOException {
        for (String name : list(tree, path)) {
            String child = join(path, name);
            FileAttr a = getattr(tree, child);
            Inode n = hardLinks.get(a.ino());
            if (n == null || a.isDirectory()) {
                n = create(tree, child, a, image);
                if (!a.isDirectory() && a.nlink() > 1) {
                    hardLinks.put(a.ino(), n);
                }
            }
            dir.children.put(NameBytes.encode(name), n);
            if (n.isDirectory()) {
                walk(image, n, child);
            }
        }
    }

    /** The names in a directory, without "." and "..", in unsigned byte order. */
    static List<String> list(FsTree tree, String path) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            tree.readdir(path, (name, attr) -> {
                if (!name.equals(".") && !name.equals("..")) {
                    names.add(name);
                }
                return true;
            });
        } catch (FsException e) {
            throw failure(path, "readdir", e);
        }
        names.sort((x, y) -> java.util.Arrays.compareUnsigned(NameBytes.encode(x), NameBytes.encode(y)));
        return names;
    }

    /** A new inode for {@code path} with its data already written. */
    static Inode create(FsTree tree, String path, FileAttr a, ImageBuilder image) throws IOException {
        Inode n;
        switch (a.mode() & FileAttr.S_IFMT) {
            case FileAttr.S_IFDIR -> n = new Inode(Inode.Kind.DIRECTORY);
            case FileAttr.S_IFREG -> {
                n = new Inode(Inode.Kind.FILE);
                try (InputStream in = new TreeFileStream(tree, path)) {
                    n.data = image.writeData(in, a.size(), path);
                }
            }
            case FileAttr.S_IFLNK -> {
                n = new Inode(Inode.Kind.SYMLINK);
                try {
                    n.target = tree.readlink(path);
                } catch (FsException e) {
                    throw failure(path, "readlink", e);
                }
            }
            case FileAttr.S_IFBLK, FileAttr.S_IFCHR -> {
                n = new Inode((a.mode() & FileAttr.S_IFMT) == FileAttr.S_IFBLK
                        ? Inode.Kind.BLOCK_DEVICE : Inode.Kind.CHAR_DEVICE);
                long rdev = a.rdev();
                n.major = (int) (((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL));
                n.minor = (int) ((rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL));
            }
            case FileAttr.S_IFIFO -> n = new Inode(Inode.Kind.FIFO);
            case FileAttr.S_IFSOCK -> n = new Inode(Inode.Kind.SOCKET);
            default -> throw new IOException(path + ": unknown file type in mode " + Integer.toOctalString(a.mode()));
        }
        fill(n, tree, path, a, image);
        return n;
    }

    static void fill(Inode n, FsTree tree, String path, FileAttr a, ImageBuilder image) throws IOException {
        n.permissions = a.mode() & 07777;
        n.uid = a.uid();
        n.gid = a.gid();
        n.mtime = Math.max(0, a.mtimeSec());
        if (!image.options.xattrs()) {
            return;
        }
        try {
            TreeMap<String, byte[]> x = null;
            for (String name : tree.listxattr(path)) {
                if (XattrTable.prefixId(name) < 0) {
                    image.warn(path + ": xattr " + name + " cannot be stored in SquashFS (only user., trusted., security.)");
                    continue;
                }
                if (x == null) {
                    x = new TreeMap<>();
                }
                x.put(name, tree.getxattr(path, name));
            }
            n.xattrs = x;
        } catch (FsException e) {
            if (e.errno() != io.squashroot.tree.Errno.ENOTSUP) {
                throw failure(path, "xattrs", e);
            }
        }
    }

    static FileAttr getattr(FsTree tree, String path) throws IOException {
        try {
            return tree.getattr(path);
        } catch (FsException e) {
            throw failure(path, "getattr", e);
        }
    }

    static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    static IOException failure(String path, String op, FsException e) {
        return new IOException(path + ": " + op + " failed with errno " + e.errno()
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
    }

    /** Sequential reads of one file through {@link FsTree#read}. */
    static final class TreeFileStream extends InputStream {
        private final FsTree tree;
        private final String path;
        private final long handle;
        private long offset;

        TreeFileStream(FsTree tree, String path) throws IOException {
            this.tree = tree;
            this.path = path;
            try {
                this.handle = tree.open(path, 0, new io.squashroot.tree.Caller(0, 0, 0));
            } catch (FsException e) {
                throw failure(path, "open", e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            try {
                int n = tree.read(path, handle, ByteBuffer.wrap(b, off, len), offset);
                if (n <= 0) {
                    return -1;
                }
                offset += n;
                return n;
            } catch (FsException e) {
                throw failure(path, "read", e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                tree.release(path, handle);
            } catch (FsException e) {
                throw failure(path, "release", e);
            }
        }
    }
}
