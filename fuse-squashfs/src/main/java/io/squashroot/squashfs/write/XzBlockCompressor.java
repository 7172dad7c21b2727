package io.squashroot.squashfs.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * xz (id 4): one .xz stream per block, CRC32 check, LZMA2 with a dictionary of the block size.
 * The kernel preallocates a dictionary of max(block size, 8 KiB) (format doc §3.3); xz-java's
 * default of 8 MiB would make every image unmountable.
 */
final class XzBlockCompressor implements BlockCompressor {
    private final LZMA2Options options;
    private final ArrayCache cache = new BasicArrayCache();
    private final ByteSink sink = new ByteSink();

    XzBlockCompressor(int level, int blockSize) {
        try {
            options = new LZMA2Options(level);
            options.setDictSize(Math.max(blockSize, 8192));
        } catch (org.tukaani.xz.UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz level " + level + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int compress(byte[] src, int off, int len, byte[] dst) {
        sink.reset(dst, len - 1);
        XZOutputStream out = null;
        try {
            out = new XZOutputStream(sink, options, XZ.CHECK_CRC32, cache);
            out.write(src, off, len);
            out.finish();
        } catch (ByteSink.Full e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            closeQuietly(out); // returns the encoder's arrays to the cache
        }
        return sink.length();
    }

    private static void closeQuietly(XZOutputStream out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the block was already given up or finished; nothing more goes to the sink
            }
        }
    }

    @Override
    public int maxCompressedLength(int len) {
        return len + 1024;
    }

    /** Writes into a caller's array up to a limit, so incompressible blocks stop early. */
    private static final class ByteSink extends java.io.OutputStream {
        static final class Full extends IOException {
            Full() {
                super("block does not shrink", null);
            }
        }

        private byte[] buf;
        private int limit;
        private int len;

        void reset(byte[] target, int max) {
            buf = target;
            limit = Math.min(max, target.length);
            len = 0;
        }

        int length() {
            return len;
        }

        @Override
        public void write(int b) throws IOException {
            if (len >= limit) {
                throw new Full();
            }
            buf[len++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int n) throws IOException {
            if (len + n > limit) {
                throw new Full();
            }
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }
    }
}
