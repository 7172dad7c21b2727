package io.squashroot.squashfs.write;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One metadata stream (format doc §4.2): a byte sequence cut into 8 KiB chunks, each stored as a
 * metadata block (2-byte header, then compressed or raw payload). Records are appended whole;
 * the stream is cut only at 8 KiB boundaries, so every non-final block holds exactly 8192 bytes,
 * which directory indexes rely on (§9.7). The compressed blocks are kept in memory: metadata is
 * the one thing the writer holds for the whole run.
 */
final class MetadataWriter {
    static final int CHUNK = 8192;

    private final BlockCompressor compressor; // null: store every block raw (-noI, -noF, -noX)
    private final byte[] chunk = new byte[CHUNK];
    private final byte[] scratch;
    private int chunkLen;
    private final GrowableBytes out = new GrowableBytes();
    private long[] blockStarts = new long[16];
    private int blockCount;
    private final ByteBuffer le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

    MetadataWriter(BlockCompressor compressor) {
        this.compressor = compressor;
        this.scratch = compressor == null ? null : new byte[compressor.maxCompressedLength(CHUNK) + 64];
    }

    /**
     * The reference (§4.3) of the next byte appended: block position relative to the stream's
     * start, shifted left 16, or'ed with the offset inside that block's uncompressed content.
     */
    long ref() {
        return ((long) out.size() << 16) | chunkLen;
    }

    /** Position of the block that the next byte lands in, relative to the stream's start. */
    long blockPosition() {
        return out.size();
    }

    /** Uncompressed bytes appended so far. */
    long logicalSize() {
        return (long) blockCount * CHUNK + chunkLen;
    }

    void put(byte[] b) {
        put(b, 0, b.length);
    }

    void put(byte[] b, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, CHUNK - chunkLen);
            System.arraycopy(b, off, chunk, chunkLen, n);
            chunkLen += n;
            off += n;
            len -= n;
            if (chunkLen == CHUNK) {
                emit();
            }
        }
    }

    void putShort(int v) {
        le.clear();
        le.putShort((short) v);
        put(le.array(), 0, 2);
    }

    void putInt(long v) {
        le.clear();
        le.putInt((int) v);
        put(le.array(), 0, 4);
    }

    void putLong(long v) {
        le.clear();
        le.putLong(v);
        put(le.array(), 0, 8);
    }

    /** Writes out the final, possibly short, block. Nothing may be appended afterwards. */
    void finish() {
        if (chunkLen > 0) {
            emit();
        }
    }

    /** The stored blocks, headers included. */
    GrowableBytes bytes() {
        return out;
    }

    /** Start of each stored block relative to the stream's start (for lookup-table index lists). */
    long[] blockStarts() {
        return Arrays.copyOf(blockStarts, blockCount);
    }

    private void emit() {
        if (blockCount == blockStarts.length) {
            blockStarts = Arrays.copyOf(blockStarts, blockCount * 2);
        }
        blockStarts[blockCount++] = out.size();
        int n = compressor == null ? -1 : compressor.compress(chunk, 0, chunkLen, scratch);
        if (n > 0) {
            out.putShortLe(n);
            out.write(scratch, 0, n);
        } else {
            out.putShortLe(0x8000 | chunkLen);
            out.write(chunk, 0, chunkLen);
        }
        chunkLen = 0;
    }

    /** A byte array that grows; avoids ByteArrayOutputStream's synchronisation and copies. */
    static final class GrowableBytes extends ByteArrayOutputStream {
        GrowableBytes() {
            super(CHUNK);
        }

        void putShortLe(int v) {
            write(v & 0xFF);
            write((v >>> 8) & 0xFF);
        }

        byte[] array() {
            return buf;
        }
    }
}
