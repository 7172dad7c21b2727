package io.squashroot.overlay;

import io.squashroot.host.FileWrites;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A writable tree over ordered read-only lower trees and one upper directory, with the
 * semantics of Linux overlayfs and OCI layers (docs/overlay-format.md).
 *
 * <p>Concurrency: operations that change the namespace or copy up hold one write lock;
 * lookups, listings and opens for reading share a read lock; reads and writes on open files
 * take no lock. Locks (POSIX, flock) are left to the kernel, which keeps them per mount when
 * a FUSE file system has no lock operation.
 */
public final class Overlay implements FsTree {
    private static final int O_ACCMODE = 3;
    private static final int O_EXCL = 0200;
    private static final int O_TRUNC = 01000;
    private static final int O_APPEND = 02000;
    private final Upper upper;
    private final List<FsTree> lowers;
    private final Resolver resolver;
    private final Inodes inodes = new Inodes();
    private final CopyUp copyUp;
    private final Namespace ns;
    private final OpenFiles<OpenFile> files = new OpenFiles<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private final IdMap ids;
    private final boolean mapped;

    private Overlay(Upper upper, List<FsTree> lowers, IdMap ids) {
        this.upper = upper;
        this.ids = ids;
        this.mapped = !ids.isIdentity();
        this.lowers = List.copyOf(lowers);
        this.resolver = new Resolver(upper, this.lowers);
        this.copyUp = new CopyUp(resolver, upper, inodes);
        this.ns = new Namespace(resolver, upper, copyUp, inodes);
    }

    /**
     * An overlay of {@code lowers} (topmost first) under the writable directory {@code upperDir},
     * which must exist. Leftovers of an interrupted copy-up in it are removed.
     */
    public static Overlay open(List<? extends FsTree> lowers, Path upperDir) throws IOException {
        return open(lowers, upperDir, IdMap.identity());
    }

    /**
     * As {@link #open(List, Path)} for a container whose user namespace maps ids by {@code ids}:
     * the kernel's requests carry host ids, which are recorded as container ids, and every id
     * served (lower and upper) is presented as the host id the namespace shows as that
     * container id.
     */
    public static Overlay open(List<? extends FsTree> lowers, Path upperDir, IdMap ids) throws IOException {
        return open(lowers, upperDir, HostFs.geteuid() == 0, false, ids);
    }

    /**
     * The merged root directory is the upper directory itself, as in overlayfs. A runtime makes
     * that directory private (0700, its own), which with the kernel checking permissions for a
     * mapped container (default_permissions) would lock every container user but root out of
     * the whole tree. So a root that is private and has nothing recorded takes the topmost
     * lower root's owner and mode, as a copy-up would have given it.
     */
    private void adoptLowerRoot() throws IOException {
        String hp = upper.path("/");
        try {
            HostStat st = HostFs.lstat(hp);
            if ((st.mode() & 077) != 0 || upper.recorded(hp, st) != null) {
                return;
            }
            FileAttr top = lowers.get(0).getattr("/");
            upper.setStat(hp, top.uid(), top.gid(), FileAttr.S_IFDIR | (top.mode() & 07777), 0, false);
        } catch (FsException e) {
            throw new IOException(hp + ": cannot give the upper root the image root's owner and mode: " + e.getMessage(), e);
        }
    }

    /** As {@link #open(List, Path)}; {@code privileged} false records owners even as root. */
    static Overlay open(List<? extends FsTree> lowers, Path upperDir, boolean privileged) throws IOException {
        return open(lowers, upperDir, privileged, false);
    }

    /** As above; {@code forceSidecar} keeps user.* xattrs in sidecar files even where the host has them. */
    static Overlay open(List<? extends FsTree> lowers, Path upperDir, boolean privileged, boolean forceSidecar)
            throws IOException {
        return open(lowers, upperDir, privileged, forceSidecar, IdMap.identity());
    }

