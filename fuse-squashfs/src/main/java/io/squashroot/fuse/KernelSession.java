package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import io.squashroot.tree.NameBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A FUSE session that speaks the kernel protocol itself on the /dev/fuse descriptor, in
 * place of libfuse2's high-level loop: each worker thread reads one request into its own
 * buffer, calls the {@link FsTree}, and writes the reply with one write(2). No upcall crosses
 * from native code into Java, no path is handed through C strings, and the session speaks
 * protocol 7.38 instead of libfuse2's 7.19: larger requests (max_pages), parallel directory
 * operations, and (when asked) the kernel's writeback cache.
 *
 * <p>Node ids and paths are kept by {@link NodeTable}, open directories by {@link DirListings},
 * which workers wait for requests by {@link Readers}; {@link KernelWrites} handles the requests
 * that create, remove or move names, {@link HiddenFiles} the open files that lose their name.
 *
 * <p>No exception leaves a worker: {@link FsException} becomes its errno, anything else EIO,
 * logged the first time only.
 */
final class KernelSession implements FuseSession {

    private static final Logger LOG = Logger.getLogger(KernelSession.class.getName());

    /** Largest WRITE payload asked for (256 pages); each worker's buffer holds one plus headers. */
    static final int MAX_WRITE = 1 << 20;
    private static final int IN_BUFFER = MAX_WRITE + 4096;
    private static final int OUT_BUFFER = Math.max(MountOptions.KERNEL_MAX_READ, MAX_WRITE) + 4096;

    private static final int O_ACCMODE = 3;
    private static final int O_RDWR = 2;
    private static final int O_WRONLY = 1;
    private static final int O_APPEND = 02000;
    private static final int O_TRUNC = 01000;

    private final FsTree tree;
    private final long uid;
    private final long gid;
    private final boolean treeReadOnly;
    private final boolean kernelCache;
    private final boolean writeback;
    /** Whether to ask for FUSE_POSIX_ACL: writable trees mounted with default_permissions. */
    private final boolean wantAcl;
    /** Whether the kernel enforces POSIX ACLs here: then new entries inherit them (AclInheritance). */
    private volatile boolean posixAcl;
    private final long entryNanos;
    private final long attrNanos;
    private final long negativeNanos;
    private final int readahead;
    private final NodeTable nodes = new NodeTable();
    private final DirListings dirs;
    private final AtomicBoolean errorLogged = new AtomicBoolean();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final Readers readers;
    private final SetIdClearing setIds;
    private final HiddenFiles hiddenFiles;
    /** A node whose attributes the worker must tell the kernel to drop after its reply, or 0. */
    private final ThreadLocal<long[]> staleAttributes = ThreadLocal.withInitial(() -> new long[1]);
    private volatile boolean exited;
    private DevFuse.Channel channel;
    private int fd = -1;

    KernelSession(FsTree tree, MountOptions opts) throws FuseUnavailableException {
        DevFuse.load();
        this.tree = tree;
        this.uid = opts.uid();
        this.gid = opts.gid();
        this.treeReadOnly = tree.isReadOnly();
        this.kernelCache = opts.kernelCache();
        this.writeback = opts.writebackCache() && !treeReadOnly && !opts.readOnly();
        this.wantAcl = opts.allowOther() && !treeReadOnly && !opts.readOnly();
        this.entryNanos = Wire.nanos(opts.entrySeconds(treeReadOnly));
        this.attrNanos = Wire.nanos(opts.attrSeconds(treeReadOnly));
        this.negativeNanos = treeReadOnly ? entryNanos : 0;
        this.readahead = opts.readaheadBytes();
        this.readers = new Readers(!treeReadOnly);
        this.dirs = new DirListings(this);
        this.setIds = new SetIdClearing(tree, gid);
        this.hiddenFiles = new HiddenFiles(tree, nodes);
    }

