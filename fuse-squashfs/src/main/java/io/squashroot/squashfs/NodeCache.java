package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A node-local disk cache of image chunks (SQUASHROOT_NODE_CACHE), shared by every squashroot
 * process of the user on the node, so an image on shared storage is fetched from the server once
 * per node, however many containers start from it.
 *
 * <p>Layout: {@code DIR/u<uid>/v1/<image identity>-<chunk KiB>k/<chunk index, hex>.chunk}, each
 * file a 32-byte header (magic "SQRNODE1", chunk index, payload length, CRC-32C of the payload,
 * 8 bytes of the image identity; little-endian) and the chunk's bytes. The per-user directory is
 * 0700: the checksum catches damage, not a hostile writer, so the cache is never shared between
 * users.
 *
 * <p>Concurrency: a chunk is written to a temporary file and renamed into place, so a reader
 * sees a whole file or none. Before fetching a missing chunk a process takes a byte-range lock
 * (fcntl, through {@link FileChannel#tryLock}) on the image's lock file at the chunk's index and
 * checks again, so processes that miss the same chunk at once fetch it once: the others poll
 * for the first one's file. Every read checks the header and the CRC; a chunk that fails is
 * counted, deleted and fetched again (repaired). Hits refresh the file's mtime; when the cache
 * grows past its limit the process that notices takes the eviction lock and deletes the least
 * recently used chunks down to 90% of the limit.
 */
public final class NodeCache {

    static final int HEADER = 32;
    static final long MAGIC = 0x3145444F_4E525153L; // "SQRNODE1" read little-endian
    private static final double LOW_WATER = 0.9;
    private static final Map<Path, NodeCache> OPEN = new ConcurrentHashMap<>();

    private final Path root;
    private final long maxBytes;
    private final AtomicLong approxBytes = new AtomicLong();
    private final AtomicLong writtenSinceScan = new AtomicLong();
    private final Map<String, Store> stores = new ConcurrentHashMap<>();

    private NodeCache(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
    }

    /**
     * The node cache in {@code dir} with a limit of {@code maxBytes}; one instance per directory
     * per process, because fcntl locks belong to the process and closing any descriptor of a lock
     * file would drop every lock the process holds on it.
     */
    public static NodeCache open(Path dir, long maxBytes) throws IOException {
        Path root = userRoot(dir);
        NodeCache c = OPEN.get(root);
        if (c != null) {
            return c;
        }
        synchronized (OPEN) {
            c = OPEN.get(root);
            if (c == null) {
                c = new NodeCache(root, maxBytes);
                c.approxBytes.set(c.scan().stream().mapToLong(Entry::size).sum());
                OPEN.put(root, c);
            }
            return c;
        }
    }

    private static Path userRoot(Path dir) throws IOException {
        String uid = "u" + Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Path user = dir.toAbsolutePath().normalize().resolve(uid);
        mkdir0700(dir);
        mkdir0700(user);
        return mkdir0700(user.resolve("v1"));
    }

    private static Path mkdir0700(Path d) throws IOException {
        try {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(d)) {
                throw new IOException("node cache " + d + ": exists and is not a directory");
            }
        }
        return d;
    }

    /**
     * Reads every chunk of {@code image} into the node cache of {@code reads} in one sequential
     * pass ({@code squashroot cache prefetch}); chunks already cached and valid are not read again.
     * Returns the pass's counters: backing bytes fetched, node hits (already there), misses (fetched).
     */
    public static ReadStats prefetch(Path image, ReadSettings reads) throws IOException {
        if (reads.nodeCacheDir() == null) {
            throw new IllegalArgumentException("no node cache configured: set SQUASHROOT_NODE_CACHE=DIR");
        }
        ReadCounters c = new ReadCounters();
        try (FileImageSource file = new FileImageSource(image, c)) {
            Superblock sb = SquashfsImage.readSuperblock(image.toString(), file);
            ChunkedImageSource src = (ChunkedImageSource) ImageSources.open(file, sb, reads, c);
            src.prefetchAll();
        }
        return c.snapshot();
    }

    /** Bytes of chunk files in the cache, as this process last counted them. */
    public long usedBytes() {
        return approxBytes.get();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The chunk store of one image, identified by content, at one chunk size. */
    Store store(String identity, long chunkBytes) throws IOException {
        String name = identity + "-" + (chunkBytes >> 10) + "k";
        Store s = stores.get(name);
        if (s == null) {
            synchronized (stores) {
                s = stores.get(name);
                if (s == null) {
                    s = new Store(mkdir0700(root.resolve(name)), identity);
                    stores.put(name, s);
                }
            }
        }
        return s;
    }

    /** Fetches a chunk from the image file on a miss. */
    @FunctionalInterface
    interface Fetch {
        byte[] fetch() throws IOException;
    }

    /** The chunks of one image. */
    final class Store {
        private final Path dir;
        private final long idTag;
        private final FileChannel lockFile;
        private final ReentrantLock[] stripes = new ReentrantLock[64];

        private Store(Path dir, String identity) throws IOException {
            this.dir = dir;
            this.idTag = Long.parseUnsignedLong(identity.substring(0, 16), 16);
            // Kept open for the life of the process (see open()): closing it would drop our locks.
            this.lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            for (int i = 0; i < stripes.length; i++) {
                stripes[i] = new ReentrantLock();
            }
        }

        Path file(long index) {
            return dir.resolve(Long.toHexString(index) + ".chunk");
        }

        /** Chunk {@code index} of {@code length} bytes: from disk if valid, else fetched once per node. */
        byte[] get(long index, int length, Fetch fetch, ReadCounters counters) throws IOException {
            Path f = file(index);
            byte[] b = read(f, index, length, counters);
            if (b != null) {
                counters.nodeHits.increment();
                touch(f);
                return b;
            }
            // fcntl locks are per process: threads of this process queue on a stripe first, then
            // the process queues on the byte range with the other processes.
            ReentrantLock stripe = stripes[(int) (index & (stripes.length - 1))];
            stripe.lock();
            try {
                FileLock lock;
                long pause = 1;
                // Never block in fcntl: its locks belong to processes, so thread T1 of process A
                // holding chunk 5 and waiting for 6 while B holds 6 and waits for 5 (on another
                // thread) looks like a deadlock to the kernel, which fails one with EDEADLK.
                // Instead: try, and while another process fetches, watch for its file.
                while ((lock = tryLockRange(index)) == null) {
                    b = read(f, index, length, counters);
                    if (b != null) {
                        counters.nodeHits.increment();
                        return b;
                    }
                    sleep(pause);
                    pause = Math.min(pause * 2, 32);
                }
                try (FileLock held = lock) {
                    b = read(f, index, length, counters);
                    if (b != null) {
                        counters.nodeHits.increment();
                        return b;
                    }
                    counters.nodeMisses.increment();
                    b = fetch.fetch();
                    write(f, index, b);
                }
            } finally {
                stripe.unlock();
            }
            added(HEADER + b.length);
            return b;
        }

        /** True if chunk {@code index} is present and passes its check (for prefetch). */
        boolean has(long index, int length, ReadCounters counters) throws IOException {
            return read(file(index), index, length, counters) != null;
        }

        private FileLock tryLockRange(long index) throws IOException {
            try {
                return lockFile.tryLock(index, 1, false);
            } catch (OverlappingFileLockException e) {
                throw new IOException("node cache " + dir + ": chunk " + index + " locked twice by this process", e);
            }
        }

        private void sleep(long ms) throws IOException {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("node cache " + dir + ": interrupted while another process fetched a chunk");
            }
        }

        /** The chunk's payload, or null if missing or damaged (damaged files are deleted and counted). */
        private byte[] read(Path f, long index, int length, ReadCounters counters) throws IOException {
            byte[] all;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size != HEADER + (long) length) {
                    return damaged(f, counters);
                }
                all = new byte[HEADER + length];
                ByteBuffer bb = ByteBuffer.wrap(all);
                while (bb.hasRemaining()) {
                    if (ch.read(bb) < 0) {
                        return damaged(f, counters);
                    }
                }
            } catch (NoSuchFileException e) {
                return null;
            }
            ByteBuffer h = ByteBuffer.wrap(all, 0, HEADER).order(ByteOrder.LITTLE_ENDIAN);
            if (h.getLong(0) != MAGIC || h.getLong(8) != index || h.getInt(16) != length || h.getLong(24) != idTag) {
                return damaged(f, counters);
            }
            CRC32C crc = new CRC32C();
            crc.update(all, HEADER, length);
            if ((int) crc.getValue() != h.getInt(20)) {
                return damaged(f, counters);
            }
            byte[] payload = new byte[length];
            System.arraycopy(all, HEADER, payload, 0, length);
            return payload;
        }

        private byte[] damaged(Path f, ReadCounters counters) throws IOException {
            counters.nodeCorrupt.increment();
            Files.deleteIfExists(f);
            return null;
        }

        private void write(Path f, long index, byte[] payload) throws IOException {
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            CRC32C crc = new CRC32C();
            crc.update(payload);
            h.putLong(MAGIC).putLong(index).putInt(payload.length).putInt((int) crc.getValue()).putLong(idTag).flip();
            Path tmp = dir.resolve("." + Long.toHexString(index) + "." + ProcessHandle.current().pid() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer p = ByteBuffer.wrap(payload);
                while (h.hasRemaining()) {
                    ch.write(h);
                }
                while (p.hasRemaining()) {
                    ch.write(p);
                }
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw new IOException("node cache " + dir + ": cannot write chunk " + index + ": " + e.getMessage(), e);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void touch(Path f) {
        try {
            Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // evicted meanwhile: the bytes were read already
        }
    }

    private void added(long bytes) {
        long now = approxBytes.addAndGet(bytes);
        long since = writtenSinceScan.addAndGet(bytes);
        // Other processes write too: recount from disk whenever this one has written 5% of the
        // limit, so the cache overshoots by at most that per process between recounts.
        if (now > maxBytes || since > maxBytes / 20) {
            try {
                evict();
            } catch (IOException e) {
                // eviction is housekeeping; the next write tries again
            }
        }
    }

    /** A chunk file, its size and its last use. */
    record Entry(Path path, long size, long lastUse) {
    }

    /** Recounts the cache and, if it is over its limit, deletes least recently used chunks. */
    public void evict() throws IOException {
        try (FileChannel ch = FileChannel.open(root.resolve("evict.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
            if (lock == null) {
                return; // another process is evicting right now
            }
            writtenSinceScan.set(0);
            List<Entry> all = scan();
            long total = all.stream().mapToLong(Entry::size).sum();
            if (total > maxBytes) {
                all.sort((a, b) -> Long.compare(a.lastUse(), b.lastUse()));
                long target = (long) (maxBytes * LOW_WATER);
                for (Entry e : all) {
                    if (total <= target) {
                        break;
                    }
                    Files.deleteIfExists(e.path());
                    total -= e.size();
                }
            }
            approxBytes.set(total);
        } catch (OverlappingFileLockException e) {
            // another thread of this process is evicting
        }
    }

    /** Every chunk file; temporary files of writers that died more than an hour ago are removed. */
    List<Entry> scan() throws IOException {
        List<Entry> out = new ArrayList<>();
        long staleBefore = System.currentTimeMillis() - 3_600_000;
        try (DirectoryStream<Path> images = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path img : images) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(img)) {
                    for (Path f : files) {
                        String n = f.getFileName().toString();
                        try {
                            long mtime = Files.getLastModifiedTime(f).toMillis();
                            if (n.endsWith(".chunk")) {
                                out.add(new Entry(f, Files.size(f), mtime));
                            } else if (n.endsWith(".tmp") && mtime < staleBefore) {
                                Files.deleteIfExists(f);
                            }
                        } catch (NoSuchFileException e) {
                            // evicted or renamed while we looked
                        }
                    }
                }
            }
        }
        return out;
    }
}