    /** As above, translating through {@code ids} ({@link #open(List, Path, IdMap)}). */
    static Overlay open(List<? extends FsTree> lowers, Path upperDir, boolean privileged, boolean forceSidecar,
                        IdMap ids) throws IOException {
        Overlay o = new Overlay(new Upper(upperDir, privileged, forceSidecar, ids), new ArrayList<>(lowers), ids);
        if (o.mapped && !lowers.isEmpty()) {
            o.adoptLowerRoot();
        }
        return o;
    }

    private Lock read() {
        Lock l = lock.readLock();
        l.lock();
        return l;
    }

    private Lock write() {
        Lock l = lock.writeLock();
        l.lock();
        return l;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public FileAttr getattr(String path) throws FsException {
        Lock l = read();
        try {
            return attr(resolver.resolve(path));
        } finally {
            l.unlock();
        }
    }

    private FileAttr attr(Node n) throws FsException {
        FileAttr a;
        if (n.inUpper()) {
            String hp = upper.path(n.path());
            HostStat st = HostFs.lstat(hp);
            a = upper.attr(hp, st, inodes.ofUpper(st.ino()));
        } else {
            FileAttr la = n.lowerAttr();
            a = new FileAttr(inodes.ofLower(n.top(), la.ino()), la.mode(), la.nlink(), la.uid(), la.gid(),
                    la.rdev(), la.size(), la.blocks(), la.atimeSec(), la.atimeNsec(), la.mtimeSec(),
                    la.mtimeNsec(), la.ctimeSec(), la.ctimeNsec());
        }
        // A merged directory's link count is not known without listing every layer;
        // 1 is what find(1) and fts take as "unknown" (btrfs reports it too).
        long nlink = n.isDirectory() && n.dirLayers().length > 1 ? 1 : a.nlink();
        if (nlink != a.nlink() || mapped) {
            a = new FileAttr(a.ino(), a.mode(), nlink, ids.uidToHost(a.uid()), ids.gidToHost(a.gid()), a.rdev(),
                    a.size(), a.blocks(), a.atimeSec(), a.atimeNsec(), a.mtimeSec(), a.mtimeNsec(), a.ctimeSec(),
                    a.ctimeNsec());
        }
        return a;
    }

    @Override
    public void readdir(String path, DirFiller filler) throws FsException {
        List<String> names = new ArrayList<>();
        Lock l = read();
        try {
            Node n = resolver.resolve(path);
            if (!n.isDirectory()) {
                throw new FsException(Errno.ENOTDIR);
            }
            resolver.list(n, names::add);
        } finally {
            l.unlock();
        }
        if (!filler.add(".", null) || !filler.add("..", null)) {
            return;
        }
        for (String name : names) {
            if (!filler.add(name, null)) {
                return;
            }
        }
    }

    @Override
    public long open(String path, int flags, Caller caller) throws FsException {
        boolean writing = (flags & O_ACCMODE) != 0 || (flags & O_TRUNC) != 0;
        Lock l = writing ? write() : read();
        try {
            Node n = resolver.resolve(path);
            if (!writing && !n.inUpper()) {
                FsTree tree = resolver.lower(n.top());
                return files.add(OpenFile.ofLower(tree, path, tree.open(path, flags & ~O_ACCMODE, caller)));
            }
            if (n.isDirectory() && writing) {
                throw new FsException(Errno.EISDIR);
            }
            boolean trunc = (flags & O_TRUNC) != 0;
            String hp = writing ? copyUp.entry(n, !trunc) : upper.path(path);
            if (trunc) {
                HostFs.truncate(hp, 0);
            }
            return files.add(OpenFile.ofUpper(openChannel(hp, flags), (flags & O_APPEND) != 0));
        } finally {
            l.unlock();
        }
    }

    private static FileChannel openChannel(String hp, int flags) throws FsException {
        int acc = flags & O_ACCMODE;
        try {
            if (acc == 0) {
                return FileChannel.open(Path.of(hp), StandardOpenOption.READ);
            }
            if (acc == 1) {
                return FileChannel.open(Path.of(hp), StandardOpenOption.WRITE);
            }
            return FileChannel.open(Path.of(hp), StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw HostFs.fromIo(e, "open " + hp);
        }
    }

    @Override
    public int read(String path, long handle, ByteBuffer dst, long offset) throws FsException {
        OpenFile f = files.get(handle);
        if (f.upper() != null) {
            return DirectoryTree.readFully(f.upper(), dst, offset, path);
        }
        return f.lower().read(f.lowerPath(), f.lowerHandle(), dst, offset);
    }

    @Override
    public int write(String path, long handle, ByteBuffer src, long offset) throws FsException {
        OpenFile f = files.get(handle);
        if (f.upper() == null) {
            throw new FsException(Errno.EBADF);
        }
        FileChannel ch = f.upper();
        int total = src.remaining();
        try {
            FileWrites.writeFully(ch, src, f.append() ? ch.size() : offset);
        } catch (IOException e) {
            throw HostFs.fromIo(e, "write " + path);
        }
        return total;
    }

    @Override
    public void release(String path, long handle) throws FsException {
        OpenFile f = files.remove(handle);
        if (f == null) {
            return;
        }
        if (f.upper() != null) {
            try {
                f.upper().close();
            } catch (IOException e) {
                throw HostFs.fromIo(e, "close " + path);
            }
        } else {
            f.lower().release(f.lowerPath(), f.lowerHandle());
        }
    }

    @Override
    public void fsync(String path, long handle, boolean dataOnly) throws FsException {
        OpenFile f = handle > 0 ? files.get(handle) : null;
        if (f == null || f.upper() == null) {
            return; // nothing of ours to flush: lower layers are read-only
        }
        try {
            f.upper().force(!dataOnly);
        } catch (IOException e) {
            throw HostFs.fromIo(e, "fsync " + path);
        }
    }

    @Override
    public byte[] readlink(String path) throws FsException {
        Lock l = read();
        try {
            Node n = resolver.resolve(path);
            if (!n.inUpper()) {
                return resolver.lower(n.top()).readlink(path);
            }
            return Files.readSymbolicLink(Path.of(upper.path(path))).toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HostFs.fromIo(e, "readlink " + path);
        } finally {
            l.unlock();
        }
    }

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        Lock l = read();
        try {
            Node n = resolver.resolve(path);
            byte[] v;
            if (Whiteout.isInternalXattr(name)) {
                v = null;
            } else if (n.inUpper()) {
                v = upper.getXattr(upper.path(path), name);
            } else {
                v = resolver.lower(n.top()).getxattr(path, name);
            }
            if (v == null) {
                throw new FsException(Errno.ENODATA);
            }
            return mapped && AclIds.isAcl(name) ? AclIds.toHost(v, ids) : v;
        } finally {
            l.unlock();
        }
    }

    @Override
    public List<String> listxattr(String path) throws FsException {
        Lock l = read();
        try {
            Node n = resolver.resolve(path);
            if (n.inUpper()) {
                return upper.listXattr(upper.path(path));
            }
            List<String> out = new ArrayList<>(resolver.lower(n.top()).listxattr(path));
            out.removeIf(Whiteout::isInternalXattr);
            return out;
        } finally {
            l.unlock();
        }
    }

    @Override
    public FsStat statfs(String path) throws FsException {
        return HostFs.statvfs(upper.path("/"));
    }

    @Override
    public void destroy() {
        for (OpenFile f : files.all()) {
            try {
                if (f.upper() != null) {
                    f.upper().close();
                }
            } catch (IOException ignored) {
                // the data was written with write(2); close errors cannot lose it now
            }
        }
        lowers.forEach(FsTree::destroy);
        upper.close();
    }

    // ---- write side: each runs under the write lock ----------------------------------------

    private interface Change {
        void run() throws FsException;
    }

    private void change(Change c) throws FsException {
        Lock l = write();
        try {
            c.run();
        } catch (FsException | RuntimeException e) {
            resolver.invalidateAll();
            upper.forgetXattrNames(); // a half-done change may have freed an inode
            throw e;
        } finally {
            l.unlock();
        }
    }

    @Override
    public long create(String path, int mode, int flags, Caller caller) throws FsException {
        Lock l = write();
        try {
            Node existing = resolver.resolveOrNull(path);
            if (existing != null) {
                if ((flags & O_EXCL) != 0) {
                    throw new FsException(Errno.EEXIST);
                }
                return open(path, flags & ~O_EXCL, caller);
            }
            return files.add(OpenFile.ofUpper(ns.createFile(path, mode, inContainer(caller)),
                    (flags & O_APPEND) != 0));
        } catch (FsException | RuntimeException e) {
            resolver.invalidateAll();
            upper.forgetXattrNames();
            throw e;
        } finally {
            l.unlock();
        }
    }

    @Override
    public void mkdir(String path, int mode, Caller caller) throws FsException {
        change(() -> ns.create(path, FileAttr.S_IFDIR | (mode & 07777), 0, inContainer(caller)));
    }

    @Override
    public void mknod(String path, int mode, long rdev, Caller caller) throws FsException {
        change(() -> ns.create(path, mode, rdev, inContainer(caller)));
    }

    @Override
    public void symlink(String target, String linkPath, Caller caller) throws FsException {
        change(() -> ns.symlink(target, linkPath, inContainer(caller)));
    }

    @Override
    public void link(String existingPath, String newPath) throws FsException {
        change(() -> ns.link(existingPath, newPath));
    }

    @Override
    public void unlink(String path) throws FsException {
        change(() -> ns.unlink(path));
    }

    @Override
    public void rmdir(String path) throws FsException {
        change(() -> ns.rmdir(path));
    }

    @Override
    public void rename(String from, String to, int flags) throws FsException {
        change(() -> ns.rename(from, to, flags));
    }

    @Override
    public void truncate(String path, long size, long handle) throws FsException {
        change(() -> {
            Node n = resolver.resolve(path);
            if (n.isDirectory()) {
                throw new FsException(Errno.EISDIR);
            }
            HostFs.truncate(copyUp.entry(n, size > 0), size);
        });
    }

    @Override
    public void chmod(String path, int mode) throws FsException {
        change(() -> {
            String hp = copyUp.entry(resolver.resolve(path), true);
            upper.chmod(hp, mode);
        });
    }

    @Override
    public void chown(String path, long uid, long gid) throws FsException {
        change(() -> {
            String hp = copyUp.entry(resolver.resolve(path), true);
            upper.chown(hp, unchanged(uid) ? -1 : ids.uidToContainer(uid), unchanged(gid) ? -1 : ids.gidToContainer(gid));
        });
    }

    /** The kernel's caller (host ids) as the container's ids, which the upper records. */
    private Caller inContainer(Caller c) {
        return !mapped ? c : new Caller(ids.uidToContainer(c.uid()), ids.gidToContainer(c.gid()), c.pid());
    }

    private static boolean unchanged(long id) {
        return id == -1 || id == 0xffffffffL;
    }

    @Override
    public void utimens(String path, long atimeNanos, long mtimeNanos) throws FsException {
        change(() -> HostFs.utimens(copyUp.entry(resolver.resolve(path), true), atimeNanos, mtimeNanos));
    }

    @Override
    public void setxattr(String path, String name, byte[] value, int flags) throws FsException {
        if (Whiteout.isInternalXattr(name)) {
            throw new FsException(Errno.EPERM, name + " is reserved for the overlay's markers");
        }
        // The kernel put host ids in a POSIX ACL (see AclIds); the upper keeps container ids.
        byte[] v = mapped && AclIds.isAcl(name) ? AclIds.toContainer(value, ids) : value;
        change(() -> {
            String hp = copyUp.entry(resolver.resolve(path), true);
            if (AclIds.ACCESS.equals(name)) {
                upper.setAccessAcl(hp, v, flags); // the mode follows, as the kernel leaves it to us
            } else {
                upper.setXattr(hp, name, v, flags);
            }
        });
    }

    @Override
    public void removexattr(String path, String name) throws FsException {
        change(() -> {
            if (Whiteout.isInternalXattr(name)
                    || !upper.removeXattr(copyUp.entry(resolver.resolve(path), true), name)) {
                throw new FsException(Errno.ENODATA);
            }
        });
    }
}
