package io.squashroot.squashfs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One directory entry (§9.3). {@code nameBytes} is the exact on-disk name (names need not be
 * UTF-8); {@code type} is the basic inode type 1..7 recorded in the entry; {@code inodeRef}
 * locates the inode for {@link SquashfsImage#inode(long)}.
 */
public record DirEntry(byte[] nameBytes, int type, long inodeRef, long inodeNumber) {

    /** The name decoded as UTF-8 (invalid bytes become U+FFFD; use {@link #nameBytes()} to be exact). */
    public String name() {
        return new String(nameBytes, StandardCharsets.UTF_8);
    }

    public boolean isDirectory() {
        return type == 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirEntry e && Arrays.equals(e.nameBytes, nameBytes) && e.type == type
                && e.inodeRef == inodeRef && e.inodeNumber == inodeNumber;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nameBytes) * 31 + Long.hashCode(inodeRef);
    }

    @Override
    public String toString() {
        return "DirEntry[" + name() + ", type=" + type + ", ref=0x" + Long.toHexString(inodeRef) + ", ino=" + inodeNumber + "]";
    }
}
