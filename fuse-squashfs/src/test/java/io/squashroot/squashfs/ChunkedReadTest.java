package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large aligned reads: same bytes as direct reads, and few, chunk-sized requests to the file. */
class ChunkedReadTest {

    @TempDir
    static Path dir;
    static Path image;

    @BeforeAll
    static void build() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/d"));
        Random r = new Random(9);
        for (int i = 0; i < 300; i++) {
            // Many small files: the access pattern that turns into many small requests without chunking.
            byte[] b = new byte[r.nextInt(9000)];
            r.nextBytes(b);
            Files.write(src.resolve("small" + i), b);
        }
        byte[] big = new byte[3 << 20];
        r.nextBytes(big);
        Files.write(src.resolve("big"), big);
        image = dir.resolve("img.sqsh");
        Process p = new ProcessBuilder("mksquashfs", dir.resolve("src").toString(), image.toString(), "-quiet",
                "-no-progress", "-comp", "zstd", "-b", "64K").inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @Test
    void readsSameBytes_withChunkedAndDirectReads() throws Exception {
        Map<String, byte[]> direct = readAll(ReadSettings.direct());
        for (long chunk : new long[] {64 << 10, 1 << 20, 3 << 20}) {
            Map<String, byte[]> chunked = readAll(ReadSettings.defaults().withChunk(chunk, 2));
            assertEquals(direct.keySet(), chunked.keySet());
            for (String k : direct.keySet()) {
                assertTrue(java.util.Arrays.equals(direct.get(k), chunked.get(k)), k + " at chunk " + chunk);
            }
        }
    }

    @Test
    void sendsFewAlignedRequests_forManySmallReads() throws Exception {
        long size = Files.size(image);
        ReadStats direct = stats(ReadSettings.direct());
        ReadStats chunked = stats(ReadSettings.defaults().withChunk(1 << 20, 0));
        long chunks = (size + (1 << 20) - 1) >> 20;
        // Every chunk at most once (the memory cache holds the whole image), plus the superblock.
        assertTrue(chunked.backingRequests() <= chunks + 1, chunked.toString());
        assertTrue(chunked.backingBytes() <= size + Superblock.SIZE, chunked.toString());
        assertTrue(direct.backingRequests() > 10 * chunked.backingRequests(),
                "direct " + direct.backingRequests() + " vs chunked " + chunked.backingRequests());
    }

    @Test
    void fetchesEachChunkOnce_whenStreamingThroughSmallMemory() throws Exception {
        // Memory for 3 chunks of 64 KiB, an image of ~60: a reader walking the files in order must
        // still find each chunk again for its next block (LRU, not frequency-based admission).
        ReadSettings s = new ReadSettings(64 << 10, 0, 3 * ((64 << 10) + 64), null, 0);
        ReadStats r = stats(s);
        long chunks = (Files.size(image) + (64 << 10) - 1) / (64 << 10);
        assertTrue(r.backingBytes() < Files.size(image) * 13 / 10, r + " for " + chunks + " chunks");
    }

    @Test
    void transferTo_chunkedWithoutNodeCache_readsDataPastTheChunks() throws Exception {
        byte[] expected = Files.readAllBytes(dir.resolve("src/d/big"));
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0),
                ReadSettings.defaults().withChunk(1 << 20, 0))) {
            Inode.Directory d = (Inode.Directory) img.inode(img.lookup(img.root(), "d").orElseThrow());
            Inode.RegularFile big = (Inode.RegularFile) img.inode(img.lookup(d, "big").orElseThrow());
            ReadStats before = img.readStats();
            byte[] got = new byte[expected.length];
            img.transferTo(big, new BlockWriter() {
                @Override
                public java.nio.ByteBuffer take(int capacity) {
                    return java.nio.ByteBuffer.allocateDirect(capacity);
                }

                @Override
                public void write(java.nio.ByteBuffer data, long position) {
                    data.get(got, (int) position, data.remaining());
                }
            });
            ReadStats after = img.readStats();
            assertTrue(java.util.Arrays.equals(expected, got));
            assertEquals(before.memoryHits() + before.memoryMisses(), after.memoryHits() + after.memoryMisses(),
                    "a whole-file transfer does not go through the chunk memory: " + after);
            assertTrue(after.backingBytes() - before.backingBytes() >= expected.length, after.toString());
        }
    }

    @Test
    void neverChunksBelowBlockSize() {
        assertEquals(1 << 20, ReadSettings.defaults().withChunk(4096, 0).effectiveChunk(1 << 20));
        assertEquals(0, ReadSettings.direct().effectiveChunk(1 << 17));
    }

    @Test
    void readsSettings_fromEnvironment() {
        ReadSettings s = ReadSettings.from(Map.of("SQUASHROOT_READ_CHUNK", "4M", "SQUASHROOT_READAHEAD", "8",
                "SQUASHROOT_NODE_CACHE", "/var/cache/sq", "SQUASHROOT_NODE_CACHE_SIZE", "2G"));
        assertEquals(4 << 20, s.chunkBytes());
        assertEquals(8, s.readaheadChunks());
        assertEquals(Path.of("/var/cache/sq"), s.nodeCacheDir());
        assertEquals(2L << 30, s.nodeCacheMaxBytes());
        assertNull(ReadSettings.from(Map.of()).nodeCacheDir());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReadSettings.from(Map.of("SQUASHROOT_READ_CHUNK", "lots")));
        assertEquals("SQUASHROOT_READ_CHUNK: expected bytes or a K/M/G size, got 'lots'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReadSettings.from(Map.of("SQUASHROOT_READ_CHUNK", "1G")));
    }

    @Test
    void forImage_readsAnImageOnLocalDiskDirectly_unlessChunksOrANodeCacheAreAskedFor() throws Exception {
        String fs = Files.getFileStore(image).type();
        assumeTrue(java.util.Set.of("ext4", "xfs", "btrfs", "tmpfs", "overlay").contains(fs), "image on " + fs);
        assertEquals(ReadSettings.direct(), ReadSettings.forImage(image, Map.of()));
        assertEquals(2 << 20, ReadSettings.forImage(image, Map.of("SQUASHROOT_READ_CHUNK", "2M")).chunkBytes());
        ReadSettings shared = ReadSettings.forImage(image, Map.of("SQUASHROOT_NODE_CACHE", "/var/cache/sq"));
        assertEquals(Path.of("/var/cache/sq"), shared.nodeCacheDir());
        assertEquals(ReadSettings.DEFAULT_CHUNK, shared.chunkBytes());
    }

    private static ReadStats stats(ReadSettings s) throws Exception {
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0), s)) {
            ImageReadProbe.walk(img, img.root(), "", new TreeMap<>());
            return img.readStats();
        }
    }

    private static Map<String, byte[]> readAll(ReadSettings s) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0), s)) {
            ImageReadProbe.walk(img, img.root(), "", out);
        }
        return out;
    }
}
