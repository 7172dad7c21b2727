package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** gzip id 1: each block is a zlib (RFC 1950) stream, not a gzip file (§3.3). */
final class ZlibDecompressor implements Decompressor {
    private final Inflater inflater = new Inflater(false);

    @Override
    public int decompress(ByteBuffer src, ByteBuffer dst) throws IOException {
        inflater.reset();
        inflater.setInput(src.duplicate());
        ByteBuffer out = dst.duplicate();
        int start = out.position();
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(out);
                if (n == 0) {
                    if (inflater.needsDictionary()) {
                        throw new IOException("zlib stream needs a preset dictionary");
                    }
                    if (!out.hasRemaining()) {
                        throw new IOException("block decodes to more than " + dst.remaining() + " bytes");
                    }
                    if (inflater.needsInput()) {
                        throw new IOException("zlib stream is truncated");
                    }
                }
            }
        } catch (DataFormatException e) {
            throw new IOException("zlib: " + e.getMessage());
        }
        return out.position() - start;
    }
}
