package io.squashroot.squashfs;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The process-wide in-memory cache of image chunks: plain LRU, bounded in bytes.
 *
 * <p>Not Caffeine, on purpose: its TinyLFU admission keeps a new entry only if it looks more
 * popular than the one it would evict, and a chunk a reader is streaming through has been used
 * once when the next block of it is wanted. With chunks as large as the admission window, every
 * fresh chunk was evicted at once and fetched again for its next block (an extraction read 1.26x
 * the image). Recency is the right policy one level below the decoded-block cache.
 */
final class ChunkMemory {

    private static final int ENTRY_OVERHEAD = 64;

    private final long maxBytes;
    private final LinkedHashMap<ChunkedImageSource.Key, byte[]> map = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    ChunkMemory(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized byte[] get(ChunkedImageSource.Key key) {
        return map.get(key);
    }

    synchronized void put(ChunkedImageSource.Key key, byte[] value) {
        byte[] old = map.put(key, value);
        if (old != null) {
            bytes -= old.length + ENTRY_OVERHEAD;
        }
        bytes += value.length + ENTRY_OVERHEAD;
        Iterator<Map.Entry<ChunkedImageSource.Key, byte[]>> it = map.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<ChunkedImageSource.Key, byte[]> e = it.next();
            if (e.getKey().equals(key) && map.size() == 1) {
                break; // keep the one just put even if it alone exceeds the ceiling: its reader needs it
            }
            bytes -= e.getValue().length + ENTRY_OVERHEAD;
            it.remove();
        }
    }

    synchronized void removeIf(Predicate<ChunkedImageSource.Key> p) {
        Iterator<Map.Entry<ChunkedImageSource.Key, byte[]>> it = map.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ChunkedImageSource.Key, byte[]> e = it.next();
            if (p.test(e.getKey())) {
                bytes -= e.getValue().length + ENTRY_OVERHEAD;
                it.remove();
            }
        }
    }
}
