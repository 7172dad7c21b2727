package io.squashroot.squashfs.write;

/**
 * Compresses one SquashFS block (data, fragment or metadata) independently of every other block,
 * in the framing the kernel expects for the image's compressor (format doc §3.3). Instances keep
 * native or scratch state and are not thread-safe: each worker thread owns one.
 */
interface BlockCompressor {

    /**
     * Compresses {@code src[off, off+len)} into {@code dst} (at least {@link #maxCompressedLength}
     * long) and returns the compressed length, or -1 when the result would not be strictly
     * smaller than the input: such a block must be stored raw (format doc §3.1).
     */
    int compress(byte[] src, int off, int len, byte[] dst);

    /** A bound on the compressor's output for {@code len} input bytes. */
    int maxCompressedLength(int len);

    /** The bytes of the compressor options block (format doc §3.2), or null when none is written. */
    static byte[] optionsBlock(Compression c, int level, int blockSize, boolean lz4Hc) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        switch (c) {
            case GZIP:
                if (level == c.defaultLevel()) {
                    return null;
                }
                b.putInt(level).putShort((short) 15).putShort((short) 0);
                return b.array();
            case LZO:
                // Say what made the blocks: an lzo1x_1-class compressor, no level (see LzoBlockCompressor).
                b.putInt(0).putInt(0);
                return b.array();
            case LZ4:
                b.putInt(1).putInt(lz4Hc ? 1 : 0); // always present: the kernel refuses lz4 without it
                return b.array();
            case ZSTD:
                if (level == c.defaultLevel()) {
                    return null;
                }
                return java.util.Arrays.copyOf(b.putInt(level).array(), 4);
            case XZ:
                return null; // dictionary = block size and no BCJ: mksquashfs writes no options then
            default:
                throw new AssertionError(c);
        }
    }

    /** A new compressor for one thread. */
    static BlockCompressor create(Compression c, int level, int blockSize, boolean lz4Hc) {
        switch (c) {
            case GZIP:
                return new GzipBlockCompressor(level);
            case ZSTD:
                return new ZstdBlockCompressor(level);
            case LZ4:
                return new Lz4BlockCompressor(lz4Hc);
            case XZ:
                return new XzBlockCompressor(level, blockSize);
            case LZO:
                return new LzoBlockCompressor();
            default:
                throw new AssertionError(c);
        }
    }
}
