package io.squashroot.squashfs.write;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One inode of the image being built, before it is written. Every name of a hard-linked inode
 * points at the same object. Directories hold their entries sorted by unsigned bytes, the order
 * the kernel's lookup depends on (format doc §9.4).
 *
 * <p>Mutable on purpose: a tar stream may set a directory's attributes after its children
 * arrive, and the layout pass fills in numbers and references.
 */
final class Inode {

    enum Kind {
        DIRECTORY(1), FILE(2), SYMLINK(3), BLOCK_DEVICE(4), CHAR_DEVICE(5), FIFO(6), SOCKET(7);

        /** The basic inode type (format doc §6.2); extended = basic + 7. */
        final int basicType;

        Kind(int basicType) {
            this.basicType = basicType;
        }
    }

    final Kind kind;
    int permissions; // st_mode & 07777
    long uid;
    long gid;
    long mtime; // seconds since the epoch
    /** Full xattr names (user.x, trusted.y, security.z) to values; null when none. */
    TreeMap<String, byte[]> xattrs;

    /** DIRECTORY: entries by name bytes. */
    final TreeMap<byte[], Inode> children;
    /** FILE: where its data went. */
    FileData data;
    /** SYMLINK: the target bytes. */
    byte[] target;
    /** devices: major and minor numbers. */
    int major;
    int minor;

    // Filled in by the layout pass.
    int linkCount;
    int number;
    long ref = -1;
    int xattrIndex = -1;

    Inode(Kind kind) {
        this.kind = kind;
        this.children = kind == Kind.DIRECTORY ? new TreeMap<>(Arrays::compareUnsigned) : null;
    }

    boolean isDirectory() {
        return kind == Kind.DIRECTORY;
    }

    boolean hasXattrs() {
        return xattrs != null && !xattrs.isEmpty();
    }

    void copyAttributes(Inode from) {
        permissions = from.permissions;
        uid = from.uid;
        gid = from.gid;
        mtime = from.mtime;
        xattrs = from.xattrs == null ? null : new TreeMap<>(from.xattrs);
    }

    void setXattrs(Map<String, byte[]> values) {
        xattrs = values == null || values.isEmpty() ? null : new TreeMap<>(values);
    }
}
