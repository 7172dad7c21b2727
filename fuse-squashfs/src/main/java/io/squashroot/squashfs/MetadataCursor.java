package io.squashroot.squashfs;

import java.io.IOException;

/**
 * Reads a metadata stream (§4.2) from a (block position, offset) reference onward, continuing in
 * the physically next block when one is exhausted, since records straddle blocks freely. Not
 * thread-safe: each parse makes its own cursor. Every block comes through the block cache.
 */
final class MetadataCursor {
    private final ImageContext ctx;
    private final String structure;
    private long blockPos;
    private byte[] block;
    /** Index into {@link #block}; the decoded payload starts at 2, after the header. */
    private int index;

    MetadataCursor(ImageContext ctx, String structure, long blockPos, int offset) throws IOException {
        this.ctx = ctx;
        this.structure = structure;
        this.blockPos = blockPos;
        this.block = ctx.metadataBlock(blockPos, structure);
        if (offset < 0 || offset >= block.length - 2) {
            throw ctx.corrupt(structure, blockPos, offset, "offset " + offset + " is outside the metadata block of "
                    + (block.length - 2) + " bytes");
        }
        this.index = 2 + offset;
    }

    /** Block position of the next byte (advancing into the next block if this one is used up). */
    long blockPosition() throws IOException {
        ensure();
        return blockPos;
    }

    /** Offset inside the decoded block of the next byte. */
    int offset() throws IOException {
        ensure();
        return index - 2;
    }

    /** Corruption at the cursor's current place. */
    CorruptImageException corrupt(String detail) {
        return ctx.corrupt(structure, blockPos, index - 2, detail);
    }

    private void ensure() throws IOException {
        if (index >= block.length) {
            int header = (block[0] & 0xFF) | (block[1] & 0xFF) << 8;
            long next = blockPos + 2 + (header & 0x7FFF);
            block = ctx.metadataBlock(next, structure);
            blockPos = next;
            index = 2;
        }
    }

    int u8() throws IOException {
        ensure();
        return block[index++] & 0xFF;
    }

    int u16() throws IOException {
        if (index + 2 <= block.length) {
            int v = (block[index] & 0xFF) | (block[index + 1] & 0xFF) << 8;
            index += 2;
            return v;
        }
        return u8() | u8() << 8;
    }

    /** A u32 as a Java int (callers widen with {@link Integer#toUnsignedLong} where it matters). */
    int u32() throws IOException {
        if (index + 4 <= block.length) {
            int v = (block[index] & 0xFF) | (block[index + 1] & 0xFF) << 8
                    | (block[index + 2] & 0xFF) << 16 | (block[index + 3] & 0xFF) << 24;
            index += 4;
            return v;
        }
        return u16() | u16() << 16;
    }

    long u64() throws IOException {
        return Integer.toUnsignedLong(u32()) | (long) u32() << 32;
    }

    /** Reads exactly {@code n} bytes; callers bound {@code n} before calling. */
    byte[] bytes(int n) throws IOException {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            ensure();
            int k = Math.min(n - done, block.length - index);
            System.arraycopy(block, index, out, done, k);
            index += k;
            done += k;
        }
        return out;
    }

    /** Reads {@code n} u32 words into a new array (file block lists). */
    int[] u32s(int n) throws IOException {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = u32();
        }
        return out;
    }

    void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            ensure();
            int k = (int) Math.min(left, block.length - index);
            index += k;
            left -= k;
        }
    }
}
