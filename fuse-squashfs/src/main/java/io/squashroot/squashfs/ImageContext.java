package io.squashroot.squashfs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What every parser of one open image shares: the source, the superblock, the block cache and
 * the per-thread decoders. It decodes metadata blocks (§4.1) and data/fragment blocks (§7, §8)
 * and builds the one-line corruption messages. Immutable apart from thread-local scratch
 * buffers, so it is safe for any number of threads.
 */
final class ImageContext {
    /** Uncompressed payload limit of a metadata block (§4.1). */
    static final int METADATA_SIZE = 8192;

    final String name;
    final Superblock sb;
    final ImageSource source;
    final BlockCache cache;
    final long id;

    private final ThreadLocal<Scratch> scratch;

    ImageContext(String name, Superblock sb, ImageSource source, BlockCache cache) {
        this.name = name;
        this.sb = sb;
        this.source = source;
        this.cache = cache;
        this.id = BlockCache.newImageId();
        int compression = sb.compressionId();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(Compression.decompressor(compression)));
    }

    /** Per-thread buffers, so block decoding allocates nothing but its result. */
    static final class Scratch {
        final Decompressor decompressor;
        byte[] in = new byte[METADATA_SIZE + 2];
        byte[] out = new byte[METADATA_SIZE];

        Scratch(Decompressor decompressor) {
            this.decompressor = decompressor;
        }

        byte[] in(int n) {
            if (in.length < n) {
                in = new byte[n];
            }
            return in;
        }

        byte[] out(int n) {
            if (out.length < n) {
                out = new byte[n];
            }
            return out;
        }
    }

    Scratch scratch() {
        return scratch.get();
    }

    CorruptImageException corrupt(String structure, long position, String detail) {
        return new CorruptImageException(String.format("%s: %s at 0x%x: %s", name, structure, position, detail));
    }

    CorruptImageException corrupt(String structure, long block, int offset, String detail) {
        return new CorruptImageException(String.format("%s: %s at 0x%x+0x%x: %s", name, structure, block, offset, detail));
    }

    /** Reads {@code dst.remaining()} bytes at {@code pos}, which must lie below bytes_used. */
    void read(String structure, long pos, ByteBuffer dst) throws IOException {
        read(structure, pos, dst, false);
    }

    /** As {@link #read(String, long, ByteBuffer)}; {@code once}: see {@link ImageSource#readFullyOnce}. */
    void read(String structure, long pos, ByteBuffer dst, boolean once) throws IOException {
        long end = pos + dst.remaining();
        if (pos < 0 || end > sb.bytesUsed() || end < pos) {
            throw corrupt(structure, pos, "extends past the end of the image (bytes_used 0x"
                    + Long.toHexString(sb.bytesUsed()) + ")");
        }
        try {
            if (once) {
                source.readFullyOnce(pos, dst);
            } else {
                source.readFully(pos, dst);
            }
        } catch (EOFException e) {
            throw corrupt(structure, pos, "image is truncated");
        }
    }

    /**
     * The metadata block whose header is at {@code pos}: the 2-byte header followed by the
     * decoded payload (so the next block's position, {@code pos + 2 + (header & 0x7FFF)}, travels
     * with the cached bytes).
     */
    byte[] metadataBlock(long pos, String structure) throws IOException {
        return cache.get(new BlockCache.Key(id, pos, 0, BlockCache.Kind.METADATA), () -> loadMetadata(pos, structure));
    }

    private byte[] loadMetadata(long pos, String structure) throws IOException {
        if (pos < Superblock.SIZE || pos + 2 > sb.bytesUsed()) {
            throw corrupt(structure, pos, "metadata block outside the image (bytes_used 0x" + Long.toHexString(sb.bytesUsed()) + ")");
        }
        Scratch s = scratch();
        int want = (int) Math.min(METADATA_SIZE + 2, sb.bytesUsed() - pos);
        byte[] raw = s.in(METADATA_SIZE + 2);
        read(structure, pos, ByteBuffer.wrap(raw, 0, want));
        int header = (raw[0] & 0xFF) | (raw[1] & 0xFF) << 8;
        int size = header & 0x7FFF;
        if (size == 0 || size > METADATA_SIZE) {
            throw corrupt(structure, pos, "metadata block size " + size + " is not in 1..8192");
        }
        if (size + 2 > want) {
            throw corrupt(structure, pos, "metadata block of " + size + " bytes extends past the end of the image");
        }
        if ((header & 0x8000) != 0) {
            return Arrays.copyOf(raw, size + 2);
        }
        byte[] out = s.out(METADATA_SIZE);
        int n;
        try {
            n = s.decompressor.decompress(ByteBuffer.wrap(raw, 2, size), ByteBuffer.wrap(out, 0, METADATA_SIZE));
        } catch (IOException e) {
            throw corrupt(structure, pos, "metadata block does not decompress: " + e.getMessage());
        }
        if (n == 0) {
            throw corrupt(structure, pos, "metadata block decodes to 0 bytes");
        }
        byte[] block = new byte[n + 2];
        block[0] = raw[0];
        block[1] = raw[1];
        System.arraycopy(out, 0, block, 2, n);
        return block;
    }

    /**
     * Decodes the data or fragment block with size word {@code word} (§7.2) at {@code pos}.
     * With {@code exact} the result must be {@code length} bytes long (a data block); otherwise
     * at most {@code length} (a fragment block, whose decoded size is not stored).
     */
    byte[] dataBlock(long pos, int word, int length, boolean exact, String structure) throws IOException {
        BlockCache.Kind kind = exact ? BlockCache.Kind.DATA : BlockCache.Kind.FRAGMENT;
        return cache.get(new BlockCache.Key(id, pos, exact ? length : word, kind),
                () -> loadData(pos, word, length, exact, structure));
    }

    /** The data block at {@code pos} if the cache holds it, else null (nothing is loaded). */
    byte[] cachedDataBlock(long pos, int length) {
        return cache.getIfPresent(new BlockCache.Key(id, pos, length, BlockCache.Kind.DATA));
    }

    private byte[] loadData(long pos, int word, int length, boolean exact, String structure) throws IOException {
        int size = checkWord(word, structure, pos);
        Scratch s = scratch();
        if ((word & 0x0100_0000) != 0) {
            if (exact ? size != length : size > length) {
                throw corrupt(structure, pos, "stored block of " + size + " bytes, expected " + length);
            }
            byte[] block = new byte[size];
            read(structure, pos, ByteBuffer.wrap(block));
            return block;
        }
        byte[] in = s.in(size);
        read(structure, pos, ByteBuffer.wrap(in, 0, size));
        byte[] out = exact ? new byte[length] : s.out(length);
        int n;
        try {
            n = s.decompressor.decompress(ByteBuffer.wrap(in, 0, size), ByteBuffer.wrap(out, 0, length));
        } catch (IOException e) {
            throw corrupt(structure, pos, "block does not decompress: " + e.getMessage());
        }
        if (exact && n != length) {
            throw corrupt(structure, pos, "block decodes to " + n + " bytes, expected " + length);
        }
        return exact ? out : Arrays.copyOf(out, n);
    }

    /** Validates a data/fragment size word (§7.2) and returns the on-disk length. */
    int checkWord(int word, String structure, long pos) throws CorruptImageException {
        if ((word >>> 25) != 0) {
            throw corrupt(structure, pos, "block size word 0x" + Integer.toHexString(word) + " has reserved bits set");
        }
        int size = word & 0x00FF_FFFF;
        if (size > sb.blockSize()) {
            throw corrupt(structure, pos, "block of " + size + " bytes exceeds block size " + sb.blockSize());
        }
        if (size == 0) {
            throw corrupt(structure, pos, "block has size 0");
        }
        return size;
    }
}
