package io.squashroot.squashfs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@link ImageSource} over a local file, read with {@code pread} (FileChannel positional reads). */
final class FileImageSource implements ImageSource {
    private final FileChannel channel;
    private final long size;
    private final ReadCounters counters;

    FileImageSource(Path path) throws IOException {
        this(path, new ReadCounters());
    }

    FileImageSource(Path path, ReadCounters counters) throws IOException {
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.size = channel.size();
        this.counters = counters;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void readFully(long position, ByteBuffer dst) throws IOException {
        long pos = position;
        counters.backingRequests.increment();
        counters.backingBytes.add(dst.remaining());
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new EOFException("end of image at 0x" + Long.toHexString(pos));
            }
            pos += n;
        }
    }

    /** The channel itself, for zero-copy transfers of stored (uncompressed) blocks. */
    FileChannel channel() {
        return channel;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
