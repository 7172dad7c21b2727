package io.squashroot.bench.jmh;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Decoding a whole 16 MiB file per compressor through the public reader, with the block cache
 * off so every block is read and decompressed: the cost a cold read pays per byte. The score is
 * the time for one full read; MiB/s = 16 / score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecodeBenchmark {

    static final long FILE_BYTES = 16L << 20;

    @Param({"gzip", "xz", "lz4", "zstd", "lzo", "lzma"})
    public String compressor;

    private Path dir;
    private SquashfsImage image;
    private Inode.RegularFile file;
    private ByteBuffer buf;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sqr-jmh-decode");
        Path src = Files.createDirectories(dir.resolve("src"));
        BenchImages.writeText(src.resolve("data.txt"), FILE_BYTES, 42);
        Path img = BenchImages.mksquashfs(src, dir.resolve("img.sqsh"), "-comp", compressor);
        image = SquashfsImage.open(img, BlockCache.create(0));
        file = (Inode.RegularFile) image.lookup("/data.txt").orElseThrow();
        buf = ByteBuffer.allocateDirect(1 << 20);
    }

    @Benchmark
    public long readWholeFile() throws IOException {
        long off = 0;
        int n;
        while ((n = image.read(file, off, buf.clear())) > 0) {
            off += n;
        }
        return off;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        image.close();
        BenchImages.delete(dir);
    }
}
