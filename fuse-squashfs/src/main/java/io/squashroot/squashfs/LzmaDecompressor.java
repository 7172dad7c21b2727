package io.squashroot.squashfs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.SingleXZInputStream;

/**
 * xz id 4 (one .xz stream per block, any BCJ filter) and lzma id 2 (an LZMA-alone stream whose
 * header carries the size and whose data also ends with an end marker, §3.3 / §20.2.11).
 * The memory limit keeps a hostile dictionary size from allocating more than a real image can
 * need: the dictionary never has to exceed the 1 MiB maximum block size.
 */
final class LzmaDecompressor implements Decompressor {
    /** KiB: 1 MiB dictionary plus the decoder's own tables, with room to spare. */
    private static final int MEMORY_LIMIT_KIB = 8 * 1024;

    private final boolean xz;
    private byte[] input = new byte[0];

    LzmaDecompressor(boolean xz) {
        this.xz = xz;
    }

    @Override
    public int decompress(ByteBuffer src, ByteBuffer dst) throws IOException {
        int len = src.remaining();
        byte[] in;
        int off;
        if (src.hasArray()) {
            in = src.array();
            off = src.arrayOffset() + src.position();
        } else {
            if (input.length < len) {
                input = new byte[len];
            }
            src.duplicate().get(input, 0, len);
            in = input;
            off = 0;
        }
        int max = dst.remaining();
        try (InputStream s = open(new ByteArrayInputStream(in, off, len))) {
            int total = 0;
            if (dst.hasArray()) {
                byte[] out = dst.array();
                int base = dst.arrayOffset() + dst.position();
                while (total < max) {
                    int n = s.read(out, base + total, max - total);
                    if (n < 0) {
                        return total;
                    }
                    total += n;
                }
            } else {
                byte[] chunk = new byte[Math.min(max, 64 * 1024)];
                ByteBuffer out = dst.duplicate();
                while (total < max) {
                    int n = s.read(chunk, 0, Math.min(chunk.length, max - total));
                    if (n < 0) {
                        return total;
                    }
                    out.put(chunk, 0, n);
                    total += n;
                }
            }
            if (s.read() >= 0) {
                throw new IOException("block decodes to more than " + max + " bytes");
            }
            return total;
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException((xz ? "xz: " : "lzma: ") + e);
        }
    }

    private InputStream open(InputStream in) throws IOException {
        try {
            return xz ? new SingleXZInputStream(in, MEMORY_LIMIT_KIB) : new LZMAInputStream(in, MEMORY_LIMIT_KIB);
        } catch (org.tukaani.xz.MemoryLimitException e) {
            throw new IOException("dictionary needs " + e.getMemoryNeeded() + " KiB, more than any block allows");
        }
    }
}
