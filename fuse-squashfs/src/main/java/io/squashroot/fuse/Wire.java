package io.squashroot.fuse;

import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsStat;
import io.squashroot.tree.NameBytes;
import java.nio.ByteBuffer;

/**
 * The FUSE kernel protocol's numbers and record layouts (include/uapi/linux/fuse.h, protocol
 * 7.38): opcodes, INIT flags, encoders for the records replies carry and decoders for the
 * names and caller requests carry. All little-endian,
 * as the kernel's own structs on the architectures we run on.
 */
final class Wire {

    private Wire() {
    }

    static final int KERNEL_MAJOR = 7;
    /** The protocol minor we speak; the kernel uses the smaller of its own and this. */
    static final int KERNEL_MINOR = 38;

    static final int IN_HEADER = 40;
    static final int OUT_HEADER = 16;

    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int READLINK = 5;
    static final int SYMLINK = 6;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RMDIR = 11;
    static final int RENAME = 12;
    static final int LINK = 13;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int SETXATTR = 21;
    static final int GETXATTR = 22;
    static final int LISTXATTR = 23;
    static final int REMOVEXATTR = 24;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int FSYNCDIR = 30;
    static final int ACCESS = 34;
    static final int CREATE = 35;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;
    static final int READDIRPLUS = 44;
    static final int RENAME2 = 45;

    // INIT flags
    static final int ASYNC_READ = 1;
    static final int BIG_WRITES = 1 << 5;
    static final int DONT_MASK = 1 << 6;
    static final int DO_READDIRPLUS = 1 << 13;
    static final int READDIRPLUS_AUTO = 1 << 14;
    static final int WRITEBACK_CACHE = 1 << 16;
    static final int PARALLEL_DIROPS = 1 << 18;
    static final int POSIX_ACL = 1 << 20;
    static final int MAX_PAGES = 1 << 22;
    static final int CACHE_SYMLINKS = 1 << 23;
    static final int HANDLE_KILLPRIV_V2 = 1 << 28;

    /** write_in.write_flags, open_in.open_flags: the caller may not keep set-id bits. */
    static final int WRITE_KILL_SUIDGID = 1 << 2;
    static final int OPEN_KILL_SUIDGID = 1;

    // SETATTR valid bits
    static final int FATTR_MODE = 1;
    static final int FATTR_UID = 1 << 1;
    static final int FATTR_GID = 1 << 2;
    static final int FATTR_SIZE = 1 << 3;
    static final int FATTR_ATIME = 1 << 4;
    static final int FATTR_MTIME = 1 << 5;
    static final int FATTR_FH = 1 << 6;
    static final int FATTR_ATIME_NOW = 1 << 7;
    static final int FATTR_MTIME_NOW = 1 << 8;
    static final int FATTR_KILL_SUIDGID = 1 << 11;

    /** Notification code in an out header's error field (unique 0): drop a node's cached data. */
    static final int NOTIFY_INVAL_INODE = 2;

    // OPEN reply flags
    static final int FOPEN_KEEP_CACHE = 1 << 1;

    static final int ATTR_SIZE = 88;
    static final int ENTRY_OUT = 40 + ATTR_SIZE;
    static final int ATTR_OUT = 16 + ATTR_SIZE;
    static final int OPEN_OUT = 16;
    static final int DIRENT_HEADER = 24;

    /** The inode number libfuse reports for entries whose attributes it does not know. */
    static final long UNKNOWN_INO = 0xffffffffL;

    /** struct fuse_attr at {@code pos}; uid/gid >= 0 override the tree's owner. */
    static void putAttr(ByteBuffer b, int pos, FileAttr a, long uid, long gid) {
        b.putLong(pos, a.ino());
        b.putLong(pos + 8, a.size());
        b.putLong(pos + 16, a.blocks());
        b.putLong(pos + 24, a.atimeSec());
        b.putLong(pos + 32, a.mtimeSec());
        b.putLong(pos + 40, a.ctimeSec());
        b.putInt(pos + 48, a.atimeNsec());
        b.putInt(pos + 52, a.mtimeNsec());
        b.putInt(pos + 56, a.ctimeNsec());
        b.putInt(pos + 60, a.mode());
        b.putInt(pos + 64, (int) Math.min(a.nlink(), 0xffffffffL));
        b.putInt(pos + 68, (int) (uid >= 0 ? uid : a.uid()));
        b.putInt(pos + 72, (int) (gid >= 0 ? gid : a.gid()));
        // The kernel decodes rdev with new_decode_dev(): the low 32 bits of glibc's dev_t.
        b.putInt(pos + 76, (int) a.rdev());
        b.putInt(pos + 80, 4096);
        b.putInt(pos + 84, 0);
    }

