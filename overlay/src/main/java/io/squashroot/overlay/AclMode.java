package io.squashroot.overlay;

import io.squashroot.tree.FsException;

/**
 * How an access ACL and the permission bits of the mode stay one, as a file system that stores
 * ACLs keeps them (the kernel's posix_acl_equiv_mode and posix_acl_chmod): the owner bits are the
 * ACL_USER_OBJ entry, the group bits the ACL_MASK entry (ACL_GROUP_OBJ without a mask), the other
 * bits ACL_OTHER. The overlay needs it where the upper keeps an ACL under its escaped name, which
 * the host file system does not see: over FUSE the kernel leaves both directions to the server.
 * Values are {@link AclIds}'s layout and are checked by it.
 */
final class AclMode {
    private AclMode() {
    }

    /** The permission bits (0777 part) that {@code acl} gives the mode. */
    static int perm(byte[] acl) throws FsException {
        AclIds.check(acl);
        int user = 0;
        int group = 0;
        int mask = -1;
        int other = 0;
        for (int off = AclIds.HEADER; off < acl.length; off += AclIds.ENTRY) {
            int p = acl[off + 2] & 7;
            switch (tag(acl, off)) {
                case AclIds.USER_OBJ -> user = p;
                case AclIds.GROUP_OBJ -> group = p;
                case AclIds.MASK -> mask = p;
                case AclIds.OTHER -> other = p;
                default -> { } // named users and groups: limited by the mask, not in the mode
            }
        }
        return user << 6 | (mask >= 0 ? mask : group) << 3 | other;
    }

    /** Whether {@code acl} says no more than the mode does (no named entries, no mask). */
    static boolean equivalentToMode(byte[] acl) throws FsException {
        AclIds.check(acl);
        for (int off = AclIds.HEADER; off < acl.length; off += AclIds.ENTRY) {
            int t = tag(acl, off);
            if (t == AclIds.USER || t == AclIds.GROUP || t == AclIds.MASK) {
                return false;
            }
        }
        return true;
    }

    /** A copy of {@code acl} after chmod to {@code perm}: the mode's three classes rewritten. */
    static byte[] chmod(byte[] acl, int perm) throws FsException {
        AclIds.check(acl);
        byte[] out = acl.clone();
        boolean hasMask = false;
        for (int off = AclIds.HEADER; off < out.length; off += AclIds.ENTRY) {
            hasMask |= tag(out, off) == AclIds.MASK;
        }
        for (int off = AclIds.HEADER; off < out.length; off += AclIds.ENTRY) {
            int t = tag(out, off);
            int p = t == AclIds.USER_OBJ ? perm >> 6 & 7
                    : t == (hasMask ? AclIds.MASK : AclIds.GROUP_OBJ) ? perm >> 3 & 7
                    : t == AclIds.OTHER ? perm & 7 : -1;
            if (p >= 0) {
                out[off + 2] = (byte) p;
                out[off + 3] = 0;
            }
        }
        return out;
    }

    private static int tag(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }
}
