package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A name for an image's contents that does not depend on where the file lives, so every node
 * and every path (NFS mount, bind mount, symlink) of the same image shares node-cache entries,
 * and a rebuilt image at the same path never reuses stale ones.
 *
 * <p>It is SHA-256 over the 96-byte superblock (which holds mkfs_time, bytes_used and every table
 * position), the file size, and the last 64 KiB before bytes_used, where mksquashfs writes the
 * id, fragment, export and xattr tables and their index lists: any change of contents moves or
 * changes those. Hashing the whole image would cost a full read of it on every mount, the very
 * thing the node cache exists to avoid.
 */
final class ImageIdentity {

    static final int TAIL = 64 << 10;

    private ImageIdentity() {
    }

    /** 32 hex digits (128 bits of the hash). */
    static String of(ImageSource source, Superblock sb) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(Superblock.SIZE);
        source.readFully(0, head);
        long tailStart = Math.max(Superblock.SIZE, sb.bytesUsed() - TAIL);
        ByteBuffer tail = ByteBuffer.allocate((int) (sb.bytesUsed() - tailStart));
        source.readFully(tailStart, tail);
        return of(head.flip(), source.size(), tail.flip());
    }

    static String of(ByteBuffer superblock, long size, ByteBuffer tail) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(superblock);
            md.update(ByteBuffer.allocate(8).putLong(0, size));
            md.update(tail);
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
