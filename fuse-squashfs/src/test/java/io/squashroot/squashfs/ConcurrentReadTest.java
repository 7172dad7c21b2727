package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Eight threads read random ranges of the same files of one image at once, through a cache far
 * smaller than the data (so blocks are evicted and decoded again while others read them), and
 * list and look up directories meanwhile: every byte must match unsquashfs' extraction.
 */
class ConcurrentReadTest {
    @Test
    void parallelRandomReads_returnExactBytes_withEvictingCache() throws Exception {
        Path img = TestImages.image("-comp", "zstd", "-b", "4K");
        Path extracted = TestImages.unsquashed(img);
        List<String> names = List.of("/files/size_3000000", "/files/text", "/files/size_1048577", "/files/sparse_holes",
                "/files/size_131073", "/files/size_4097");
        List<byte[]> expected = new ArrayList<>();
        for (String n : names) {
            expected.add(Files.readAllBytes(extracted.resolve(n.substring(1))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(256 << 10))) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    int checked = 0;
                    for (int i = 0; i < 300; i++) {
                        int k = r.nextInt(names.size());
                        byte[] want = expected.get(k);
                        Inode.RegularFile f = (Inode.RegularFile) image.lookup(names.get(k)).orElseThrow();
                        int off = r.nextInt(want.length);
                        int len = 1 + r.nextInt(Math.min(want.length - off, 70_000));
                        ByteBuffer b = (i % 2 == 0) ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
                        assertEquals(len, image.read(f, off, b));
                        byte[] got = new byte[len];
                        b.flip().get(got);
                        assertArrayEquals(Arrays.copyOfRange(want, off, off + len), got, names.get(k) + " at " + off);
                        if (i % 50 == 0) {
                            assertEquals(1010, image.list((Inode.Directory) image.lookup("/dirs/many").orElseThrow()).size());
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(300, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
