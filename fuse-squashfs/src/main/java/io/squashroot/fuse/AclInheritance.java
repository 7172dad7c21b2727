package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a new entry gets from its directory's default POSIX ACL, which a FUSE server that asked
 * for FUSE_POSIX_ACL must apply itself (the kernel then checks access by the ACLs, but leaves
 * inheritance, and with FUSE_DONT_MASK the umask, to the server). As the kernel's
 * posix_acl_create: without a default ACL the mode loses the umask's bits; with one the umask is
 * ignored, the new access ACL is the default one with the owner, mask (or group) and other
 * entries cut down to the requested mode, the mode follows those entries, and a directory also
 * takes the default ACL as its own default. An access ACL of the three base entries alone says
 * no more than the mode and is not set.
 *
 * <p>The value is the kernel's xattr form: a little-endian u32 version (2), then 8-byte entries
 * (u16 tag, u16 permission bits, u32 id). A default ACL that is not well formed is ignored (the
 * entry is made as if there were none) rather than copied.
 *
 * @param mode   the mode to create the entry with (type bits kept)
 * @param access the access ACL to set on it, or null
 * @param dflt   the default ACL to set on it (directories), or null
 */
record AclInheritance(int mode, byte[] access, byte[] dflt) {
    static final String ACCESS = "system.posix_acl_access";
    static final String DEFAULT = "system.posix_acl_default";
    private static final int VERSION = 2;
    private static final int USER_OBJ = 0x01;
    private static final int USER = 0x02;
    private static final int GROUP_OBJ = 0x04;
    private static final int GROUP = 0x08;
    private static final int MASK = 0x10;
    private static final int OTHER = 0x20;

    /** For a new entry of {@code mode} (umask not applied) in directory {@code parent}. */
    static AclInheritance of(FsTree tree, String parent, int mode, int umask, boolean dir) throws FsException {
        byte[] dflt = defaultAcl(tree, parent);
        if (dflt == null) {
            return new AclInheritance(mode & ~(umask & 0777), null, null);
        }
        ByteBuffer acl = ByteBuffer.wrap(dflt.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int groupObj = -1;
        int mask = -1;
        boolean extended = false;
        for (int at = 4; at < dflt.length; at += 8) {
            int tag = acl.getShort(at) & 0xffff;
            int perm = acl.getShort(at + 2) & 7;
            switch (tag) {
                case USER_OBJ -> {
                    perm &= (mode >> 6) & 7;
                    mode = (mode & ~0700) | (perm << 6);
                }
                case OTHER -> {
                    perm &= mode & 7;
                    mode = (mode & ~07) | perm;
                }
                case GROUP_OBJ -> groupObj = at;
                case MASK -> {
                    mask = at;
                    extended = true;
                }
                default -> extended = true; // USER or GROUP: defaultAcl let no other tag through
            }
            acl.putShort(at + 2, (short) perm);
        }
        int groupEntry = mask >= 0 ? mask : groupObj;
        if (groupEntry >= 0) {
            int perm = acl.getShort(groupEntry + 2) & (mode >> 3) & 7;
            acl.putShort(groupEntry + 2, (short) perm);
            mode = (mode & ~070) | (perm << 3);
        }
        return new AclInheritance(mode, extended ? acl.array() : null, dir ? dflt : null);
    }

    /** Sets what {@link #of} decided on the new entry {@code path}. */
    void apply(FsTree tree, String path) throws FsException {
        if (access != null) {
            tree.setxattr(path, ACCESS, access, 0);
        }
        if (dflt != null) {
            tree.setxattr(path, DEFAULT, dflt, 0);
        }
    }

    /** The directory's default ACL when it has a well-formed one, else null. */
    private static byte[] defaultAcl(FsTree tree, String dir) throws FsException {
        byte[] v;
        try {
            v = tree.getxattr(dir, DEFAULT);
        } catch (FsException e) {
            if (e.errno() == Errno.ENODATA || e.errno() == Errno.ENOTSUP || e.errno() == Errno.ENOSYS) {
                return null;
            }
            throw e;
        }
        if (v == null || v.length < 4 + 3 * 8 || (v.length - 4) % 8 != 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != VERSION) {
            return null;
        }
        int seen = 0;
        for (int at = 4; at < v.length; at += 8) {
            int tag = b.getShort(at) & 0xffff;
            if (tag != USER_OBJ && tag != USER && tag != GROUP_OBJ && tag != GROUP && tag != MASK && tag != OTHER) {
                return null;
            }
            seen |= tag;
        }
        boolean base = (seen & (USER_OBJ | GROUP_OBJ | OTHER)) == (USER_OBJ | GROUP_OBJ | OTHER);
        boolean named = (seen & (USER | GROUP)) != 0;
        return base && (!named || (seen & MASK) != 0) ? v : null;
    }
}
