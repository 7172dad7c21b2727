package io.squashroot.squashfs.write;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/** lz4 (id 5): a raw LZ4 block, no frame (format doc §3.3); HC when asked for, like -Xhc. */
final class Lz4BlockCompressor implements BlockCompressor {
    private final LZ4Compressor compressor;

    Lz4BlockCompressor(boolean hc) {
        LZ4Factory f = LZ4Factory.fastestInstance();
        compressor = hc ? f.highCompressor() : f.fastCompressor();
    }

    @Override
    public int compress(byte[] src, int off, int len, byte[] dst) {
        int n = compressor.compress(src, off, len, dst, 0, dst.length);
        return n < len ? n : -1;
    }

    @Override
    public int maxCompressedLength(int len) {
        return compressor.maxCompressedLength(len);
    }
}
