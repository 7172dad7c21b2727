package io.squashroot.fuse;

import static org.junit.jupiter.api.Assertions.fail;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.SquashfsImage;
import io.squashroot.squashfs.write.Compression;
import io.squashroot.squashfs.write.SquashfsWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Readahead ({@link BlockPrefetch}) under concurrent cold reads of one open file, through a real
 * mount. Regression: two reads of one handle that both dropped (or one took while the other
 * dropped) the same prefetched block each gave its buffer back, so the pool held it twice and
 * later handed it to two decodes at once; readers then got another block's bytes (of the same
 * file or another one) as a whole 128 KiB block of theirs. In CI, {@code squashroot export} of a
 * fuse-mode container read busybox through such a mount (a start's overlay always prefetches),
 * wrote a wrong block into the image, and the container started from it died of SIGSEGV. Before
 * the fix this stress read a wrong block within a few rounds.
 */
class PrefetchedReadsMountTest {
    private static final int FILES = 6;
    private static final int READERS_PER_FILE = 4;
    private static final int CHUNK = 128 * 1024;
    private static final int ROUNDS = 60;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"export", "mksquashfs-gzip"})
    void concurrentColdReadsOfOneHandle_returnSourceBytes_withReadahead(String maker) throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Random r = new Random(7);
        byte[][] content = new byte[FILES][];
        for (int i = 0; i < FILES; i++) {
            // not compressible, and not a multiple of the block size: a short last block
            content[i] = new byte[2 * 1024 * 1024 + 1000 * i + 17];
            r.nextBytes(content[i]);
            Files.write(src.resolve("f" + i), content[i]);
        }
        Path image = tmp.resolve(maker + ".sqsh");
        if (maker.equals("export")) {
            // as squashroot export writes it (ENROOT_SQUASH_OPTIONS -comp lzo -noD): data
            // stored, so a block is "decoded" by one pread and prefetches finish while the
            // reads that race are running
            SquashfsWriter.builder().compression(Compression.byName("lzo")).uncompressedData(true).allRoot(true)
                    .build().writeDirectory(src, image);
        } else {
            Fixtures.run("mksquashfs", src.toString(), image.toString(), "-comp", "gzip", "-quiet", "-no-progress");
        }
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        ExecutorService prefetch = Executors.newFixedThreadPool(2);
        ExecutorService readers = Executors.newFixedThreadPool(FILES);
        // Without the kernel's page cache kept across opens, every round's opens read cold.
        MountOptions opts = MountOptions.builder().threads(8).kernelCache(false).build();
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0));
             FuseMount m = FuseMount.mount(new SquashfsTree(img, prefetch, 4), mp, opts)) {
            for (int round = 0; round < ROUNDS; round++) {
                List<Future<byte[]>> got = new ArrayList<>();
                for (int i = 0; i < FILES; i++) {
                    got.add(readers.submit(readConcurrently(mp.resolve("f" + i), content[i].length)));
                }
                for (int i = 0; i < FILES; i++) {
                    byte[] bytes = got.get(i).get();
                    int at = Arrays.mismatch(bytes, content[i]);
                    if (at >= 0) {
                        fail(maker + " image, round " + round + ": f" + i + " differs from its source at byte " + at
                                + " (block " + at / CHUNK + ")");
                    }
                }
            }
        } finally {
            readers.shutdownNow();
            prefetch.shutdownNow();
        }
    }

    /**
     * One open of {@code file}, read by {@link #READERS_PER_FILE} threads at once, each taking
     * every n-th chunk: the mount serves several reads of the same handle at the same time, in
     * nearly sequential order (as the kernel's readahead sends them for one reader).
     */
    private static Callable<byte[]> readConcurrently(Path file, int size) {
        return () -> {
            byte[] out = new byte[size];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                List<Thread> threads = new ArrayList<>();
                List<Throwable> errors = new ArrayList<>();
                for (int t = 0; t < READERS_PER_FILE; t++) {
                    int first = t;
                    Thread th = new Thread(() -> {
                        try {
                            for (long pos = (long) first * CHUNK; pos < size; pos += (long) READERS_PER_FILE * CHUNK) {
                                ByteBuffer b = ByteBuffer.wrap(out, (int) pos, (int) Math.min(CHUNK, size - pos));
                                // out's index is the file position
                                while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                                    // a read may return less than asked
                                }
                            }
                        } catch (Throwable e) {
                            synchronized (errors) {
                                errors.add(e);
                            }
                        }
                    });
                    threads.add(th);
                    th.start();
                }
                for (Thread th : threads) {
                    th.join();
                }
                if (!errors.isEmpty()) {
                    throw new AssertionError(file + ": " + errors.get(0), errors.get(0));
                }
            }
            return out;
        };
    }
}
