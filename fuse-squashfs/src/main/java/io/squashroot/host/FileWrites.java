package io.squashroot.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional writes of file data to the host, as the extractor and the overlay make them. */
public final class FileWrites {
    /** The most one write(2) of file data carries; see {@link #writeFully}. */
    public static final int PIECE = 256 << 10;

    private FileWrites() {
    }

    /**
     * Writes all of {@code src} at {@code position}, in pieces of at most {@value #PIECE} bytes;
     * the buffer's position ends at its limit. Why not in one: ext4 (6.x, large folios) sizes
     * the page-cache folios of a write by its length, and on virtual machines that hand freed
     * memory back to their host one 1 MiB write into fresh page cache took 6x as long as four of
     * 256 KiB (`dd bs=1M` 1.65 s per GiB against 0.25 s at `bs=256k`, docs/benchmarks.md,
     * "Fewer host calls"); below that size the pieces cost nothing.
     */
    public static void writeFully(FileChannel out, ByteBuffer src, long position) throws IOException {
        int end = src.limit();
        long pos = position;
        while (src.position() < end) {
            src.limit(Math.min(end, src.position() + PIECE));
            try {
                pos += out.write(src, pos);
            } finally {
                src.limit(end);
            }
        }
    }
}
