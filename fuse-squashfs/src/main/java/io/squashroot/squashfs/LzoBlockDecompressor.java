package io.squashroot.squashfs;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lzo.LzoDecompressor;
import java.io.IOException;
import java.nio.ByteBuffer;

/** lzo id 3: raw LZO1X data, no header or length (§3.3); aircompressor's bounds-checked decoder. */
final class LzoBlockDecompressor implements Decompressor {
    private final LzoDecompressor lzo = new LzoDecompressor();

    @Override
    public int decompress(ByteBuffer src, ByteBuffer dst) throws IOException {
        ByteBuffer in = src.duplicate();
        ByteBuffer out = dst.duplicate();
        int start = out.position();
        try {
            lzo.decompress(in, out);
        } catch (MalformedInputException | IndexOutOfBoundsException e) {
            throw new IOException("lzo: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IOException("lzo: " + e.getMessage());
        }
        return out.position() - start;
    }
}
