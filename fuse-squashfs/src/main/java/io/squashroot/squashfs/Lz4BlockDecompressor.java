package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * lz4 id 5: a raw LZ4 block, no frame (the options' "version 1 = legacy" is not the legacy frame,
 * §20.2.10). Decoded with lz4-java's safe (bounds-checked) decompressor.
 */
final class Lz4BlockDecompressor implements Decompressor {
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

    @Override
    public int decompress(ByteBuffer src, ByteBuffer dst) throws IOException {
        try {
            return LZ4.decompress(src, src.position(), src.remaining(), dst, dst.position(), dst.remaining());
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
            throw new IOException("lz4: " + e.getMessage());
        }
    }
}