    /** Mounts; requests are served once threads call {@link #serve()}. */
    void mount(Path mountpoint, List<String> mountArgs) throws IOException {
        channel = DevFuse.mount(mountpoint, mountArgs);
        fd = channel.fd();
    }

    /** Stops workers from taking more requests once their current read returns. */
    @Override
    public void exit() {
        exited = true;
        readers.close();
    }

    /** Unmounts if still mounted, closes the device and tells the tree; after every worker returned. */
    @Override
    public void destroy() {
        if (channel != null) {
            DevFuse.unmount(channel);
            channel = null;
        }
        destroyTree();
    }

    private void destroyTree() {
        if (destroyed.compareAndSet(false, true)) {
            try {
                tree.destroy();
            } catch (Throwable t) {
                fail(t, "destroy", "/");
            }
        }
    }

    /** One worker: reads and answers requests until the kernel reports the connection gone. */
    @Override
    public void serve() {
        ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        long inAddr = DevFuse.address(in);
        long outAddr = DevFuse.address(out);
        ByteBuffer notice = ByteBuffer.allocateDirect(Wire.OUT_HEADER + 24).order(ByteOrder.LITTLE_ENDIAN);
        long noticeAddr = DevFuse.address(notice);
        try {
            serve(in, out, inAddr, outAddr, notice, noticeAddr);
        } finally {
            readers.close();
        }
    }

    private void serve(ByteBuffer in, ByteBuffer out, long inAddr, long outAddr, ByteBuffer notice, long noticeAddr) {
        while (!exited) {
            if (!readers.enter()) {
                continue;
            }
            int n = DevFuse.read(fd, inAddr, IN_BUFFER);
            readers.left();
            if (n == -Errno.EINTR || n == -Errno.EAGAIN || n == -Errno.ENOENT) {
                continue; // interrupted, or a request the kernel withdrew before we read it
            }
            if (n < Wire.IN_HEADER) {
                break; // ENODEV: unmounted; anything else: the connection is unusable
            }
            if (mayTakeLong(in)) {
                readers.mayTakeLong();
            }
            int len = handle(in, n, out);
            long[] stale = staleAttributes.get();
            if (stale[0] != 0) {
                // before the reply: the caller, woken by it, may stat at once
                invalidateAttributes(stale[0], notice, noticeAddr);
                stale[0] = 0;
            }
            if (len > 0) {
                int w = DevFuse.write(fd, outAddr, len);
                if (w < 0 && w != -Errno.ENOENT && w != -Errno.EINTR) {
                    if (w == -Errno.ENODEV) {
                        break;
                    }
                    fail(new IOException("reply write failed: errno " + -w), "reply", "/");
                }
            }
        }
    }

    /**
     * Requests that can keep a worker busy for long on a writable tree: reads (image data may
     * have to be decompressed), listings, and whatever may copy a file up (opens for writing,
     * truncates, renames, links) or wait for the disk (fsync).
     */
    private static boolean mayTakeLong(ByteBuffer in) {
        return switch (in.getInt(4)) {
            case Wire.READ, Wire.READDIR, Wire.READDIRPLUS, Wire.FSYNC, Wire.RENAME, Wire.RENAME2, Wire.LINK -> true;
            case Wire.OPEN -> (in.getInt(Wire.IN_HEADER) & (O_ACCMODE | O_TRUNC)) != 0;
            case Wire.SETATTR -> (in.getInt(Wire.IN_HEADER) & Wire.FATTR_SIZE) != 0;
            default -> false;
        };
    }

