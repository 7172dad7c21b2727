package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BlockCacheTest {
    @Test
    void key_equalsAnotherOnlyWhenEveryComponentIsEqual() {
        BlockCache.Key k = new BlockCache.Key(1, 4096, 8192, BlockCache.Kind.DATA);
        BlockCache.Key same = new BlockCache.Key(1, 4096, 8192, BlockCache.Kind.DATA);
        assertEquals(k, same);
        assertEquals(k.hashCode(), same.hashCode());
        for (BlockCache.Key other : java.util.List.of(new BlockCache.Key(2, 4096, 8192, BlockCache.Kind.DATA),
                new BlockCache.Key(1, 4097, 8192, BlockCache.Kind.DATA), new BlockCache.Key(1, 4096, 8191, BlockCache.Kind.DATA),
                new BlockCache.Key(1, 4096, 8192, BlockCache.Kind.FRAGMENT))) {
            assertTrue(!k.equals(other) && !other.equals(k), other.toString());
        }
        assertTrue(!k.equals(null) && !k.equals("key"));
    }

    @Test
    void secondReadOfABlock_isAHit_andBytesAreWeighed() throws Exception {
        Path img = TestImages.image();
        BlockCache cache = BlockCache.create(64L << 20);
        try (SquashfsImage image = SquashfsImage.open(img, cache)) {
            Inode.RegularFile f = (Inode.RegularFile) image.lookup("/files/size_1048576").orElseThrow();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            image.read(f, 200_000, buf);
            long misses = cache.missCount();
            long hits = cache.hitCount();
            image.read(f, 204_096, buf.clear()); // same 128 KiB block
            assertEquals(misses, cache.missCount());
            assertEquals(hits + 1, cache.hitCount());
            assertTrue(cache.weightedSize() >= 131072, "weighs the decoded block: " + cache.weightedSize());
        }
        assertTrue(cache.weightedSize() < 131072, "close drops the image's blocks");
    }

    @Test
    void cacheNeverHoldsMoreThanItsCeiling() throws Exception {
        BlockCache cache = BlockCache.create(300_000);
        try (SquashfsImage image = SquashfsImage.open(TestImages.image(), cache)) {
            Inode.RegularFile f = (Inode.RegularFile) image.lookup("/files/size_3000000").orElseThrow();
            ByteBuffer piece = ByteBuffer.allocate(100_000); // pieces of blocks go through the cache
            for (long off = 0; off < f.size(); off += piece.capacity()) {
                image.read(f, off, piece.clear());
            }
            assertTrue(cache.weightedSize() <= 300_000, "held " + cache.weightedSize());
            assertTrue(cache.evictionCount() > 0);
        }
    }

    @Test
    void wholeBlockRead_bypassesTheCache_andMatchesPieceByPieceReads() throws Exception {
        BlockCache cache = BlockCache.create(64L << 20);
        try (SquashfsImage image = SquashfsImage.open(TestImages.image(), cache)) {
            Inode.RegularFile f = (Inode.RegularFile) image.lookup("/files/size_1048576").orElseThrow();
            ByteBuffer whole = ByteBuffer.allocateDirect(131072);
            long held = cache.weightedSize();
            long lookups = cache.missCount() + cache.hitCount();
            image.read(f, 262144, whole);
            assertEquals(held, cache.weightedSize(), "a block read whole is not cached");
            assertEquals(lookups, cache.missCount() + cache.hitCount(), "nor counted as a miss");
            ByteBuffer pieces = ByteBuffer.allocate(131072);
            for (int off = 0; off < 131072; off += 4096) {
                image.read(f, 262144 + off, pieces.limit(off + 4096));
            }
            assertEquals(whole.flip(), pieces.flip());
            long hits = cache.hitCount();
            image.read(f, 262144, whole.clear()); // now cached: served from the cache
            assertEquals(pieces.rewind(), whole.flip());
            assertEquals(hits, cache.hitCount(), "the quiet lookup leaves the statistics alone");
        }
    }

    @Test
    void zeroSizedCache_stillReadsCorrectly() throws Exception {
        try (SquashfsImage a = SquashfsImage.open(TestImages.image(), BlockCache.create(0));
             SquashfsImage b = SquashfsImage.open(TestImages.image(), BlockCache.create(8 << 20))) {
            Inode.RegularFile fa = (Inode.RegularFile) a.lookup("/files/text").orElseThrow();
            Inode.RegularFile fb = (Inode.RegularFile) b.lookup("/files/text").orElseThrow();
            ByteBuffer x = ByteBuffer.allocate((int) fa.size());
            ByteBuffer y = ByteBuffer.allocate((int) fb.size());
            a.read(fa, 0, x);
            b.read(fb, 0, y);
            assertEquals(x.flip(), y.flip());
        }
    }

    @Test
    void parseSize_acceptsSuffixes_andRejectsGarbage() {
        assertEquals(256L << 20, BlockCache.parseSize("256M"));
        assertEquals(1L << 30, BlockCache.parseSize("1g"));
        assertEquals(4096, BlockCache.parseSize(" 4k "));
        assertEquals(12345, BlockCache.parseSize("12345"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockCache.parseSize("lots"));
        assertTrue(e.getMessage().contains("'lots'"));
        assertThrows(IllegalArgumentException.class, () -> BlockCache.parseSize("-5"));
    }

    @Test
    void sharedCache_defaultsTo256MiB() {
        if (System.getProperty("squashroot.blockcache.size") == null && System.getenv("SQUASHROOT_BLOCK_CACHE") == null) {
            assertEquals(BlockCache.DEFAULT_MAX_BYTES, BlockCache.shared().maxBytes());
            assertEquals(256L << 20, BlockCache.DEFAULT_MAX_BYTES);
        }
    }
}
