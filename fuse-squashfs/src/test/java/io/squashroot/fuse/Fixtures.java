package io.squashroot.fuse;

import io.squashroot.squashfs.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test images made at test time by the real mksquashfs from the scripts in testdata/, once per
 * JVM, under fuse-squashfs/target/fuse-images; and a runner for the real tools the tests use.
 */
final class Fixtures {
    static final Path REPO = TestImages.REPO;
    static final Path WORK = REPO.resolve("fuse-squashfs/target/fuse-images");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** The reader's standard test tree (small variant), shared with the reader's tests (built once). */
    static Path tree() {
        try {
            return TestImages.tree();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An image of {@link #tree()} built with the given mksquashfs options. */
    static synchronized Path image(String... options) {
        Path tree = tree();
        String key = "img_" + String.join("_", options).replaceAll("[^A-Za-z0-9_.-]", "");
        return BUILT.computeIfAbsent(key, k -> {
            Path img = WORK.resolve(k + ".sqsh");
            List<String> cmd = new ArrayList<>(List.of("sh", REPO.resolve("testdata/build-image.sh").toString(),
                    tree.toString(), img.toString()));
            cmd.addAll(List.of(options));
            run(cmd.toArray(String[]::new));
            return img;
        });
    }

    /** unsquashfs's extraction of {@code image}, once per image. */
    static synchronized Path extracted(Path image) {
        return BUILT.computeIfAbsent("x_" + image, k -> {
            Path dir = WORK.resolve(image.getFileName() + ".extracted");
            run("rm", "-rf", dir.toString());
            run("unsquashfs", "-q", "-n", "-d", dir.toString(), image.toString());
            return dir;
        });
    }

    /** walk-tree.sh's description of {@code dir} (the 4 GiB sparse file is not hashed). */
    static String walk(Path dir) {
        return run("sh", REPO.resolve("testdata/walk-tree.sh").toString(), dir.toString(), "-x", "over_4GiB");
    }

    /** Runs a command; returns its stdout; fails with its stderr on a non-zero exit. */
    static String run(String... cmd) {
        try {
            Files.createDirectories(WORK);
            Path errFile = Files.createTempFile(WORK, "stderr", ".txt");
            Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
            byte[] out;
            try (InputStream o = p.getInputStream()) {
                out = o.readAllBytes();
            }
            int rc = p.waitFor();
            String err = Files.readString(errFile, StandardCharsets.ISO_8859_1);
            Files.delete(errFile);
            if (rc != 0) {
                throw new IllegalStateException(List.of(cmd) + " exited " + rc + ": " + err);
            }
            // One char per byte: names that are not UTF-8 must not all collapse into U+FFFD.
            return new String(out, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The first line where two multi-line texts differ, for a readable assertion message. */
    static String firstDifference(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end>";
            String y = i < b.length ? b[i] : "<end>";
            if (!x.equals(y)) {
                return "line " + (i + 1) + ": expected [" + x + "] but was [" + y + "]";
            }
        }
        return "same";
    }
}
