package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One byte range of a file as a stream, read through its own channel with positional reads. An
 * archive's layers are converted in parallel, and commons-compress's TarFile streams share one
 * channel that each read positions first, so two layers read at once could get each other's
 * bytes (seen as "Corrupted TAR archive" under load).
 */
final class FileSlice extends InputStream {

    private final FileChannel channel;
    private final long end;
    private long pos;

    FileSlice(Path file, long offset, long length) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.pos = offset;
        this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos >= end) {
            return -1;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
        if (n < 0) {
            throw new IOException("unexpected end of file at offset " + pos + " (archive shorter than its index)");
        }
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long s = Math.max(0, Math.min(n, end - pos));
        pos += s;
        return s;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, end - pos);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
