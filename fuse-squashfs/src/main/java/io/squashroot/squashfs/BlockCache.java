package io.squashroot.squashfs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decompressed metadata and data blocks, shared by every image open in the process and weighed
 * in bytes. Images are immutable, so an entry never goes stale; it only leaves when the byte
 * ceiling needs room. One cache for all images (rather than one per image) keeps the process's
 * memory bounded however many images are mounted.
 *
 * <p>The default ceiling of {@link #shared()} is 256 MiB, or the value of the system property
 * {@code squashroot.blockcache.size} / environment variable {@code SQUASHROOT_BLOCK_CACHE}
 * (bytes, or with a K, M or G suffix).
 */
public final class BlockCache {
    /** Default ceiling of {@link #shared()}. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    /** Per-entry bookkeeping counted on top of the block's bytes. */
    private static final int ENTRY_OVERHEAD = 64;
    private static final AtomicLong IMAGE_IDS = new AtomicLong();

    private static volatile BlockCache shared;

    private final Cache<Key, byte[]> cache;
    private final long maxBytes;

    /** What kind of block a key names; the same position could name different things in a hostile image. */
    enum Kind { METADATA, DATA, FRAGMENT }

    /**
     * equals and hashCode are written out: a record's own are bootstrapped through
     * java.lang.runtime.ObjectMethods at first use, which spins method-handle classes (~7 ms of a
     * container start's main thread at its first block lookup) and, under the C1-only JIT that
     * starts and mounts run with, stays a chain of method handles on every lookup.
     */
    record Key(long image, long position, int length, Kind kind) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && image == k.image && position == k.position && length == k.length
                    && kind == k.kind;
        }

        @Override
        public int hashCode() {
            int h = Long.hashCode(image);
            h = 31 * h + Long.hashCode(position);
            h = 31 * h + length;
            return 31 * h + kind.ordinal();
        }
    }

    /** Loads a block on a cache miss. */
    @FunctionalInterface
    interface Loader {
        byte[] load() throws IOException;
    }

    private BlockCache(long maxBytes) {
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, byte[] v) -> v.length + ENTRY_OVERHEAD)
                .executor(Runnable::run)
                .recordStats()
                .build();
    }

    /** A new cache holding at most {@code maxBytes} of decoded blocks (0 disables caching). */
    public static BlockCache create(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("block cache size must be >= 0, got " + maxBytes);
        }
        return new BlockCache(maxBytes);
    }

    /** The process-wide cache that {@link SquashfsImage#open(java.nio.file.Path)} uses. */
    public static BlockCache shared() {
        BlockCache c = shared;
        if (c == null) {
            synchronized (BlockCache.class) {
                c = shared;
                if (c == null) {
                    String v = System.getProperty("squashroot.blockcache.size", System.getenv("SQUASHROOT_BLOCK_CACHE"));
                    c = shared = create(v == null || v.isBlank() ? DEFAULT_MAX_BYTES : parseSize(v));
                }
            }
        }
        return c;
    }

    /** Parses "268435456", "256M", "1g" into bytes. */
    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'K' || last == 'M' || last == 'G') {
            mult = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(v, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("block cache size: expected bytes or a K/M/G size, got '" + s + "'");
        }
    }

    /** Ceiling in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes currently held (decoded blocks plus per-entry overhead). */
    public long weightedSize() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    public long hitCount() {
        return cache.stats().hitCount();
    }

    public long missCount() {
        return cache.stats().missCount();
    }

    public long evictionCount() {
        return cache.stats().evictionCount();
    }

    /** Caffeine's full statistics snapshot. */
    public CacheStats stats() {
        return cache.stats();
    }

    /** Drops every entry (statistics are kept). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    static long newImageId() {
        return IMAGE_IDS.incrementAndGet();
    }

    byte[] get(Key key, Loader loader) throws IOException {
        try {
            return cache.get(key, k -> {
                try {
                    return loader.load();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The cached value, or null; loads nothing and leaves the statistics alone (a block read
     * whole bypasses the cache, so its absence is not a miss).
     */
    byte[] getIfPresent(Key key) {
        return cache.policy().getIfPresentQuietly(key);
    }

    void invalidateImage(long imageId) {
        cache.asMap().keySet().removeIf(k -> k.image() == imageId);
    }

    @Override
    public String toString() {
        CacheStats s = cache.stats();
        return String.format("BlockCache[max=%d, used=%d, hits=%d, misses=%d]", maxBytes, weightedSize(),
                s.hitCount(), s.missCount());
    }
}
