package io.squashroot.squashfs.write;

import java.util.zip.Deflater;

/** gzip (id 1): a complete zlib stream per block, window 15, as mksquashfs writes it. */
final class GzipBlockCompressor implements BlockCompressor {
    private final Deflater deflater;

    GzipBlockCompressor(int level) {
        this.deflater = new Deflater(level, false); // false = zlib header + adler32, not raw deflate
    }

    @Override
    public int compress(byte[] src, int off, int len, byte[] dst) {
        deflater.reset();
        deflater.setInput(src, off, len);
        deflater.finish();
        // Ask for at most len - 1 bytes: anything longer would be stored raw anyway.
        int limit = Math.min(len - 1, dst.length);
        int n = 0;
        while (!deflater.finished() && n < limit) {
            n += deflater.deflate(dst, n, limit - n);
        }
        return deflater.finished() && n < len ? n : -1;
    }

    @Override
    public int maxCompressedLength(int len) {
        return len + len / 1000 + 64;
    }
}