    /** struct fuse_entry_out at {@code pos}. */
    static void putEntry(ByteBuffer b, int pos, long nodeid, FileAttr a, long entryNanos, long attrNanos,
                         long uid, long gid) {
        b.putLong(pos, nodeid);
        b.putLong(pos + 8, 0); // generation: node ids are never reused within a mount
        b.putLong(pos + 16, entryNanos / 1_000_000_000L);
        b.putLong(pos + 24, attrNanos / 1_000_000_000L);
        b.putInt(pos + 32, (int) (entryNanos % 1_000_000_000L));
        b.putInt(pos + 36, (int) (attrNanos % 1_000_000_000L));
        if (a != null) {
            putAttr(b, pos + 40, a, uid, gid);
        } else {
            for (int i = 0; i < ATTR_SIZE; i += 8) {
                b.putLong(pos + 40 + i, 0);
            }
        }
    }

    /** struct fuse_statfs_out (fuse_kstatfs) after the out header; returns its size. */
    static int putStatfs(ByteBuffer out, FsStat s) {
        int p = OUT_HEADER;
        out.putLong(p, s.blocks());
        out.putLong(p + 8, s.blocksFree());
        out.putLong(p + 16, s.blocksAvail());
        out.putLong(p + 24, s.files());
        out.putLong(p + 32, s.filesFree());
        out.putInt(p + 40, (int) s.blockSize());
        out.putInt(p + 44, (int) s.nameMax());
        out.putInt(p + 48, (int) s.blockSize());
        for (int i = 52; i < 80; i += 4) {
            out.putInt(p + i, 0);
        }
        return 80;
    }

    /** Bytes a dirent with a name of {@code nameLen} bytes takes, padded to 8. */
    static int direntSize(int nameLen) {
        return (DIRENT_HEADER + nameLen + 7) & ~7;
    }

    /** struct fuse_dirent at {@code pos}; returns its padded size. */
    static int putDirent(ByteBuffer b, int pos, long ino, long off, int type, byte[] name) {
        b.putLong(pos, ino);
        b.putLong(pos + 8, off);
        b.putInt(pos + 16, name.length);
        b.putInt(pos + 20, type);
        b.put(pos + 24, name);
        int size = direntSize(name.length);
        for (int i = pos + 24 + name.length; i < pos + size; i++) {
            b.put(i, (byte) 0);
        }
        return size;
    }

    /** The requesting process, from the in header (ids as the kernel maps them to the mount). */
    static Caller caller(ByteBuffer in) {
        return new Caller(in.getInt(24) & 0xffffffffL, in.getInt(28) & 0xffffffffL, in.getInt(32) & 0xffffffffL);
    }

    /** The NUL-terminated name at {@code pos}. */
    static String name(ByteBuffer in, int pos, int n) throws FsException {
        return string(in, pos, terminator(in, pos, n));
    }

    /** Where the NUL ending the string at {@code pos} is, within the request's {@code n} bytes; EINVAL if none. */
    static int terminator(ByteBuffer in, int pos, int n) throws FsException {
        for (int i = pos; i < n; i++) {
            if (in.get(i) == 0) {
                return i;
            }
        }
        throw new FsException(Errno.EINVAL);
    }

    /** The bytes [from, to) as a name ({@link NameBytes}: every byte string has a String of its own). */
    static String string(ByteBuffer in, int from, int to) {
        byte[] b = new byte[to - from];
        in.get(from, b);
        return NameBytes.decode(b);
    }

    static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }
}
