package io.squashroot.overlay;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The {@code user.*} xattrs of upper entries, kept in one file per directory for upper file
 * systems that store none (tmpfs before Linux 6.6, ramfs, some network file systems): the
 * recorded owner ({@code user.squashroot.stat}), escaped container xattrs and the container's
 * own {@code user.*} xattrs. The format is in docs/overlay-format.md ("Sidecar files").
 *
 * <p>A file's xattrs live in its parent directory's sidecar under the file's name; a
 * directory's own under the name {@code "."} in its own sidecar, so renaming a directory moves
 * them with it. Each change rewrites the directory's sidecar under a temporary name in the work
 * directory, fsyncs it and renames it into place: a crash leaves the old or the new sidecar.
 * Entries of the work directory itself are kept in memory only (the work directory is emptied
 * at every mount). The caller serializes changes (the overlay's write lock); reads see
 * immutable snapshots.
 */
final class Sidecar {
    static final String FILE = ".wh..wh..xattrs";
    static final String HEADER = "squashroot-xattrs 1";
    static final String SELF = ".";
    /** A sidecar larger than this is refused rather than read into memory. */
    static final long MAX_BYTES = 16 << 20;
    private static final int XATTR_CREATE = 1;
    private static final int XATTR_REPLACE = 2;
    private static final int MAX_CACHED_DIRS = 10_000;

    /** xattrs by entry name, then by xattr name; both maps immutable once published. */
    private final Map<String, Map<String, Map<String, byte[]>>> dirs = new ConcurrentHashMap<>();
    private final String work;
    private final Supplier<String> temp;

    /**
     * @param work the work directory (its entries are kept in memory only)
     * @param temp fresh names in the work directory, for building sidecars
     */
    Sidecar(String work, Supplier<String> temp) {
        this.work = work;
        this.temp = temp;
    }

    /**
     * Whether the file system under {@code dir} refuses user.* xattrs (ENOTSUP). Any other
     * failure of the probe (a full file system, say) is not a reason to leave the host's
     * xattrs: the same error will reach whatever needs them, as it would without the probe.
     */
    static boolean needed(String dir) {
        String probe = RecordedStat.PREFIX + "probe";
        try {
            HostFs.setxattr(dir, probe, new byte[] {1}, 0);
            HostFs.removexattr(dir, probe);
            return false;
        } catch (FsException e) {
            return e.errno() == Errno.ENOTSUP;
        }
    }

    private record Key(String dir, String name) {
    }

    private static Key key(String hp) throws FsException {
        return HostFs.lstat(hp).isDirectory() ? new Key(hp, SELF) : keyOfName(hp);
    }

    private static Key keyOfName(String hp) {
        return new Key(Upper.parentOf(hp), Upper.nameOf(hp));
    }

    byte[] get(String hp, String xattr) throws FsException {
        return get(hp, HostFs.lstat(hp).isDirectory(), xattr);
    }

    /** As {@link #get(String, String)} for an entry already lstat'ed. */
    byte[] get(String hp, boolean isDirectory, String xattr) throws FsException {
        Key k = isDirectory ? new Key(hp, SELF) : keyOfName(hp);
        Map<String, byte[]> x = load(k.dir()).get(k.name());
        byte[] v = x == null ? null : x.get(xattr);
        return v == null ? null : v.clone();
    }

    List<String> list(String hp) throws FsException {
        Key k = key(hp);
        Map<String, byte[]> x = load(k.dir()).get(k.name());
        return x == null ? List.of() : List.copyOf(x.keySet());
    }

    synchronized void set(String hp, String xattr, byte[] value, int flags) throws FsException {
        if (value.length > HostFs.XATTR_SIZE_MAX) {
            throw new FsException(Errno.E2BIG);
        }
        if (xattr.isEmpty() || xattr.length() > 255) {
            throw new FsException(Errno.ERANGE);
        }
        Key k = key(hp);
        Map<String, byte[]> x = new TreeMap<>(load(k.dir()).getOrDefault(k.name(), Map.of()));
        boolean exists = x.containsKey(xattr);
        if ((flags & XATTR_CREATE) != 0 && exists) {
            throw new FsException(Errno.EEXIST);
        }
        if ((flags & XATTR_REPLACE) != 0 && !exists) {
            throw new FsException(Errno.ENODATA);
        }
        x.put(xattr, value.clone());
        store(k.dir(), k.name(), x);
    }

    /** Removes one xattr; false when it was absent. */
    synchronized boolean remove(String hp, String xattr) throws FsException {
        Key k = key(hp);
        Map<String, byte[]> cur = load(k.dir()).get(k.name());
        if (cur == null || !cur.containsKey(xattr)) {
            return false;
        }
        Map<String, byte[]> x = new TreeMap<>(cur);
        x.remove(xattr);
        store(k.dir(), k.name(), x);
        return true;
    }

    /** Drops the xattrs of a non-directory about to be deleted (or already gone) at {@code hp}. */
    synchronized void forget(String hp) throws FsException {
        Key k = keyOfName(hp);
        if (load(k.dir()).containsKey(k.name())) {
            store(k.dir(), k.name(), null);
        }
    }

    /** Gives the new hard link {@code to} the xattrs of {@code from} (records are per name). */
    synchronized void copy(String from, String to) throws FsException {
        Key f = keyOfName(from);
        Key t = keyOfName(to);
        store(t.dir(), t.name(), load(f.dir()).get(f.name()));
    }

    /** The host rename that {@link #rename} wraps. */
    interface HostRename {
        void run() throws FsException;
    }

    /**
     * Renames {@code from} to {@code to} through {@code op}, moving a non-directory's xattrs
     * with its name: the destination's sidecar is written first (and restored if the rename
     * fails), the source's after.
     */
    synchronized void rename(String from, String to, boolean exchange, HostRename op) throws FsException {
        boolean fromDir = HostFs.lstat(from).isDirectory();
        HostStat t = HostFs.lstatOrNull(to);
        boolean toDir = t != null && t.isDirectory();
        Key f = keyOfName(from);
        Key k = keyOfName(to);
        Map<String, byte[]> fromX = fromDir ? null : load(f.dir()).get(f.name());
        Map<String, byte[]> toX = load(k.dir()).get(k.name());
        store(k.dir(), k.name(), fromX);
        try {
            op.run();
        } catch (FsException e) {
            store(k.dir(), k.name(), toX);
            throw e;
        }
        store(f.dir(), f.name(), exchange && !toDir ? toX : null);
        if (fromDir || toDir) {
            forgetTree(from);
            forgetTree(to);
        }
    }

    /** Forgets cached sidecars at and below {@code hostDir} (renamed or deleted directories). */
    void forgetTree(String hostDir) {
        String prefix = hostDir + "/";
        dirs.keySet().removeIf(d -> d.equals(hostDir) || d.startsWith(prefix));
    }

    private Map<String, Map<String, byte[]>> load(String dir) throws FsException {
        Map<String, Map<String, byte[]>> m = dirs.get(dir);
        if (m == null) {
            m = dir.equals(work) ? Map.of() : SidecarFormat.read(dir + "/" + FILE);
            if (dirs.size() >= MAX_CACHED_DIRS) {
                dirs.clear();
            }
            dirs.put(dir, m);
        }
        return m;
    }

    /** Sets (or with null/empty removes) one entry's xattrs and writes the directory's sidecar. */
    private void store(String dir, String name, Map<String, byte[]> x) throws FsException {
        Map<String, Map<String, byte[]>> cur = load(dir);
        if ((x == null || x.isEmpty()) && !cur.containsKey(name)) {
            return;
        }
        Map<String, Map<String, byte[]>> next = new TreeMap<>(cur);
        if (x == null || x.isEmpty()) {
            next.remove(name);
        } else {
            next.put(name, Collections.unmodifiableMap(new TreeMap<>(x)));
        }
        next = Collections.unmodifiableMap(next);
        if (!dir.equals(work)) {
            write(dir, next);
        }
        dirs.put(dir, next);
    }

    private void write(String dir, Map<String, Map<String, byte[]>> entries) throws FsException {
        String file = dir + "/" + FILE;
        if (entries.isEmpty()) {
            Upper.deleteIfExists(file);
            return;
        }
        byte[] text = SidecarFormat.encode(entries);
        String tmp = temp.get();
        try (FileChannel ch = FileChannel.open(Path.of(tmp), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(text);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Upper.deleteIfExists(tmp);
            throw HostFs.fromIo(e, "write " + file);
        }
        try {
            HostFs.rename(tmp, file, 0);
        } catch (FsException e) {
            Upper.deleteIfExists(tmp);
            throw e;
        }
    }
}
