package io.squashroot.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real mounts of images made by mksquashfs, checked against unsquashfs and the source bytes. */
class SquashfsMountTest {

    private static ExecutorService prefetch;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pool() {
        prefetch = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPool() {
        prefetch.shutdownNow();
    }

    private FuseMount mount(SquashfsImage img, Path mp) throws IOException {
        return FuseMount.mount(new SquashfsTree(img, prefetch, 8), mp, MountOptions.builder().threads(4).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "lzo", "lz4", "xz", "zstd", "lzma"})
    void fullWalkMatchesUnsquashfs_forEveryCompressor(String comp) throws Exception {
        Path image = Fixtures.image("-comp", comp);
        String expected = Fixtures.walk(Fixtures.extracted(image));
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(64 << 20));
             FuseMount m = mount(img, mp)) {
            String actual = Fixtures.walk(mp);
            assertEquals(expected.length(), actual.length(), Fixtures.firstDifference(expected, actual));
            assertEquals(expected, actual, Fixtures.firstDifference(expected, actual));
        }
    }

    @Test
    void concurrentRandomReads_returnSourceBytes() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Random r = new Random(42);
        byte[] noise = new byte[5 * 1024 * 1024 + 333];
        r.nextBytes(noise);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 7 * 1024 * 1024; i++) {
            text.append("row ").append(i).append(" of a compressible file ").append(i * 7919L % 1000).append('\n');
        }
        byte[] textBytes = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(src.resolve("noise"), noise);
        Files.write(src.resolve("text"), textBytes);
        Path image = tmp.resolve("big.sqsh");
        Fixtures.run("mksquashfs", src.toString(), image.toString(), "-comp", "zstd", "-quiet", "-no-progress");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(2 << 20));
             FuseMount m = mount(img, mp)) {
            ExecutorService readers = Executors.newFixedThreadPool(8);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                results.add(readers.submit(() -> {
                    Random rr = new Random(seed);
                    int checked = 0;
                    try (FileChannel a = FileChannel.open(mp.resolve("noise"), StandardOpenOption.READ);
                         FileChannel b = FileChannel.open(mp.resolve("text"), StandardOpenOption.READ)) {
                        for (int i = 0; i < 150; i++) {
                            boolean useText = rr.nextBoolean();
                            byte[] expected = useText ? textBytes : noise;
                            long pos = (long) (rr.nextDouble() * (expected.length + 1000));
                            int len = 1 + rr.nextInt(300_000);
                            ByteBuffer got = ByteBuffer.allocate(len);
                            FileChannel ch = useText ? b : a;
                            while (got.hasRemaining() && ch.read(got, pos + got.position()) > 0) {
                                // keep reading: FUSE may return short reads at block edges
                            }
                            int n = (int) Math.max(0, Math.min(len, expected.length - pos));
                            assertEquals(n, got.position(), "bytes read at " + pos);
                            byte[] want = new byte[n];
                            if (n > 0) {
                                System.arraycopy(expected, (int) pos, want, 0, n);
                            }
                            byte[] have = new byte[n];
                            got.flip().get(have);
                            assertArrayEquals(want, have, (useText ? "text" : "noise") + " at " + pos + "+" + len);
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            readers.shutdown();
            assertEquals(8 * 150, total);
        }
    }

    @Test
    void corruptBlock_failsThatFileWithEio_andTheRestKeepsServing() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60_000; i++) {
            text.append("line ").append(i).append('\n');
        }
        Files.writeString(src.resolve("damaged"), text);
        Files.writeString(src.resolve("healthy"), text.toString().replace("line", "LINE"));
        Files.writeString(src.resolve("small"), "a small file in a fragment\n");
        Path image = tmp.resolve("corrupt.sqsh");
        Fixtures.run("mksquashfs", src.toString(), image.toString(), "-comp", "gzip", "-quiet", "-no-progress");
        long blockStart;
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0))) {
            blockStart = ((io.squashroot.squashfs.Inode.RegularFile) img.lookup("/damaged").orElseThrow()).blocksStart();
        }
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0x55, 0x66}),
                    blockStart + 20);
        }
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(8 << 20));
             FuseMount m = mount(img, mp)) {
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve("damaged")));
            assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
            assertEquals(text.toString().replace("line", "LINE"), Files.readString(mp.resolve("healthy")));
            assertEquals("a small file in a fragment\n", Files.readString(mp.resolve("small")));
            assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve("damaged")));
        }
    }
}
