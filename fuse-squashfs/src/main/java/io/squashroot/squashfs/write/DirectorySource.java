package io.squashroot.squashfs.write;

import io.squashroot.host.HostPaths;
import io.squashroot.host.HostXattrs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A host directory tree, walked depth-first in name order (so data lands in the order a reader
 * of the listing meets it), never following symlinks. Hard links are recognised by (device,
 * inode). The image being written is skipped if it lies inside the tree. Names and symlink
 * targets are stored with their exact bytes ({@link HostPaths}), valid UTF-8 or not.
 */
final class DirectorySource {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path top;
    private final Object skip; // file key of the output file
    private final Map<Object, Inode> hardLinks = new HashMap<>();
    private ImageBuilder image;

    DirectorySource(Path top, Object skip) {
        this.top = top;
        this.skip = skip;
    }

    void populate(ImageBuilder image) throws IOException {
        this.image = image;
        Map<String, Object> a = attributes(top);
        if ((((Integer) a.get("mode")) & 0170000) != 0040000) {
            throw new IOException(top + ": not a directory");
        }
        fill(image.root, top, a);
        walk(image.root, top);
    }

    private void walk(Inode dir, Path path) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
            for (Path p : ds) {
                entries.add(p);
            }
        }
        byte[][] names = new byte[entries.size()][];
        Integer[] order = new Integer[entries.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = HostPaths.nameBytes(entries.get(i)); // exact, whatever the locale
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(names[x], names[y]));
        for (int i : order) {
            Path p = entries.get(i);
            Map<String, Object> a = attributes(p);
            Object key = a.get("fileKey");
            if (key != null && key.equals(skip)) {
                continue;
            }
            Inode node = create(p, a, key);
            dir.children.put(names[i], node);
            if (node.isDirectory()) {
                walk(node, p);
            }
        }
    }

    private Inode create(Path p, Map<String, Object> a, Object key) throws IOException {
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        if (type != 0040000 && (Integer) a.get("nlink") > 1 && key != null) {
            Inode seen = hardLinks.get(key);
            if (seen != null) {
                return seen;
            }
        }
        Inode n;
        switch (type) {
            case 0040000 -> n = new Inode(Inode.Kind.DIRECTORY);
            case 0100000 -> {
                n = new Inode(Inode.Kind.FILE);
                try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
                    n.data = image.writeData(in, (Long) a.get("size"), p.toString());
                }
            }
            case 0120000 -> {
                n = new Inode(Inode.Kind.SYMLINK);
                n.target = HostPaths.readLink(p);
            }
            case 0060000, 0020000 -> {
                n = new Inode(type == 0060000 ? Inode.Kind.BLOCK_DEVICE : Inode.Kind.CHAR_DEVICE);
                long rdev = (Long) a.get("rdev");
                // glibc's dev_t layout: major in bits 8-19 and 32-43, minor in 0-7 and 20-31
                n.major = (int) (((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL));
                n.minor = (int) ((rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL));
            }
            case 0010000 -> n = new Inode(Inode.Kind.FIFO);
            case 0140000 -> n = new Inode(Inode.Kind.SOCKET);
            default -> throw new IOException(p + ": unknown file type " + Integer.toOctalString(type));
        }
        fill(n, p, a);
        if (type != 0040000 && (Integer) a.get("nlink") > 1 && key != null) {
            hardLinks.put(key, n);
        }
        return n;
    }

    private void fill(Inode n, Path p, Map<String, Object> a) throws IOException {
        n.permissions = (Integer) a.get("mode") & 07777;
        n.uid = Integer.toUnsignedLong((Integer) a.get("uid"));
        n.gid = Integer.toUnsignedLong((Integer) a.get("gid"));
        n.mtime = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
        if (image.options.xattrs()) {
            n.setXattrs(storable(p, HostXattrs.read(p)));
        }
    }

    /** Drops (and reports) the names SquashFS cannot store: only user., trusted., security. */
    private TreeMap<String, byte[]> storable(Path p, TreeMap<String, byte[]> xattrs) {
        if (xattrs == null) {
            return null;
        }
        xattrs.keySet().removeIf(name -> {
            boolean drop = XattrTable.prefixId(name) < 0;
            if (drop) {
                image.warn(p + ": xattr " + name + " cannot be stored in SquashFS (only user., trusted., security.)");
            }
            return drop;
        });
        return xattrs.isEmpty() ? null : xattrs;
    }

    private static Map<String, Object> attributes(Path p) throws IOException {
        return Files.readAttributes(p, "unix:mode,uid,gid,nlink,rdev,size,lastModifiedTime,fileKey", NOFOLLOW);
    }
}