    /**
     * FUSE_NOTIFY_INVAL_INODE with offset -1: the kernel drops its cached attributes of a node
     * (not its pages). Sent for a write or open from which we cleared set-id bits and for an
     * ACL change, since those replies carry no attributes and the kernel would show (and exec
     * by) the old mode until the attribute timeout. Sent before the reply; safe then, as an
     * attribute-only invalidation takes no inode lock the pending request could hold. ENOENT
     * (the node is no longer cached) is fine.
     */
    private void invalidateAttributes(long nodeid, ByteBuffer out, long outAddr) {
        out.putInt(0, Wire.OUT_HEADER + 24);
        out.putInt(4, Wire.NOTIFY_INVAL_INODE);
        out.putLong(8, 0);
        out.putLong(Wire.OUT_HEADER, nodeid);
        out.putLong(Wire.OUT_HEADER + 8, -1);
        out.putLong(Wire.OUT_HEADER + 16, 0);
        DevFuse.write(fd, outAddr, Wire.OUT_HEADER + 24);
    }

    // ---- dispatch ---------------------------------------------------------------------------

    /** Handles one request; returns the length of the reply written into {@code out}, or 0 for none. */
    private int handle(ByteBuffer in, int n, ByteBuffer out) {
        int opcode = in.getInt(4);
        long unique = in.getLong(8);
        long nodeid = in.getLong(16);
        String where = null;
        try {
            int payload;
            switch (opcode) {
                case Wire.INIT -> payload = init(in, out);
                case Wire.LOOKUP -> payload = lookup(nodeid, Wire.name(in, Wire.IN_HEADER, n), out);
                case Wire.FORGET -> {
                    nodes.forget(nodeid, in.getLong(Wire.IN_HEADER));
                    return 0;
                }
                case Wire.BATCH_FORGET -> {
                    int count = in.getInt(Wire.IN_HEADER);
                    for (int i = 0, p = Wire.IN_HEADER + 8; i < count && p + 16 <= n; i++, p += 16) {
                        nodes.forget(in.getLong(p), in.getLong(p + 8));
                    }
                    return 0;
                }
                case Wire.INTERRUPT -> {
                    return 0; // every request finishes promptly; nothing to cancel
                }
                case Wire.GETATTR -> {
                    where = nodes.path(nodeid);
                    payload = attrOut(tree.getattr(where), out);
                }
                case Wire.SETATTR -> {
                    where = nodes.path(nodeid);
                    payload = setattr(where, in, out);
                }
                case Wire.READLINK -> {
                    where = nodes.path(nodeid);
                    byte[] target = tree.readlink(where);
                    out.put(Wire.OUT_HEADER, target);
                    payload = target.length;
                }
                case Wire.OPEN -> {
                    where = nodes.path(nodeid);
                    payload = open(nodeid, where, in, out);
                }
                case Wire.READ -> {
                    where = nodes.pathOrNull(nodeid);
                    payload = read(where, in, out);
                }
                case Wire.WRITE -> {
                    where = nodes.pathOrNull(nodeid);
                    int size = in.getInt(Wire.IN_HEADER + 16);
                    int data = Wire.IN_HEADER + 40;
                    if (size < 0 || data + size > n) {
                        throw new FsException(Errno.EINVAL);
                    }
                    if ((in.getInt(Wire.IN_HEADER + 20) & Wire.WRITE_KILL_SUIDGID) != 0 && where != null
                            && setIds.clear(where, Wire.caller(in)) == null) {
                        staleAttributes.get()[0] = nodeid;
                    }
                    int written = tree.write(where, in.getLong(Wire.IN_HEADER), in.slice(data, size),
                            in.getLong(Wire.IN_HEADER + 8));
                    out.putLong(Wire.OUT_HEADER, written & 0xffffffffL);
                    payload = 8;
                }
                case Wire.RELEASE -> {
                    where = nodes.pathOrNull(nodeid);
                    release(nodeid, where, in.getLong(Wire.IN_HEADER));
                    payload = 0;
                }
                case Wire.FLUSH -> {
                    where = nodes.pathOrNull(nodeid);
                    tree.flush(where, in.getLong(Wire.IN_HEADER));
                    payload = 0;
                }
                case Wire.FSYNC -> {
                    where = nodes.pathOrNull(nodeid);
                    tree.fsync(where, in.getLong(Wire.IN_HEADER), (in.getInt(Wire.IN_HEADER + 8) & 1) != 0);
                    payload = 0;
                }
                case Wire.STATFS -> {
                    where = nodes.path(nodeid);
                    payload = Wire.putStatfs(out, tree.statfs(where));
                }
                case Wire.ACCESS -> {
                    where = nodes.path(nodeid);
                    tree.access(where, in.getInt(Wire.IN_HEADER), Wire.caller(in));
                    payload = 0;
                }
                case Wire.GETXATTR, Wire.LISTXATTR -> {
                    where = nodes.path(nodeid);
                    payload = xattrValue(opcode, where, in, n, out);
                }
                case Wire.SETXATTR -> {
                    where = nodes.path(nodeid);
                    int size = in.getInt(Wire.IN_HEADER);
                    int flags = in.getInt(Wire.IN_HEADER + 4);
                    int namePos = Wire.IN_HEADER + 8;
                    int end = Wire.terminator(in, namePos, n);
                    if (size < 0 || end + 1 + size > n) {
                        throw new FsException(Errno.EINVAL);
                    }
                    byte[] value = new byte[size];
                    in.get(end + 1, value);
                    String xattr = Wire.string(in, namePos, end);
                    tree.setxattr(where, xattr, value, flags);
                    aclChanged(xattr, nodeid);
                    payload = 0;
                }
                case Wire.REMOVEXATTR -> {
                    where = nodes.path(nodeid);
                    String xattr = Wire.name(in, Wire.IN_HEADER, n);
                    tree.removexattr(where, xattr);
                    aclChanged(xattr, nodeid);
                    payload = 0;
                }
                case Wire.OPENDIR -> {
                    nodes.path(nodeid);
                    out.putLong(Wire.OUT_HEADER, dirs.open());
                    out.putLong(Wire.OUT_HEADER + 8, 0);
                    payload = Wire.OPEN_OUT;
                }
                case Wire.READDIR, Wire.READDIRPLUS -> {
                    where = nodes.path(nodeid);
                    payload = dirs.reply(opcode == Wire.READDIRPLUS, nodeid, where, in, out);
                }
                case Wire.RELEASEDIR -> {
                    dirs.release(in.getLong(Wire.IN_HEADER));
                    payload = 0;
                }
                case Wire.DESTROY -> {
                    destroyTree();
                    payload = 0;
                }
                default -> {
                    if (treeReadOnly || !isWrite(opcode)) {
                        throw new FsException(Errno.ENOSYS);
                    }
                    payload = KernelWrites.handle(this, opcode, nodeid, in, n, out);
                }
            }
            out.putInt(0, Wire.OUT_HEADER + payload);
            out.putInt(4, 0);
            out.putLong(8, unique);
            return Wire.OUT_HEADER + payload;
        } catch (Throwable t) {
            int errno = fail(t, "FUSE opcode " + opcode, where);
            out.putInt(0, Wire.OUT_HEADER);
            out.putInt(4, -errno);
            out.putLong(8, unique);
            return Wire.OUT_HEADER;
        }
    }

