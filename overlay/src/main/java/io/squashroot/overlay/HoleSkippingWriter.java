package io.squashroot.overlay;

import io.squashroot.host.FileWrites;
import io.squashroot.squashfs.BlockWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes a copied-up file's blocks as an image decodes them ({@link BlockWriter}), leaving
 * all-zero 4 KiB pieces unwritten so holes stay holes. One direct buffer, reused: the image
 * decodes into it and the host write reads from it, with no copy in between (a heap buffer
 * would cost the JDK's bounce copy on every write). Writeback to disk is started every
 * {@value #WRITEBACK_STEP} bytes, so the copy-up's closing fsync overlaps the decoding instead
 * of following it. The first host failure is kept, so the
 * copy-up can report its errno (ENOSPC, EDQUOT) rather than the reader's view of it.
 */
final class HoleSkippingWriter implements BlockWriter {
    /** Hole granularity: the page size, which every Linux file system allocates at least. */
    static final int PIECE = 4096;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(PIECE);
    /** Writeback is started behind the writer in steps of this many bytes. */
    static final long WRITEBACK_STEP = 8 << 20;
    private final FileChannel out;
    private final int writebackFd;
    private long writebackFrom;
    private ByteBuffer buf = ByteBuffer.allocateDirect(0);
    private IOException failure;

    /**
     * @param writebackFd a descriptor of the same file for {@link HostFs#startWriteback}, or -1;
     *                    the caller closes it
     */
    HoleSkippingWriter(FileChannel out, int writebackFd) {
        this.out = out;
        this.writebackFd = writebackFd;
    }

    @Override
    public ByteBuffer take(int capacity) {
        if (buf.capacity() < capacity) {
            buf = ByteBuffer.allocateDirect(capacity);
        }
        return buf.clear();
    }

    @Override
    public void write(ByteBuffer data, long position) throws IOException {
        try {
            long end = position + data.remaining();
            writeSkippingZeros(out, data, position);
            if (end - writebackFrom >= WRITEBACK_STEP) {
                HostFs.startWriteback(writebackFd, writebackFrom, end - writebackFrom);
                writebackFrom = end;
            }
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    /** The host write that failed, or null when the failure (if any) came from the image. */
    IOException failure() {
        return failure;
    }

    /** Writes {@code data} at {@code position}, all but its all-zero {@value #PIECE}-byte pieces. */
    static void writeSkippingZeros(FileChannel out, ByteBuffer data, long position) throws IOException {
        int base = data.position();
        int end = data.limit();
        int i = base;
        while (i < end) {
            if (isZero(data, i, Math.min(i + PIECE, end))) {
                i = Math.min(i + PIECE, end);
                continue;
            }
            int start = i;
            while (i < end && !isZero(data, i, Math.min(i + PIECE, end))) {
                i = Math.min(i + PIECE, end);
            }
            FileWrites.writeFully(out, data.duplicate().limit(i).position(start), position + (start - base));
        }
        data.position(end);
    }

    private static boolean isZero(ByteBuffer b, int from, int to) {
        return b.slice(from, to - from).mismatch(ZEROS.slice(0, to - from)) < 0;
    }
}
