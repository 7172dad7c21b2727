package io.squashroot.overlay;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.util.function.LongUnaryOperator;

/**
 * Translates the ids inside a POSIX ACL xattr ({@value #ACCESS}, {@value #DEFAULT}) through an
 * {@link IdMap}, as the kernel does for these two names between a caller's user namespace and a
 * file system's. The FUSE server sits in the initial namespace, so the kernel hands it (and
 * expects back) host ids in the value, exactly as for st_uid; the overlay keeps container ids,
 * what the image holds and the upper records (docs/overlay-format.md, "POSIX ACLs").
 *
 * <p>The value is the kernel's {@code posix_acl_xattr} layout, little-endian: a 4-byte version
 * (2), then 8-byte entries of tag (u16), permission bits (u16) and id (u32). Only ACL_USER and
 * ACL_GROUP entries carry an id; the others hold ACL_UNDEFINED_ID and are left alone. A value
 * that is not such a list (short, ragged, other version, unknown tag, permission bits beyond
 * rwx, an id of -1 on a user or group entry) is refused with EINVAL, which is what the kernel
 * answers for it too.
 */
final class AclIds {
    static final String ACCESS = "system.posix_acl_access";
    static final String DEFAULT = "system.posix_acl_default";
    static final int VERSION = 2;
    static final int HEADER = 4;
    static final int ENTRY = 8;
    static final int USER_OBJ = 0x01;
    static final int USER = 0x02;
    static final int GROUP_OBJ = 0x04;
    static final int GROUP = 0x08;
    static final int MASK = 0x10;
    static final int OTHER = 0x20;
    private static final long UNDEFINED_ID = 0xffffffffL;

    private AclIds() {
    }

    static boolean isAcl(String name) {
        return ACCESS.equals(name) || DEFAULT.equals(name);
    }

    /** A value the kernel handed the server (host ids) as the container's ids; unmapped: 65534. */
    static byte[] toContainer(byte[] value, IdMap ids) throws FsException {
        return translate(value, ids::uidToContainer, ids::gidToContainer);
    }

    /** A stored value (container ids) as the host ids the kernel expects; unmapped: 65534. */
    static byte[] toHost(byte[] value, IdMap ids) throws FsException {
        return translate(value, ids::uidToHost, ids::gidToHost);
    }

    /**
     * A copy of {@code value} with each ACL_USER id passed through {@code uid} and each
     * ACL_GROUP id through {@code gid}; the input is never changed.
     */
    static byte[] translate(byte[] value, LongUnaryOperator uid, LongUnaryOperator gid) throws FsException {
        check(value);
        byte[] out = value.clone();
        for (int off = HEADER; off < out.length; off += ENTRY) {
            int tag = u16(out, off);
            if (tag == USER || tag == GROUP) {
                long id = u32(out, off + 4);
                putU32(out, off + 4, (tag == USER ? uid : gid).applyAsLong(id));
            }
        }
        return out;
    }

    /** Throws EINVAL unless {@code value} is a well-formed version 2 ACL xattr. */
    static void check(byte[] value) throws FsException {
        if (value == null || value.length < HEADER || (value.length - HEADER) % ENTRY != 0) {
            throw invalid("length " + (value == null ? 0 : value.length) + " is not 4 + 8 * entries");
        }
        long version = u32(value, 0);
        if (version != VERSION) {
            throw invalid("version " + version + ", expected " + VERSION);
        }
        for (int off = HEADER; off < value.length; off += ENTRY) {
            int tag = u16(value, off);
            int perm = u16(value, off + 2);
            int entry = (off - HEADER) / ENTRY;
            if (tag != USER_OBJ && tag != USER && tag != GROUP_OBJ && tag != GROUP && tag != MASK && tag != OTHER) {
                throw invalid("entry " + entry + ": unknown tag 0x" + Integer.toHexString(tag));
            }
            if ((perm & ~7) != 0) {
                throw invalid("entry " + entry + ": permission bits 0" + Integer.toOctalString(perm) + " beyond rwx");
            }
            if ((tag == USER || tag == GROUP) && u32(value, off + 4) == UNDEFINED_ID) {
                throw invalid("entry " + entry + ": user or group entry without an id");
            }
        }
    }

    private static FsException invalid(String what) {
        return new FsException(Errno.EINVAL, "POSIX ACL xattr: " + what);
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }

    private static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
