package io.squashroot.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A lock shared by threads and processes: a JVM-wide read/write lock per file (FileLock alone
 * cannot be taken twice in one JVM) plus an fcntl lock on the file for other processes. Shared
 * mode is for imports, exclusive for the work one of them must do alone (converting a given
 * layer) and for {@code cache prune}.
 */
final class CacheLock implements AutoCloseable {

    private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();

    /** One per lock file: the JVM lock, and the OS lock while any thread holds the JVM lock. */
    private static final class Holder {
        final ReentrantReadWriteLock jvm = new ReentrantReadWriteLock();
        int users;
        FileChannel channel;
        FileLock os;
        boolean osShared;
    }

    private final Path file;
    private final Holder holder;
    private final boolean shared;

    private CacheLock(Path file, Holder holder, boolean shared) {
        this.file = file;
        this.holder = holder;
        this.shared = shared;
    }

    static CacheLock exclusive(Path file) throws IOException {
        return acquire(file, false);
    }

    static CacheLock shared(Path file) throws IOException {
        return acquire(file, true);
    }

    private static CacheLock acquire(Path file, boolean shared) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        Holder h = HOLDERS.computeIfAbsent(key, k -> new Holder());
        if (shared) {
            h.jvm.readLock().lock();
        } else {
            h.jvm.writeLock().lock();
        }
        try {
            synchronized (h) {
                if (h.users == 0) {
                    h.channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    try {
                        h.os = osLock(h.channel, shared, key);
                    } catch (IOException | RuntimeException e) {
                        h.channel.close();
                        throw e;
                    }
                    h.osShared = shared;
                }
                h.users++;
            }
        } catch (IOException | RuntimeException e) {
            unlockJvm(h, shared);
            throw e;
        }
        return new CacheLock(key, h, shared);
    }

    /**
     * Polls with tryLock instead of a blocking lock: fcntl locks belong to the process, so two
     * importers whose threads each hold one layer lock and wait for the other's would be refused
     * with EDEADLK by the kernel's deadlock check, although no thread waits for itself.
     */
    private static FileLock osLock(FileChannel ch, boolean shared, Path key) throws IOException {
        long sleep = 10;
        while (true) {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, shared);
            if (l != null) {
                return l;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for " + key);
            }
            sleep = Math.min(sleep * 2, 200);
        }
    }

    private static void unlockJvm(Holder h, boolean shared) {
        if (shared) {
            h.jvm.readLock().unlock();
        } else {
            h.jvm.writeLock().unlock();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            synchronized (holder) {
                holder.users--;
                if (holder.users == 0) {
                    try {
                        holder.os.release();
                    } finally {
                        holder.channel.close();
                    }
                }
            }
        } finally {
            unlockJvm(holder, shared);
        }
    }

    @Override
    public String toString() {
        return "CacheLock[" + file + (shared ? ", shared" : ", exclusive") + "]";
    }
}
