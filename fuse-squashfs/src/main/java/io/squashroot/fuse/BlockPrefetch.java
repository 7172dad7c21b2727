package io.squashroot.fuse;

import io.squashroot.squashfs.BlockList;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readahead for sequential readers: the whole data blocks after a read are decoded on the
 * prefetch executor into direct buffers, and the read that later asks for such a block takes
 * its buffer (waiting for it if the decode is under way), so every block is decoded once.
 *
 * <p>Why not the block cache: its admission policy (TinyLFU) turns away a block seen once, so
 * prefetched blocks were evicted before their reader came and were decoded a second time; and a
 * heap array per block costs the collector what a reused direct buffer does not. Buffers come
 * from a fixed pool, so readahead never holds more than {@code maxBuffers} blocks; when the pool
 * is empty readahead simply stops (it is a hint).
 *
 * <p>A buffer goes back to the pool exactly once, by the thread whose removal of its block from
 * the file's map succeeds (the read that takes it, or the drop of blocks the reader has passed;
 * several reads of one handle run at once), and only after its decode has finished. A buffer
 * given back twice sits in the pool twice and is later decoded into by two blocks at once.
 */
final class BlockPrefetch {
    /** Longest a read waits for a block being prefetched before decoding it itself. */
    private static final long WAIT_MS = 2000;

    private final SquashfsImage image;
    private final Executor executor;
    private final int blockSize;
    private final int depth;
    private final int maxBuffers;
    private final ArrayBlockingQueue<ByteBuffer> free;
    private final AtomicInteger allocated = new AtomicInteger();

    /** The blocks decoded (or being decoded) ahead of one open file's reader. */
    static final class Ahead {
        private final ConcurrentHashMap<Long, CompletableFuture<ByteBuffer>> blocks = new ConcurrentHashMap<>();
        /** First block index not scheduled yet; guarded by this. */
        private long next;
    }

    /**
     * @param depth      blocks kept decoded ahead of each sequential reader
     * @param maxBuffers blocks held by all readers together
     */
    BlockPrefetch(SquashfsImage image, Executor executor, int depth, int maxBuffers) {
        this.image = image;
        this.executor = executor;
        this.blockSize = image.superblock().blockSize();
        this.depth = depth;
        this.maxBuffers = maxBuffers;
        this.free = new ArrayBlockingQueue<>(Math.max(1, maxBuffers));
    }

    /**
     * After a sequential read of {@code f} that ended at {@code end}: schedules the whole blocks
     * from the one containing {@code end} onwards, up to {@code depth} blocks, each once.
     */
    void after(Inode.RegularFile f, Ahead a, long end) {
        BlockList words = f.blocks();
        // Whole blocks only: the last block of a file without a fragment may be short.
        long full = f.hasFragment() ? words.count() : Math.max(0, words.count() - 1);
        long from = end / blockSize;
        long to = Math.min(from + depth, full);
        synchronized (a) {
            from = Math.max(from, a.next);
            if (from >= to) {
                return;
            }
            a.next = to;
        }
        for (long b = from; b < to; b++) {
            if (words.word((int) b) == 0) {
                continue; // sparse: zeros cost nothing to produce
            }
            ByteBuffer buf = buffer();
            if (buf == null) {
                synchronized (a) {
                    a.next = Math.min(a.next, b); // try again on the next read
                }
                return;
            }
            CompletableFuture<ByteBuffer> done = new CompletableFuture<>();
            if (a.blocks.putIfAbsent(b, done) != null) {
                // already scheduled (a concurrent after() lowered next): replacing the entry
                // would orphan its buffer, which then never went back to the pool
                release(buf);
                continue;
            }
            long pos = b * blockSize;
            try {
                executor.execute(() -> decode(f, pos, buf, done));
            } catch (RejectedExecutionException e) {
                a.blocks.remove(b, done);
                done.complete(null); // a reader that took it already decodes the block itself
                release(buf);
                return;
            }
        }
    }

    private void decode(Inode.RegularFile f, long pos, ByteBuffer buf, CompletableFuture<ByteBuffer> done) {
        try {
            buf.clear().limit(blockSize);
            image.read(f, pos, buf);
            done.complete(buf.flip());
        } catch (IOException | RuntimeException e) {
            release(buf);
            done.complete(null); // the reader decodes it itself and gets the error
        }
    }

    /**
     * Serves the read at {@code offset} from prefetched blocks as far as they go: each whole
     * block there is copied into {@code dst} and its buffer returned to the pool.
     *
     * @return bytes served (0 when the block at {@code offset} was not prefetched)
     */
    int take(Ahead a, long offset, ByteBuffer dst) {
        if (a.blocks.isEmpty()) {
            return 0;
        }
        int served = 0;
        long pos = offset;
        while (pos % blockSize == 0 && dst.remaining() >= blockSize) {
            CompletableFuture<ByteBuffer> f = a.blocks.remove(pos / blockSize);
            if (f == null) {
                break;
            }
            ByteBuffer b = await(f);
            if (b == null) {
                f.thenAccept(this::release); // if it still arrives, its buffer goes back
                break;
            }
            dst.put(b);
            release(b);
            served += blockSize;
            pos += blockSize;
        }
        dropBefore(a, pos / blockSize);
        return served;
    }

    /** Blocks the reader has moved past (it skipped or went back) go back to the pool. */
    private void dropBefore(Ahead a, long block) {
        for (Map.Entry<Long, CompletableFuture<ByteBuffer>> e : a.blocks.entrySet()) {
            // Only the thread whose remove succeeds gives the buffer back. (Not removeIf: its
            // predicate runs before the removal is known to succeed, so a predicate that
            // releases let two readers of one file, or a reader taking the block, release it
            // too; the pool then handed one buffer to two decodes at once, and the readers got
            // one block's bytes, or another file's, for another.)
            if (e.getKey() < block && a.blocks.remove(e.getKey(), e.getValue())) {
                e.getValue().thenAccept(this::release);
            }
        }
    }

    /** Returns every buffer of a closed file to the pool (those still decoding when they finish). */
    void release(Ahead a) {
        dropBefore(a, Long.MAX_VALUE);
    }

    private static ByteBuffer await(CompletableFuture<ByteBuffer> f) {
        try {
            return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null; // a starved prefetcher: decode it in the reader
        }
    }

    private ByteBuffer buffer() {
        ByteBuffer b = free.poll();
        if (b != null) {
            return b;
        }
        if (allocated.incrementAndGet() > maxBuffers) {
            allocated.decrementAndGet();
            return null;
        }
        return ByteBuffer.allocateDirect(blockSize);
    }

    private void release(ByteBuffer b) {
        if (b != null) {
            free.offer(b);
        }
    }
}
