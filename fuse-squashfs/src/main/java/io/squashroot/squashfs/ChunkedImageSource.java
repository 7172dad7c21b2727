package io.squashroot.squashfs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the image file in large aligned chunks (issue: many nodes reading one image on NFS).
 *
 * <p>Every read is served from whole chunks: chunk {@code i} covers bytes {@code [i*C, (i+1)*C)}
 * of the file, so a 4 KiB metadata read and the 128 KiB data block next to it cost one request
 * of C bytes to the server, not two small ones, and every process asks for the same aligned
 * ranges, which is what lets the node cache and the server's own cache share them. Chunks are
 * kept in one process-wide in-memory LRU ({@link ChunkMemory}, bytes, SQUASHROOT_CHUNK_MEMORY);
 * on a miss they come from the node cache when one is configured, else from the file. When a
 * reader asks for chunk i right after chunk i-1, the next chunks are fetched in the background
 * (readahead), so a sequential read (an extraction, a large file) keeps the link busy.
 */
final class ChunkedImageSource implements ImageSource {

    private static final ConcurrentHashMap<Long, ChunkMemory> MEMORIES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Key, CompletableFuture<byte[]>> INFLIGHT = new ConcurrentHashMap<>();
    private static final ExecutorService READAHEAD = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "squashroot-readahead");
        t.setDaemon(true);
        return t;
    });

    /** A chunk of an image; images are told apart by identity, or by a per-open id without a node cache. */
    record Key(String image, long chunkBytes, long index) {
    }

    private final FileImageSource file;
    private final long chunk;
    private final int readahead;
    private final String image;
    private final NodeCache.Store store;
    private final ReadCounters counters;
    private final ChunkMemory memory;
    private final AtomicLong lastChunk = new AtomicLong(-2);
    private final Set<Long> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ChunkedImageSource(FileImageSource file, long chunk, int readahead, long memoryBytes, String image,
            NodeCache.Store store, ReadCounters counters) {
        if (chunk <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, got " + chunk);
        }
        this.file = file;
        this.chunk = chunk;
        this.readahead = readahead;
        this.image = image;
        this.store = store;
        this.counters = counters;
        this.memory = memory(memoryBytes);
    }

    /** The process-wide chunk cache of that ceiling (a process normally has one setting). */
    private static ChunkMemory memory(long maxBytes) {
        return MEMORIES.computeIfAbsent(maxBytes, ChunkMemory::new);
    }

    @Override
    public long size() {
        return file.size();
    }

    @Override
    public void readFully(long position, ByteBuffer dst) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            if (pos >= file.size()) {
                throw new EOFException("end of image at 0x" + Long.toHexString(pos));
            }
            long index = pos / chunk;
            int off = (int) (pos - index * chunk);
            byte[] c = chunk(index);
            int n = Math.min(dst.remaining(), c.length - off);
            dst.put(c, off, n);
            pos += n;
        }
    }

    /**
     * Without a node cache the chunks help only readers that come back (metadata, small files
     * read in pieces by the kernel); a file streamed once (a copy-up, a whole-file transfer)
     * reads the file directly: large sequential positional reads, with the kernel's readahead,
     * and no chunk copies evicting what the mount's readers keep. With a node cache, chunks
     * are what lets nodes share the image, so they stay.
     */
    @Override
    public void readFullyOnce(long position, ByteBuffer dst) throws IOException {
        if (store != null) {
            readFully(position, dst);
        } else {
            file.readFully(position, dst);
        }
    }

    private byte[] chunk(long index) throws IOException {
        long previous = lastChunk.getAndSet(index);
        if (readahead > 0 && index == previous + 1) {
            for (long i = index + 1; i <= index + readahead && i * chunk < file.size(); i++) {
                scheduleReadahead(i);
            }
        }
        Key key = new Key(image, chunk, index);
        ChunkMemory m = memory;
        byte[] b = m.get(key);
        if (b != null) {
            counters.memoryHits.increment();
            return b;
        }
        counters.memoryMisses.increment();
        return load(m, key);
    }

    private byte[] load(ChunkMemory m, Key key) throws IOException {
        // One fetch per chunk at a time in the process: later askers wait for the first. (Not
        // Caffeine's compute, which would hold a hash bin, and so unrelated chunks, for as long
        // as a slow storage server takes.)
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> theirs = INFLIGHT.putIfAbsent(key, mine);
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw new IOException(io.getMessage(), io);
                }
                throw e;
            }
        }
        try {
            byte[] b = m.get(key); // loaded and released between our miss and putIfAbsent
            if (b == null) {
                b = fetch(key.index());
                m.put(key, b);
            }
            mine.complete(b);
            return b;
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            INFLIGHT.remove(key, mine);
        }
    }

    private byte[] fetch(long index) throws IOException {
        int length = (int) Math.min(chunk, file.size() - index * chunk);
        if (store == null) {
            return fromFile(index, length);
        }
        return store.get(index, length, () -> fromFile(index, length), counters);
    }

    private byte[] fromFile(long index, int length) throws IOException {
        byte[] b = new byte[length];
        file.readFully(index * chunk, ByteBuffer.wrap(b));
        return b;
    }

    private void scheduleReadahead(long index) {
        Key key = new Key(image, chunk, index);
        if (memory.get(key) != null || !pending.add(index)) {
            return;
        }
        READAHEAD.execute(() -> {
            try {
                if (!closed && memory.get(key) == null) {
                    counters.readahead.increment();
                    load(memory, key);
                }
            } catch (IOException | RuntimeException e) {
                // readahead is a hint: the reader fetches the chunk itself and reports the error
            } finally {
                pending.remove(index);
            }
        });
    }

    /** Fetches every chunk of the image into the node cache, in order; returns how many were fetched. */
    long prefetchAll() throws IOException {
        long n = (file.size() + chunk - 1) / chunk;
        long fetched = 0;
        for (long i = 0; i < n; i++) {
            int length = (int) Math.min(chunk, file.size() - i * chunk);
            if (store == null) {
                continue;
            }
            if (store.has(i, length, counters)) {
                counters.nodeHits.increment();
            } else {
                fetch(i);
                fetched++;
            }
        }
        return fetched;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (image.startsWith("open-")) {
            memory.removeIf(k -> k.image().equals(image)); // nobody else can ask for this open's chunks
        }
        file.close();
    }
}
