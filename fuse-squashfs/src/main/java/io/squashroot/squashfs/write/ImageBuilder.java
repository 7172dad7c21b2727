package io.squashroot.squashfs.write;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The image under construction as the sources see it: the in-memory inode tree (metadata only)
 * and the data area the file contents stream into. Sources add inodes by path; every path is a
 * list of already-validated name components below the root.
 */
final class ImageBuilder {
    final WriterOptions options;
    final Inode root = new Inode(Inode.Kind.DIRECTORY);
    private final DataArea data;
    private final List<String> warnings = new ArrayList<>();
    private final long defaultTime;

    ImageBuilder(WriterOptions options, DataArea data) {
        this.options = options;
        this.data = data;
        this.defaultTime = options.mkfsTime();
        root.permissions = 0755;
        root.mtime = defaultTime;
    }

    /** Stores a file's content now, in the order files arrive. */
    FileData writeData(InputStream in, long size, String what) throws IOException {
        FileData fd = new FileData();
        data.writeFile(fd, in, size, what);
        return fd;
    }

    /** The inode at {@code path}, or null. */
    Inode lookup(List<byte[]> path) {
        Inode cur = root;
        for (byte[] name : path) {
            if (!cur.isDirectory()) {
                return null;
            }
            cur = cur.children.get(name);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    /**
     * The directory at {@code path}, creating missing ones with mode 0755, owner root and the
     * image time, as tar extraction does for parents an archive leaves out.
     */
    Inode directory(List<byte[]> path, String what) throws IOException {
        Inode cur = root;
        for (byte[] name : path) {
            Inode next = cur.children.get(name);
            if (next == null) {
                next = new Inode(Inode.Kind.DIRECTORY);
                next.permissions = 0755;
                next.mtime = defaultTime;
                cur.children.put(name, next);
            } else if (!next.isDirectory()) {
                throw new IOException(what + ": a parent path component is not a directory");
            }
            cur = next;
        }
        return cur;
    }

    /**
     * Puts {@code node} at {@code path}, replacing what was there (a later tar entry wins). A
     * directory replacing a directory keeps the children and takes the new attributes.
     */
    void put(List<byte[]> path, Inode node, String what) throws IOException {
        if (path.isEmpty()) {
            if (!node.isDirectory()) {
                throw new IOException(what + ": the root must be a directory");
            }
            root.copyAttributes(node);
            return;
        }
        Inode parent = directory(path.subList(0, path.size() - 1), what);
        byte[] name = path.get(path.size() - 1);
        Inode old = parent.children.get(name);
        if (old != null && old.isDirectory() && node.isDirectory()) {
            old.copyAttributes(node);
            return;
        }
        parent.children.put(name, node);
    }

    /** Removes {@code path} if present; true when something was removed. */
    boolean remove(List<byte[]> path) {
        if (path.isEmpty()) {
            return false;
        }
        Inode parent = lookup(path.subList(0, path.size() - 1));
        return parent != null && parent.isDirectory() && parent.children.remove(path.get(path.size() - 1)) != null;
    }

    void warn(String message) {
        warnings.add(message);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }
}
