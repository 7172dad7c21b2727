package io.squashroot.fuse;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Which of a session's workers wait in read(2) on /dev/fuse. Plain mode: all of them. Adaptive
 * mode (writable trees): one, while the requests are quick; a second one is let in only while
 * a request that may take long (a read of image data, a copy-up) is being handled, so that
 * requests from other processes are not held up behind it.
 *
 * <p>Why: a writable container's requests come mostly from one process at a time (tar, pip,
 * apt: create, setattr, write, release...), and every extra worker waiting in read(2) is one
 * more thread the kernel wakes and puts to sleep per request; on a 2-vCPU machine with the
 * other vCPU busy, one waiting worker untarred 10,000 files 1.5x faster than two
 * (docs/benchmarks.md, "The kernel session"). Image reads, by contrast, come in parallel
 * (the kernel's readahead) and gain from more workers.
 */
final class Readers {

    private final boolean adaptive;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ConcurrentLinkedQueue<Thread> parked = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    Readers(boolean adaptive) {
        this.adaptive = adaptive;
    }

    /**
     * Before a read: true when the caller should read now (then call {@link #left} after it);
     * false after the caller was parked because another worker already waits for the next
     * request (it may have been woken by {@link #mayTakeLong}: ask again).
     */
    boolean enter() {
        if (adaptive && !closed && waiting.get() > 0) {
            Thread me = Thread.currentThread();
            parked.add(me);
            // checked again after queueing: a mayTakeLong() in between found the queue empty
            if (!closed && waiting.get() > 0) {
                LockSupport.park(this);
            }
            parked.remove(me);
            return false;
        }
        waiting.incrementAndGet();
        return true;
    }

    /** The caller's read returned. */
    void left() {
        waiting.decrementAndGet();
    }

    /** A request that may take long is about to be handled: let a parked worker wait for the next one. */
    void mayTakeLong() {
        if (adaptive && waiting.get() == 0) {
            Thread t = parked.poll();
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** The session ends: no worker parks again, parked ones wake to find the connection gone. */
    void close() {
        closed = true;
        for (Thread t : parked) {
            LockSupport.unpark(t);
        }
    }
}
