package io.squashroot.bench.jmh;

import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import io.squashroot.fuse.SquashfsTree;
import io.squashroot.overlay.DirectoryTree;
import io.squashroot.overlay.Overlay;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * getattr through the overlay of N read-only layers (SquashFS images through SquashfsTree, or
 * plain directories; plus an empty upper dir) for a file that
 * lives in the top layer or only in the bottom one, so every layer above must be asked and say
 * "not here": the cost a container with many image layers pays per lookup. Each layer holds 2,000
 * files in its own directory and shares /usr/lib with the others.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OverlayLookupBenchmark {

    @Param({"1", "4", "16"})
    public int layers;

    @Param({"top", "bottom"})
    public String where;

    /** What the layers are: SquashFS images (as containers use) or plain directories. */
    @Param({"squashfs", "dir"})
    public String lower;

    private Path dir;
    private FsTree overlay;
    private List<String> paths;
    private final List<SquashfsImage> images = new ArrayList<>();
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sqr-jmh-overlay");
        List<FsTree> lowers = new ArrayList<>();
        List<List<String>> perLayer = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            Path root = Files.createDirectories(dir.resolve("layer" + l));
            List<String> ps = new ArrayList<>();
            Path d = Files.createDirectories(root.resolve("usr/lib/layer" + l));
            for (int f = 0; f < 2000; f++) {
                Files.writeString(d.resolve("f" + f), "x");
                ps.add("/usr/lib/layer" + l + "/f" + f);
            }
            perLayer.add(ps);
            if (lower.equals("dir")) {
                lowers.add(DirectoryTree.of(root));
            } else {
                SquashfsImage img = SquashfsImage.open(BenchImages.mksquashfs(root, dir.resolve("layer" + l + ".sqsh")));
                images.add(img);
                lowers.add(new SquashfsTree(img, Runnable::run, 0));
            }
        }
        Path upper = Files.createDirectories(dir.resolve("upper"));
        overlay = Overlay.open(lowers, upper); // lowers are topmost first
        paths = where.equals("top") ? perLayer.get(0) : perLayer.get(layers - 1);
        java.util.Collections.shuffle(paths, new java.util.Random(3));
    }

    @Benchmark
    public FileAttr getattr() throws FsException {
        return overlay.getattr(paths.get(next++ % paths.size()));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        overlay.destroy();
        for (SquashfsImage img : images) {
            img.close();
        }
        BenchImages.delete(dir);
    }
}
