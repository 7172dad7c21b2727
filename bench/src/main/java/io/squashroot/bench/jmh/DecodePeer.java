package io.squashroot.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The peer figure for {@link DecodeBenchmark}: {@code unsquashfs -cat} of the same 16 MiB file
 * from the same images (same generator, same seed), timed end to end, median of 7 runs. Run with
 * {@code java -cp bench/target/benchmarks.jar io.squashroot.bench.jmh.DecodePeer}; it prints one
 * line per compressor: milliseconds per full read. unsquashfs's time includes its process start
 * (a few ms), so the ratio slightly flatters the JMH figure for the fast codecs.
 */
public final class DecodePeer {

    private DecodePeer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sqr-decode-peer");
        try {
            Path src = Files.createDirectories(dir.resolve("src"));
            BenchImages.writeText(src.resolve("data.txt"), DecodeBenchmark.FILE_BYTES, 42);
            for (String comp : List.of("gzip", "xz", "lz4", "zstd", "lzo", "lzma")) {
                Path img = BenchImages.mksquashfs(src, dir.resolve(comp + ".sqsh"), "-comp", comp);
                double[] ms = new double[7];
                for (int i = 0; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    Process p = new ProcessBuilder("unsquashfs", "-cat", img.toString(), "data.txt")
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
                    if (p.waitFor() != 0) {
                        throw new IOException("unsquashfs -cat failed for " + comp);
                    }
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%s %.1f ms%n", comp, ms[ms.length / 2]);
            }
        } finally {
            BenchImages.delete(dir);
        }
    }
}