    /**
     * An access ACL changes the mode's group bits (the tree keeps the two consistent, as a local
     * file system does); the kernel, which does not see that in the xattr reply, must drop the
     * mode it holds.
     */
    private void aclChanged(String xattr, long nodeid) {
        if (xattr.startsWith("system.posix_acl_")) {
            staleAttributes.get()[0] = nodeid;
        }
    }

    private static boolean isWrite(int opcode) {
        return switch (opcode) {
            case Wire.SYMLINK, Wire.MKNOD, Wire.MKDIR, Wire.UNLINK, Wire.RMDIR, Wire.RENAME, Wire.RENAME2,
                    Wire.LINK, Wire.CREATE -> true;
            default -> false;
        };
    }

    private int init(ByteBuffer in, ByteBuffer out) throws FsException {
        int major = in.getInt(Wire.IN_HEADER);
        int minor = in.getInt(Wire.IN_HEADER + 4);
        int kernelReadahead = in.getInt(Wire.IN_HEADER + 8);
        int kernelFlags = in.getInt(Wire.IN_HEADER + 12);
        if (major != Wire.KERNEL_MAJOR || minor < 23) {
            LOG.warning("squashroot: kernel FUSE protocol " + major + "." + minor + " is too old (7.23 or newer needed)");
            throw new FsException(Errno.EPROTO);
        }
        int want = Wire.ASYNC_READ | Wire.PARALLEL_DIROPS | Wire.MAX_PAGES;
        if (!treeReadOnly) {
            want |= Wire.BIG_WRITES;
            if (writeback) {
                want |= Wire.WRITEBACK_CACHE;
            }
            // We clear set-id bits and capabilities on write, truncate and chown ourselves
            // (SetIdClearing), so the kernel needs no GETATTR before each chown and no
            // security.capability GETXATTR before each write-through.
            want |= Wire.HANDLE_KILLPRIV_V2;
            if (wantAcl) {
                // With default_permissions (allow_other mounts: containers) the kernel checks
                // access by the ACLs too; inheritance and the umask are then ours (AclInheritance).
                want |= Wire.POSIX_ACL | Wire.DONT_MASK;
            }
        } else {
            want |= Wire.CACHE_SYMLINKS; // an image never changes a link's target
        }
        // One READDIRPLUS spares the LOOKUP per entry that `ls -l`, find, tar and import scans
        // send after a listing. An image's listing carries the attributes at no cost; a
        // writable tree's are looked up as the reply is filled (DirListings), the work a LOOKUP
        // would do without its round trip. AUTO: plain READDIR once the kernel sees no lookups follow.
        want |= Wire.DO_READDIRPLUS | Wire.READDIRPLUS_AUTO;
        for (int i = 0; i < 64; i += 8) {
            out.putLong(Wire.OUT_HEADER + i, 0);
        }
        out.putInt(Wire.OUT_HEADER, Wire.KERNEL_MAJOR);
        out.putInt(Wire.OUT_HEADER + 4, Math.min(minor, Wire.KERNEL_MINOR));
        out.putInt(Wire.OUT_HEADER + 8, Math.min(kernelReadahead, readahead));
        out.putInt(Wire.OUT_HEADER + 12, want & kernelFlags);
        posixAcl = (want & kernelFlags & Wire.POSIX_ACL) != 0 && (want & kernelFlags & Wire.DONT_MASK) != 0;
        // max_background and congestion_threshold stay 0: the kernel's defaults
        out.putInt(Wire.OUT_HEADER + 20, MAX_WRITE);
        out.putInt(Wire.OUT_HEADER + 24, 1); // time_gran: nanoseconds
        out.putShort(Wire.OUT_HEADER + 28, (short) (MAX_WRITE / 4096));
        return 64;
    }

