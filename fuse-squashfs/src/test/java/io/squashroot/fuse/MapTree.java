package io.squashroot.fuse;

import io.squashroot.tree.FsTree;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.DirFiller;
import io.squashroot.tree.Caller;
import io.squashroot.tree.FsStat;
import io.squashroot.tree.FsException;
import io.squashroot.tree.Errno;


import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small read-only tree held in maps, for backend tests that need no image. */
class MapTree implements FsTree {

    record Node(FileAttr attr, byte[] data, Map<String, byte[]> xattrs) {
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private long nextIno = 1;

    MapTree() {
        put("/", FileAttr.S_IFDIR | 0755, new byte[0]);
    }

    MapTree dir(String path) {
        put(path, FileAttr.S_IFDIR | 0755, new byte[0]);
        return this;
    }

    MapTree file(String path, byte[] data) {
        put(path, FileAttr.S_IFREG | 0644, data);
        return this;
    }

    MapTree file(String path, String text) {
        return file(path, text.getBytes(StandardCharsets.UTF_8));
    }

    MapTree symlink(String path, String target) {
        put(path, FileAttr.S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    MapTree xattr(String path, String name, String value) {
        nodes.get(path).xattrs().put(name, value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    private void put(String path, int mode, byte[] data) {
        FileAttr a = new FileAttr(nextIno++, mode, (mode & FileAttr.S_IFMT) == FileAttr.S_IFDIR ? 2 : 1,
                1234, 4321, 0, data.length, (data.length + 511) / 512, 1_700_000_000L, 0, 1_700_000_000L, 5,
                1_700_000_000L, 0);
        nodes.put(path, new Node(a, data, new LinkedHashMap<>()));
    }

    private Node node(String path) throws FsException {
        Node n = nodes.get(path);
        if (n == null) {
            throw new FsException(Errno.ENOENT);
        }
        return n;
    }

    @Override
    public FileAttr getattr(String path) throws FsException {
        return node(path).attr();
    }

    @Override
    public void readdir(String path, DirFiller filler) throws FsException {
        if (!node(path).attr().isDirectory()) {
            throw new FsException(Errno.ENOTDIR);
        }
        filler.add(".", node(path).attr());
        filler.add("..", null);
        String prefix = path.equals("/") ? "/" : path + "/";
        List<String> names = new ArrayList<>();
        for (String p : nodes.keySet()) {
            if (p.startsWith(prefix) && p.length() > prefix.length() && p.indexOf('/', prefix.length()) < 0) {
                names.add(p);
            }
        }
        for (String p : names) {
            if (!filler.add(p.substring(prefix.length()), nodes.get(p).attr())) {
                return;
            }
        }
    }

    @Override
    public long open(String path, int flags, Caller caller) throws FsException {
        if (node(path).attr().isDirectory()) {
            throw new FsException(Errno.EISDIR);
        }
        return 0;
    }

    @Override
    public int read(String path, long handle, ByteBuffer dst, long offset) throws FsException {
        byte[] d = node(path).data();
        if (path.endsWith("broken")) {
            throw new IllegalStateException("deliberately broken");
        }
        if (offset >= d.length) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), d.length - offset);
        dst.put(d, (int) offset, n);
        return n;
    }

    @Override
    public byte[] readlink(String path) throws FsException {
        Node n = node(path);
        if (!n.attr().isSymlink()) {
            throw new FsException(Errno.EINVAL);
        }
        return n.data();
    }

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        byte[] v = node(path).xattrs().get(name);
        if (v == null) {
            throw new FsException(Errno.ENODATA);
        }
        return v;
    }

    @Override
    public List<String> listxattr(String path) throws FsException {
        return new ArrayList<>(node(path).xattrs().keySet());
    }

    @Override
    public FsStat statfs(String path) {
        return new FsStat(4096, 100, 0, 0, nodes.size(), 0, 255);
    }
}
