package io.squashroot.squashfs;

import io.squashroot.tree.NameBytes;
import java.util.Arrays;

/**
 * One directory entry (§9.3). {@code nameBytes} is the exact on-disk name (names need not be
 * UTF-8); {@code type} is the basic inode type 1..7 recorded in the entry; {@code inodeRef}
 * locates the inode for {@link SquashfsImage#inode(long)}.
 */
public record DirEntry(byte[] nameBytes, int type, long inodeRef, long inodeNumber) {

    /**
     * The name as {@link NameBytes} decodes it: UTF-8, with bytes that are not valid UTF-8 as
     * escapes that {@link SquashfsImage#lookup(Inode.Directory, String)} turns back into them.
     */
    public String name() {
        return NameBytes.decode(nameBytes);
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
        return "DirEntry[" + NameBytes.display(nameBytes) + ", type=" + type + ", ref=0x" + Long.toHexString(inodeRef) + ", ino=" + inodeNumber + "]";
    }
}
