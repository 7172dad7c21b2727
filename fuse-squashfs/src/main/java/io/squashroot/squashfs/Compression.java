package io.squashroot.squashfs;

/** Compressor ids of the superblock (§2.2) and their mksquashfs names. */
final class Compression {
    static final int GZIP = 1;
    static final int LZMA = 2;
    static final int LZO = 3;
    static final int XZ = 4;
    static final int LZ4 = 5;
    static final int ZSTD = 6;

    private Compression() {
    }

    static String name(int id) {
        return switch (id) {
            case GZIP -> "gzip";
            case LZMA -> "lzma";
            case LZO -> "lzo";
            case XZ -> "xz";
            case LZ4 -> "lz4";
            case ZSTD -> "zstd";
            default -> "unknown(" + id + ")";
        };
    }

    /** A fresh decoder for the id; callers keep one per thread (decoders hold native state). */
    static Decompressor decompressor(int id) {
        return switch (id) {
            case GZIP -> new ZlibDecompressor();
            case LZMA -> new LzmaDecompressor(false);
            case XZ -> new LzmaDecompressor(true);
            case LZO -> new LzoBlockDecompressor();
            case LZ4 -> new Lz4BlockDecompressor();
            case ZSTD -> new ZstdBlockDecompressor();
            default -> throw new IllegalArgumentException("compression id " + id);
        };
    }
}
