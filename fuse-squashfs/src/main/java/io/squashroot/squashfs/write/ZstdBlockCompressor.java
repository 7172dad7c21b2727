package io.squashroot.squashfs.write;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

/**
 * zstd (id 6): one frame per block with the content size set and no checksum, like mksquashfs.
 * The content size keeps the frame's window at most the block size, which the kernel requires.
 */
final class ZstdBlockCompressor implements BlockCompressor {
    private final ZstdCompressCtx ctx;

    ZstdBlockCompressor(int level) {
        ctx = new ZstdCompressCtx();
        ctx.setLevel(level);
        ctx.setChecksum(false);
        ctx.setContentSize(true);
    }

    @Override
    public int compress(byte[] src, int off, int len, byte[] dst) {
        int n = ctx.compressByteArray(dst, 0, dst.length, src, off, len);
        return n < len ? n : -1;
    }

    @Override
    public int maxCompressedLength(int len) {
        return (int) Zstd.compressBound(len);
    }
}