    private int lookup(long parent, String name, ByteBuffer out) throws FsException {
        String path = nodes.path(parent, name);
        FileAttr a;
        try {
            a = tree.getattr(path);
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT && negativeNanos > 0) {
                Wire.putEntry(out, Wire.OUT_HEADER, 0, null, negativeNanos, 0, uid, gid);
                return Wire.ENTRY_OUT;
            }
            throw e;
        }
        return entry(parent, name, a, out);
    }

    /** A new name the kernel will hold: counts the lookup and writes fuse_entry_out. */
    int entry(long parent, String name, FileAttr a, ByteBuffer out) throws FsException {
        return entryOf(lookedUp(parent, name, a), a, out);
    }

    /** Counts a kernel lookup of {@code name}; hard-linked regular files share their node. */
    long lookedUp(long parent, String name, FileAttr a) throws FsException {
        return nodes.lookedUp(parent, name, a.ino(), a.isRegular() && a.nlink() > 1);
    }

    /** fuse_entry_out for node {@code id}, whose lookup the caller has counted. */
    int entryOf(long id, FileAttr a, ByteBuffer out) {
        putEntry(out, Wire.OUT_HEADER, id, a);
        return Wire.ENTRY_OUT;
    }

    /** fuse_entry_out at {@code pos} with this mount's timeouts and owner. */
    void putEntry(ByteBuffer out, int pos, long id, FileAttr a) {
        Wire.putEntry(out, pos, id, a, entryNanos, attrNanos, uid, gid);
    }

    int attrOut(FileAttr a, ByteBuffer out) {
        out.putLong(Wire.OUT_HEADER, attrNanos / 1_000_000_000L);
        out.putInt(Wire.OUT_HEADER + 8, (int) (attrNanos % 1_000_000_000L));
        out.putInt(Wire.OUT_HEADER + 12, 0);
        Wire.putAttr(out, Wire.OUT_HEADER + 16, a, uid, gid);
        return Wire.ATTR_OUT;
    }

    private int setattr(String path, ByteBuffer in, ByteBuffer out) throws FsException {
        int b = Wire.IN_HEADER;
        int valid = in.getInt(b);
        long fh = (valid & Wire.FATTR_FH) != 0 ? in.getLong(b + 8) : -1;
        if ((valid & Wire.FATTR_MODE) != 0) {
            tree.chmod(path, in.getInt(b + 68) & 07777);
        }
        if ((valid & (Wire.FATTR_UID | Wire.FATTR_GID)) != 0) {
            tree.chown(path, (valid & Wire.FATTR_UID) != 0 ? in.getInt(b + 76) & 0xffffffffL : -1,
                    (valid & Wire.FATTR_GID) != 0 ? in.getInt(b + 80) & 0xffffffffL : -1);
        }
        if ((valid & Wire.FATTR_SIZE) != 0) {
            tree.truncate(path, in.getLong(b + 16), fh);
        }
        // A chown comes with KILL_SUIDGID; when the clearing changed nothing, what it read is the
        // answer (one stat of the entry fewer for every chown of an untar).
        FileAttr current = null;
        if ((valid & Wire.FATTR_KILL_SUIDGID) != 0) {
            current = setIds.clear(path, Wire.caller(in));
        }
        if ((valid & (Wire.FATTR_ATIME | Wire.FATTR_MTIME)) != 0) {
            long atime = time(valid, Wire.FATTR_ATIME, Wire.FATTR_ATIME_NOW, in.getLong(b + 32), in.getInt(b + 56));
            long mtime = time(valid, Wire.FATTR_MTIME, Wire.FATTR_MTIME_NOW, in.getLong(b + 40), in.getInt(b + 60));
            tree.utimens(path, atime, mtime);
            current = null;
        }
        return attrOut(current != null ? current : tree.getattr(path), out);
    }

    private static long time(int valid, int set, int now, long sec, int nsec) {
        if ((valid & set) == 0) {
            return FileAttr.UTIME_OMIT;
        }
        if ((valid & now) != 0) {
            return FileAttr.UTIME_NOW;
        }
        return sec * 1_000_000_000L + (nsec & 0xffffffffL);
    }

    private int open(long nodeid, String path, ByteBuffer in, ByteBuffer out) throws FsException {
        int flags = in.getInt(Wire.IN_HEADER);
        long fh = tree.open(path, openFlags(flags), Wire.caller(in));
        nodes.opened(nodeid);
        if ((in.getInt(Wire.IN_HEADER + 4) & Wire.OPEN_KILL_SUIDGID) != 0 && setIds.clear(path, Wire.caller(in)) == null) {
            staleAttributes.get()[0] = nodeid;
        }
        return openOut(fh, out, Wire.OUT_HEADER);
    }

    /**
     * With the writeback cache the kernel may read pages of a file opened write-only and keeps
     * the file offset for O_APPEND itself: the tree gets read-write access and no O_APPEND.
     */
    int openFlags(int flags) {
        if (!writeback) {
            return flags;
        }
        if ((flags & O_ACCMODE) == O_WRONLY) {
            flags = (flags & ~O_ACCMODE) | O_RDWR;
        }
        return flags & ~O_APPEND;
    }

    int openOut(long fh, ByteBuffer out, int pos) {
        out.putLong(pos, fh);
        out.putInt(pos + 8, kernelCache ? Wire.FOPEN_KEEP_CACHE : 0);
        out.putInt(pos + 12, 0);
        return Wire.OPEN_OUT;
    }

    /**
     * Fills the reply with as many bytes as asked or up to end of file: the kernel takes a short
     * READ as end of file and zero-fills the rest of the page, so a tree that returns less in the
     * middle of a file (a block boundary) is asked again for the remainder.
     */
    private int read(String path, ByteBuffer in, ByteBuffer out) throws FsException {
        long fh = in.getLong(Wire.IN_HEADER);
        long offset = in.getLong(Wire.IN_HEADER + 8);
        int size = in.getInt(Wire.IN_HEADER + 16);
        if (size < 0 || size > out.capacity() - Wire.OUT_HEADER) {
            throw new FsException(Errno.EINVAL);
        }
        ByteBuffer dst = out.slice(Wire.OUT_HEADER, size);
        int total = 0;
        while (dst.hasRemaining()) {
            int got = tree.read(path, fh, dst, offset + total);
            if (got <= 0) {
                break;
            }
            total += got;
        }
        return total;
    }

    private void release(long nodeid, String path, long fh) throws FsException {
        try {
            tree.release(path, fh);
        } finally {
            hiddenFiles.remove(nodes.closed(nodeid));
        }
    }

    private int xattrValue(int opcode, String path, ByteBuffer in, int n, ByteBuffer out) throws FsException {
        int size = in.getInt(Wire.IN_HEADER);
        byte[] value;
        if (opcode == Wire.GETXATTR) {
            value = tree.getxattr(path, Wire.name(in, Wire.IN_HEADER + 8, n));
        } else {
            java.io.ByteArrayOutputStream list = new java.io.ByteArrayOutputStream();
            for (String x : tree.listxattr(path)) {
                list.writeBytes(NameBytes.encode(x));
                list.write(0);
            }
            value = list.toByteArray();
        }
        if (size == 0) {
            out.putInt(Wire.OUT_HEADER, value.length);
            out.putInt(Wire.OUT_HEADER + 4, 0);
            return 8;
        }
        if (value.length > size || value.length > out.capacity() - Wire.OUT_HEADER) {
            throw new FsException(Errno.ERANGE);
        }
        out.put(Wire.OUT_HEADER, value);
        return value.length;
    }

    // ---- shared with KernelWrites and DirListings ---------------------------------------------

    /**
     * What a new entry of {@code mode} in {@code parent} is created with: under FUSE_POSIX_ACL
     * the parent's default ACL and the request's umask; otherwise the mode as the kernel sent it
     * (umask applied).
     */
    AclInheritance newEntry(long parent, int mode, int umask, boolean dir) throws FsException {
        return posixAcl ? AclInheritance.of(tree, nodes.path(parent), mode, umask, dir)
                : new AclInheritance(mode, null, null);
    }

    SetIdClearing setIds() {
        return setIds;
    }

    HiddenFiles hiddenFiles() {
        return hiddenFiles;
    }

    FsTree tree() {
        return tree;
    }

    NodeTable nodes() {
        return nodes;
    }

    private int fail(Throwable t, String op, String path) {
        if (t instanceof FsException e) {
            return e.errno();
        }
        if (errorLogged.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "squashroot: " + op + " " + path + " failed (answering EIO; further"
                    + " unexpected errors are not logged)", t);
        }
        return Errno.EIO;
    }
}
