package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * How an image file is read: in aligned chunks of {@code chunkBytes} (so many small reads inside
 * a container become few large requests to the storage server), with {@code readaheadChunks}
 * chunks fetched ahead once access turns sequential, the most recent chunks kept in memory
 * ({@code memoryBytes}, shared by every image of the process), and optionally a node-local chunk
 * cache on disk shared by every squashroot process on the node.
 *
 * <p>From the environment (system properties of the same meaning in parentheses win):
 * SQUASHROOT_READ_CHUNK ({@code squashroot.read.chunk}, default 1M; 0 reads exactly what is
 * asked), SQUASHROOT_READAHEAD ({@code squashroot.read.ahead}, chunks, default 4),
 * SQUASHROOT_CHUNK_MEMORY ({@code squashroot.read.memory}, default 64M), SQUASHROOT_NODE_CACHE
 * ({@code squashroot.nodecache.dir}, unset = no node cache) and SQUASHROOT_NODE_CACHE_SIZE
 * ({@code squashroot.nodecache.size}, default 10G). Sizes take K, M and G suffixes. A mount of an
 * image on a local disk reads directly unless chunks or a node cache are asked for
 * ({@link #forImage}).
 *
 * @param chunkBytes requested chunk size; the effective one is at least the image's block size
 * @param readaheadChunks chunks read ahead on sequential access (0 = none)
 * @param memoryBytes ceiling of the in-memory chunk cache
 * @param nodeCacheDir node cache directory, or null
 * @param nodeCacheMaxBytes node cache size limit
 */
public record ReadSettings(long chunkBytes, int readaheadChunks, long memoryBytes, Path nodeCacheDir,
        long nodeCacheMaxBytes) {

    /** Default chunk: 1 MiB, a request size NFS and Lustre servers handle at full bandwidth. */
    public static final long DEFAULT_CHUNK = 1L << 20;
    /** Largest chunk accepted: bounds the memory one read may allocate. */
    public static final long MAX_CHUNK = 64L << 20;

    public ReadSettings {
        if (chunkBytes < 0 || chunkBytes > MAX_CHUNK) {
            throw new IllegalArgumentException("read chunk must be between 0 and 64M, got " + chunkBytes);
        }
        if (readaheadChunks < 0 || readaheadChunks > 64) {
            throw new IllegalArgumentException("readahead must be between 0 and 64 chunks, got " + readaheadChunks);
        }
        if (memoryBytes < 0 || nodeCacheMaxBytes < 0) {
            throw new IllegalArgumentException("cache sizes must be >= 0");
        }
        if (nodeCacheDir != null && chunkBytes == 0) {
            throw new IllegalArgumentException("the node cache stores chunks: it needs a read chunk size above 0");
        }
    }

    /** Reads exactly what the reader asks for, nothing cached below the block cache. */
    public static ReadSettings direct() {
        return new ReadSettings(0, 0, 0, null, 0);
    }

    /**
     * For a pass that reads the whole image once, in order (extraction): plain positional reads
     * with the kernel's read-ahead beat the chunk cache, unless the environment configures a
     * node cache, which such a pass should fill and share.
     */
    public static ReadSettings forSequentialScan() {
        ReadSettings env = fromEnvironment();
        return env.nodeCacheDir() != null ? env : direct();
    }

    /**
     * For random access to {@code image} (a mount): the environment's settings, except that an
     * image on a local disk file system is read directly unless the environment asks for chunks
     * or a node cache. Locally the kernel's page cache already keeps and reads ahead what
     * chunks would, and a second copy of the image in the heap only costs copies and garbage
     * collection; chunks pay on network and FUSE file systems, where each request is slow.
     */
    public static ReadSettings forImage(Path image) {
        return forImage(image, System.getenv());
    }

    static ReadSettings forImage(Path image, Map<String, String> env) {
        ReadSettings s = from(env);
        if (s.nodeCacheDir() == null && setting(env, "squashroot.read.chunk", "SQUASHROOT_READ_CHUNK") == null
                && isLocalDisk(image)) {
            return direct();
        }
        return s;
    }

    /** File systems whose reads are served by a local disk or memory (statfs type names). */
    private static final Set<String> LOCAL = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs",
            "tmpfs", "f2fs", "zfs", "jfs", "reiserfs", "bcachefs", "overlay", "ramfs", "squashfs", "erofs");

    static boolean isLocalDisk(Path image) {
        try {
            return LOCAL.contains(Files.getFileStore(image).type());
        } catch (IOException | SecurityException e) {
            return false; // unknown: chunked reads are the safe choice for slow storage
        }
    }

    public static ReadSettings defaults() {
        return new ReadSettings(DEFAULT_CHUNK, 4, 64L << 20, null, 10L << 30);
    }

    /** The settings the environment asks for (see the class comment). */
    public static ReadSettings fromEnvironment() {
        return from(System.getenv());
    }

    static ReadSettings from(Map<String, String> env) {
        ReadSettings d = defaults();
        String dir = setting(env, "squashroot.nodecache.dir", "SQUASHROOT_NODE_CACHE");
        return new ReadSettings(
                size(env, "squashroot.read.chunk", "SQUASHROOT_READ_CHUNK", d.chunkBytes()),
                (int) size(env, "squashroot.read.ahead", "SQUASHROOT_READAHEAD", d.readaheadChunks()),
                size(env, "squashroot.read.memory", "SQUASHROOT_CHUNK_MEMORY", d.memoryBytes()),
                dir == null || dir.isBlank() ? null : Path.of(dir),
                size(env, "squashroot.nodecache.size", "SQUASHROOT_NODE_CACHE_SIZE", d.nodeCacheMaxBytes()));
    }

    public ReadSettings withNodeCache(Path dir, long maxBytes) {
        return new ReadSettings(chunkBytes, readaheadChunks, memoryBytes, dir, maxBytes);
    }

    public ReadSettings withChunk(long bytes, int readahead) {
        return new ReadSettings(bytes, readahead, memoryBytes, nodeCacheDir, nodeCacheMaxBytes);
    }

    /** The chunk size used for an image of {@code blockSize}: never smaller than one data block. */
    long effectiveChunk(int blockSize) {
        return chunkBytes == 0 ? 0 : Math.max(chunkBytes, blockSize);
    }

    private static String setting(Map<String, String> env, String property, String variable) {
        String p = System.getProperty(property);
        return p != null ? p : env.get(variable);
    }

    private static long size(Map<String, String> env, String property, String variable, long dflt) {
        String v = setting(env, property, variable);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return BlockCache.parseSize(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + ": expected bytes or a K/M/G size, got '" + v + "'");
        }
    }
}
