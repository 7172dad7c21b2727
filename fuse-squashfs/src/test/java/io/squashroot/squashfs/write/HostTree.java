package io.squashroot.squashfs.write;

import io.squashroot.tree.Caller;
import io.squashroot.tree.DirFiller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsStat;
import io.squashroot.tree.FsTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal read-only {@link FsTree} over a host directory for the writer's tree-source tests
 * (the overlay module's DirectoryTree cannot be used from this module: it depends on us).
 */
final class HostTree implements FsTree {
    private final Path root;

    HostTree(Path root) {
        this.root = root;
    }

    private Path host(String path) {
        return path.equals("/") ? root : root.resolve(path.substring(1));
    }

    @Override
    public FileAttr getattr(String path) throws FsException {
        try {
            Map<String, Object> a = Files.readAttributes(host(path), "unix:*", LinkOption.NOFOLLOW_LINKS);
            long t = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
            return new FileAttr((Long) a.get("ino"), (Integer) a.get("mode"), (Integer) a.get("nlink"),
                    Integer.toUnsignedLong((Integer) a.get("uid")), Integer.toUnsignedLong((Integer) a.get("gid")),
                    (Long) a.get("rdev"), (Long) a.get("size"), 0, t, 0, t, 0, t, 0);
        } catch (IOException e) {
            throw new FsException(Errno.ENOENT, path);
        }
    }

    @Override
    public void readdir(String path, DirFiller filler) throws FsException {
        filler.add(".", null);
        filler.add("..", null);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(host(path))) {
            for (Path p : ds) {
                filler.add(p.getFileName().toString(), null);
            }
        } catch (IOException e) {
            throw new FsException(Errno.EIO, path);
        }
    }

    @Override
    public long open(String path, int flags, Caller caller) {
        return 0;
    }

    @Override
    public int read(String path, long handle, ByteBuffer dst, long offset) throws FsException {
        try (FileChannel ch = FileChannel.open(host(path))) {
            int n = ch.read(dst, offset);
            return Math.max(n, 0);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, path);
        }
    }

    @Override
    public byte[] readlink(String path) throws FsException {
        try {
            return Files.readSymbolicLink(host(path)).toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FsException(Errno.EINVAL, path);
        }
    }

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        TreeMap<String, byte[]> x = io.squashroot.host.HostXattrs.read(host(path));
        if (x == null || !x.containsKey(name)) {
            throw new FsException(Errno.ENODATA);
        }
        return x.get(name);
    }

    @Override
    public List<String> listxattr(String path) {
        TreeMap<String, byte[]> x = io.squashroot.host.HostXattrs.read(host(path));
        return x == null ? List.of() : new ArrayList<>(x.keySet());
    }

    @Override
    public FsStat statfs(String path) {
        return new FsStat(4096, 0, 0, 0, 0, 0, 255);
    }
}
