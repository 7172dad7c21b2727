package io.squashroot.squashfs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where image bytes come from. Every read is positional (no shared file position), so any
 * number of threads may read at once. This is the seam for a node-local cache or large aligned
 * reads of images on shared storage: nothing else in the package touches the file.
 */
interface ImageSource extends Closeable {

    /** Length of the image file in bytes. */
    long size();

    /**
     * Fills {@code dst} from its position to its limit with the bytes at {@code position}.
     *
     * @throws java.io.EOFException if the image ends first
     */
    void readFully(long position, ByteBuffer dst) throws IOException;

    /**
     * As {@link #readFully}, for bytes read once from start to end (a whole file streamed by
     * {@link FileData#transferTo}): a source that keeps what it reads for later readers may
     * go past its cache, where caching would only cost copies and evict what others use.
     */
    default void readFullyOnce(long position, ByteBuffer dst) throws IOException {
        readFully(position, dst);
    }
}
