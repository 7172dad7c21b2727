package io.squashroot.overlay;

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
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A read-only {@link FsTree} over a directory on the host: the plain-directory lower layer.
 * Attributes are the host's, inode numbers included, so hard links keep one number.
 */
public final class DirectoryTree implements FsTree {
    private final String root;
    private final OpenFiles<FileChannel> files = new OpenFiles<>();

    private DirectoryTree(String root) {
        this.root = root;
    }

    /** A tree over {@code dir}, which must be an existing directory. */
    public static DirectoryTree of(Path dir) throws IOException {
        Path real = dir.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException(dir + ": not a directory");
        }
        String s = real.toString();
        return new DirectoryTree(s.equals("/") ? "" : s);
    }

    /** The host path behind a tree path ("/" or "/a/b"). */
    String hostPath(String path) {
        return root + path;
    }

    @Override
    public FileAttr getattr(String path) throws FsException {
        HostStat st = HostFs.lstat(hostPath(path));
        return st.toAttr(st.ino());
    }

    @Override
    public void readdir(String path, DirFiller filler) throws FsException {
        Path dir = Path.of(hostPath(path));
        if (!filler.add(".", null) || !filler.add("..", null)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!filler.add(p.getFileName().toString(), null)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw HostFs.fromIo(e, "readdir " + dir);
        }
    }

    @Override
    public long open(String path, int flags, Caller caller) throws FsException {
        if ((flags & 3) != 0) {
            throw new FsException(Errno.EROFS);
        }
        try {
            return files.add(FileChannel.open(Path.of(hostPath(path)), StandardOpenOption.READ));
        } catch (IOException e) {
            throw HostFs.fromIo(e, "open " + hostPath(path));
        }
    }

    @Override
    public int read(String path, long handle, ByteBuffer dst, long offset) throws FsException {
        return readFully(files.get(handle), dst, offset, path);
    }

    /** Reads until {@code dst} is full or the file ends: FUSE treats a short read as EOF. */
    static int readFully(FileChannel ch, ByteBuffer dst, long offset, String what) throws FsException {
        int total = 0;
        try {
            while (dst.hasRemaining()) {
                int n = ch.read(dst, offset + total);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            throw HostFs.fromIo(e, "read " + what);
        }
        return total;
    }

    @Override
    public void release(String path, long handle) {
        FileChannel ch = files.remove(handle);
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was written through a read-only channel
            }
        }
    }

    @Override
    public byte[] readlink(String path) throws FsException {
        try {
            return Files.readSymbolicLink(Path.of(hostPath(path))).toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HostFs.fromIo(e, "readlink " + hostPath(path));
        }
    }

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        byte[] v = HostFs.getxattr(hostPath(path), name);
        if (v == null) {
            throw new FsException(Errno.ENODATA);
        }
        return v;
    }

    @Override
    public List<String> listxattr(String path) throws FsException {
        return HostFs.listxattr(hostPath(path));
    }

    @Override
    public FsStat statfs(String path) throws FsException {
        return HostFs.statvfs(hostPath(path));
    }

    @Override
    public void destroy() {
        for (FileChannel ch : files.all()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }
}
