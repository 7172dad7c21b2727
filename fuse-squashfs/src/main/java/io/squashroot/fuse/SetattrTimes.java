package io.squashroot.fuse;

import io.squashroot.tree.FileAttr;
import jnr.ffi.Pointer;

/**
 * Makes libfuse 2.9's high-level setattr pass on a change of one timestamp alone.
 *
 * <p>Why: {@code fuse_lib_setattr} calls the file system's {@code utimens} only when the kernel's
 * SETATTR carries both FATTR_ATIME and FATTR_MTIME (or both _NOW bits), and silently answers
 * success for any other time change. {@code utimensat} with one time UTIME_OMIT sends just one
 * of them, and that is how {@code tar -x} sets every file's mtime, and what {@code touch -m} and
 * {@code touch -a} do: the change was lost. Before libfuse sees such a request, the missing
 * time is added with nanoseconds {@link FileAttr#UTIME_OMIT}, which libfuse copies into the
 * timespec it hands to {@code utimens}, and the tree leaves that time as it is.
 */
final class SetattrTimes {
    static final int FUSE_SETATTR = 4;
    /** struct fuse_in_header: len, opcode, unique, nodeid, uid, gid, pid, padding. */
    static final int IN_HEADER = 40;
    /** struct fuse_setattr_in (protocol 7.9+), 88 bytes. */
    static final int SETATTR_IN = 88;
    static final int FATTR_ATIME = 1 << 4;
    static final int FATTR_MTIME = 1 << 5;
    // offsets in fuse_setattr_in
    private static final int VALID = 0;
    private static final int ATIME = 32;
    private static final int MTIME = 40;
    private static final int ATIMENSEC = 56;
    private static final int MTIMENSEC = 60;

    private SetattrTimes() {
    }

    /** Completes a SETATTR request of {@code len} bytes in {@code buf} in place; leaves others alone. */
    static void complete(Pointer buf, int len) {
        if (len < IN_HEADER + SETATTR_IN || buf.getInt(4) != FUSE_SETATTR) {
            return;
        }
        long in = IN_HEADER;
        int valid = buf.getInt(in + VALID);
        int times = valid & (FATTR_ATIME | FATTR_MTIME);
        if (times == FATTR_MTIME) {
            buf.putInt(in + VALID, valid | FATTR_ATIME);
            buf.putLong(in + ATIME, 0);
            buf.putInt(in + ATIMENSEC, (int) FileAttr.UTIME_OMIT);
        } else if (times == FATTR_ATIME) {
            buf.putInt(in + VALID, valid | FATTR_MTIME);
            buf.putLong(in + MTIME, 0);
            buf.putInt(in + MTIMENSEC, (int) FileAttr.UTIME_OMIT);
        }
    }
}
