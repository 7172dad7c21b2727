package io.squashroot.bench.jmh;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * Path lookup (five components, as in /usr/lib/pkgN/sub/module_M.py) in an image of 20,000
 * files, metadata blocks in the cache ("cached") or decoded on every lookup ("uncached"): what
 * a FUSE lookup costs before the kernel caches the dentry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LookupBenchmark {

    @Param({"cached", "uncached"})
    public String cache;

    private Path dir;
    private SquashfsImage image;
    private List<String> paths;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sqr-jmh-lookup");
        Path src = Files.createDirectories(dir.resolve("src"));
        paths = BenchImages.writeTree(src, 200, 100);
        Path img = BenchImages.mksquashfs(src, dir.resolve("img.sqsh"), "-comp", "gzip");
        image = SquashfsImage.open(img, BlockCache.create(cache.equals("cached") ? 256L << 20 : 0));
        java.util.Collections.shuffle(paths, new java.util.Random(7));
    }

    @Benchmark
    public Inode lookupPath() throws IOException {
        String p = paths.get(next++ % paths.size());
        return image.lookup(p).orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        image.close();
        BenchImages.delete(dir);
    }
}
