package io.squashroot.bench.jmh;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 4 KiB reads at random offsets of a 32 MiB zstd file (128 KiB blocks): with the block cache
 * holding the whole file ("cached", the steady state of a busy mount) and without it
 * ("uncached", every read decompresses a 128 KiB block for 4 KiB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RandomReadBenchmark {

    static final long FILE_BYTES = 32L << 20;

    @Param({"cached", "uncached"})
    public String cache;

    private Path dir;
    private SquashfsImage image;
    private Inode.RegularFile file;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(4096);
    private final SplittableRandom random = new SplittableRandom(11);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sqr-jmh-read");
        Path src = Files.createDirectories(dir.resolve("src"));
        BenchImages.writeText(src.resolve("data.txt"), FILE_BYTES, 5);
        Path img = BenchImages.mksquashfs(src, dir.resolve("img.sqsh"), "-comp", "zstd");
        image = SquashfsImage.open(img, BlockCache.create(cache.equals("cached") ? 256L << 20 : 0));
        file = (Inode.RegularFile) image.lookup("/data.txt").orElseThrow();
    }

    @Benchmark
    public int read4k() throws IOException {
        long off = random.nextLong(FILE_BYTES - 4096) & ~4095L;
        return image.read(file, off, buf.clear());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        image.close();
        BenchImages.delete(dir);
    }
}
