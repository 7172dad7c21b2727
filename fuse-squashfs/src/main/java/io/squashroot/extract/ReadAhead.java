package io.squashroot.extract;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks the kernel to read the image's data area ahead of the workers (posix_fadvise WILLNEED),
 * at most {@link #WINDOW} bytes past the last file handed to them. Files are handed out in
 * directory order, which mksquashfs also uses for the data, so the disk sees one long
 * sequential read while the workers decode, as with unsquashfs' reader thread. Purely a hint:
 * when it cannot open the image nothing changes but speed.
 */
final class ReadAhead implements Runnable {
    private static final long WINDOW = 64L << 20;
    private static final long STEP = 4L << 20;

    private final String path;
    private final long end;
    private final AtomicLong reached = new AtomicLong();
    private volatile boolean stopped;
    private Thread thread;

    private ReadAhead(String path, long end) {
        this.path = path;
        this.end = end;
    }

    static ReadAhead start(Path image, long dataEnd) {
        ReadAhead r = new ReadAhead(image.toString(), dataEnd);
        r.thread = new Thread(r, "extract-readahead");
        r.thread.setDaemon(true);
        r.thread.start();
        return r;
    }

    /** The workers have been given the file whose data starts at {@code position}. */
    void reached(long position) {
        reached.accumulateAndGet(position, Math::max);
        LockSupport.unpark(thread);
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        int fd = Posix.libc().open(path, Posix.O_RDONLY);
        if (fd < 0) {
            return;
        }
        try {
            long ahead = 0;
            while (!stopped && ahead < end) {
                if (ahead - reached.get() >= WINDOW) {
                    LockSupport.parkNanos(5_000_000);
                    continue;
                }
                long len = Math.min(STEP, end - ahead);
                Posix.libc().posix_fadvise(fd, ahead, len, Posix.POSIX_FADV_WILLNEED);
                ahead += len;
            }
        } finally {
            Posix.libc().close(fd);
        }
    }
}
