package io.squashroot.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.SquashfsImage;
import io.squashroot.squashfs.TestImages;
import io.squashroot.tree.Caller;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Readahead through {@link SquashfsTree} (no mount): the bytes must be the file's whatever the order of reads. */
class BlockPrefetchTest {
    private static final Caller ME = new Caller(0, 0, 0);

    @Test
    void sequentialThenBackwardReads_returnTheFilesBytes_andEachPrefetchedBlockIsDecodedOnce() throws Exception {
        Path img = TestImages.image();
        byte[] expected = Files.readAllBytes(TestImages.tree().resolve("files/size_3000000"));
        AtomicInteger tasks = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(0))) {
            SquashfsTree tree = new SquashfsTree(image, r -> {
                tasks.incrementAndGet();
                pool.execute(r);
            }, 4);
            long h = tree.open("/files/size_3000000", 0, ME);
            ByteBuffer got = ByteBuffer.allocate(expected.length);
            ByteBuffer req = ByteBuffer.allocateDirect(131072);
            for (long off = 0; off < expected.length; off += req.capacity()) {
                int n = tree.read("/files/size_3000000", h, req.clear(), off);
                got.put(req.flip().limit(n));
            }
            assertEquals(ByteBuffer.wrap(expected), got.flip());
            // Every whole 128 KiB block but the first (read before the reader looked sequential)
            // is prefetched, none twice; the short last block is the reader's own.
            assertEquals(expected.length / 131072 - 1, tasks.get());
            // Going back re-reads through the image; the blocks left over were handed back.
            int n = tree.read("/files/size_3000000", h, req.clear(), 131072);
            assertEquals(ByteBuffer.wrap(expected, 131072, n), req.flip());
            tree.release("/files/size_3000000", h);
        } finally {
            pool.shutdownNow();
        }
    }
}
