package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A table of fixed-size records stored as metadata blocks plus an index list of block positions
 * (§5): the id, fragment, export and xattr-id tables. The index list is read at open time; its
 * length follows from the count and must lie inside the image, which bounds the allocation.
 * Records are decoded lazily through the block cache.
 */
final class LookupTable {
    private final ImageContext ctx;
    private final String structure;
    private final long count;
    private final int entrySize;
    private final long[] blocks;

    LookupTable(ImageContext ctx, String structure, long indexListPos, long count, int entrySize) throws IOException {
        this.ctx = ctx;
        this.structure = structure;
        this.count = count;
        this.entrySize = entrySize;
        long nblocks = (count * entrySize + ImageContext.METADATA_SIZE - 1) / ImageContext.METADATA_SIZE;
        long listBytes = nblocks * 8;
        if (indexListPos < Superblock.SIZE || indexListPos + listBytes > ctx.sb.bytesUsed()) {
            throw ctx.corrupt(structure + " index list", indexListPos, count + " entries need " + listBytes
                    + " bytes of index list, past the end of the image (bytes_used 0x" + Long.toHexString(ctx.sb.bytesUsed()) + ")");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) listBytes).order(ByteOrder.LITTLE_ENDIAN);
        ctx.read(structure + " index list", indexListPos, buf);
        blocks = new long[(int) nblocks];
        for (int i = 0; i < nblocks; i++) {
            long p = buf.getLong(i * 8);
            if (p < Superblock.SIZE || p >= ctx.sb.bytesUsed()) {
                throw ctx.corrupt(structure + " index list", indexListPos + i * 8L, "block position 0x"
                        + Long.toHexString(p) + " is outside the image");
            }
            blocks[i] = p;
        }
    }

    long count() {
        return count;
    }

    /** A cursor at the first byte of record {@code i}. */
    MetadataCursor at(long i) throws IOException {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(structure + " entry " + i + " of " + count);
        }
        long byteOffset = i * entrySize;
        return new MetadataCursor(ctx, structure, blocks[(int) (byteOffset / ImageContext.METADATA_SIZE)],
                (int) (byteOffset % ImageContext.METADATA_SIZE));
    }
}
