package io.squashroot.squashfs.write;

import io.airlift.compress.lzo.LzoCompressor;

/**
 * lzo (id 3): raw LZO1X bytes. aircompressor's compressor emits the LZO1X stream format (its
 * output decodes with liblzo2's lzo1x_decompress_safe, which unsquashfs and the kernel use; the
 * interop tests check it), with lzo1x_1-like speed and ratio rather than mksquashfs's lzo1x_999.
 */
final class LzoBlockCompressor implements BlockCompressor {
    private final LzoCompressor compressor = new LzoCompressor();

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
