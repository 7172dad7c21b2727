package io.squashroot.bench.jmh;

import io.squashroot.extract.ExtractReport;
import io.squashroot.extract.Extractor;
import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
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
 * Whole-image extraction with two worker threads (the in-process part of {@code squashroot
 * extract}, without JVM start-up): 4,000 small files in 40 directories plus 24 MiB of larger
 * text files, per compressor ("none" = -noI -noD -noF -noX). The image stays in the page cache;
 * bench/extract-vs-unsquashfs.sh measures the cold, end-to-end case against unsquashfs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(1)
public class ExtractBenchmark {

    @Param({"gzip", "lz4", "zstd", "none"})
    public String compressor;

    @Param({"2"})
    public int threads;

    private Path dir;
    private Path out;
    private SquashfsImage image;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sqr-jmh-extract");
        Path src = Files.createDirectories(dir.resolve("src"));
        BenchImages.writeTree(src, 40, 100);
        Path big = Files.createDirectories(src.resolve("usr/share/big"));
        for (int i = 0; i < 12; i++) {
            BenchImages.writeText(big.resolve("text" + i), 2L << 20, i);
        }
        String[] opts = compressor.equals("none")
                ? new String[] {"-noI", "-noD", "-noF", "-noX"} : new String[] {"-comp", compressor};
        Path img = BenchImages.mksquashfs(src, dir.resolve("img.sqsh"), opts);
        BenchImages.delete(src);
        image = SquashfsImage.open(img, BlockCache.create(64L << 20));
    }

    @Setup(Level.Invocation)
    public void freshDestination() throws IOException {
        out = dir.resolve("out");
        BenchImages.delete(out);
    }

    @Benchmark
    public ExtractReport extractAll() throws IOException {
        return Extractor.create(threads, false).extract(image, out);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        image.close();
        BenchImages.delete(dir);
    }
}
