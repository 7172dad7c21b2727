package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives a file's decoded content block by block from
 * {@link SquashfsImage#transferTo(Inode.RegularFile, BlockWriter)}, so that decoding and writing
 * can run on different threads (the extractor's decoders hand blocks to one writer thread, as
 * unsquashfs does). Sparse blocks are never delivered: they are holes.
 */
public interface BlockWriter {

    /**
     * An empty buffer with at least {@code capacity} bytes of room, which the reader fills and
     * then passes to {@link #write}. May block until a buffer is free (flow control).
     */
    ByteBuffer take(int capacity) throws IOException;

    /**
     * Content for file positions {@code [position, position + data.remaining())}. Ownership of
     * {@code data} passes to the writer, which recycles it once written.
     */
    void write(ByteBuffer data, long position) throws IOException;
}
