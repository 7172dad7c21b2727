package io.squashroot.squashfs;

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
 * Builds test images with the real mksquashfs through the scripts in testdata/, once per JVM,
 * under fuse-squashfs/target/test-images.
 */
final class TestImages {
    static final Path REPO = findRepo();
    static final Path WORK = REPO.resolve("fuse-squashfs/target/test-images");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private TestImages() {
    }

    private static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("testdata/make-tree.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("testdata/make-tree.sh not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** The standard test tree (small variant), built once. */
    static synchronized Path tree() throws IOException {
        return BUILT.computeIfAbsent("tree", k -> {
            Path t = WORK.resolve("tree");
            run(List.of("sh", REPO.resolve("testdata/make-tree.sh").toString(), t.toString(), "small"));
            return t;
        });
    }

    /** The full tree: adds the 4 GiB sparse file and 3000 entries in dirs/many. */
    static synchronized Path fullTree() throws IOException {
        return BUILT.computeIfAbsent("fulltree", k -> {
            Path t = WORK.resolve("fulltree");
            run(List.of("sh", REPO.resolve("testdata/make-tree.sh").toString(), t.toString(), "full"));
            return t;
        });
    }

    /** An image of the standard (small) tree built with the given mksquashfs options. */
    static synchronized Path image(String... options) throws IOException {
        return build(tree(), "", options);
    }

    /** An image of the full tree. */
    static synchronized Path fullImage(String... options) throws IOException {
        return build(fullTree(), "full-", options);
    }

    /** Extracts {@code image} with unsquashfs into a fresh directory, once per image. */
    static synchronized Path unsquashed(Path image) {
        return BUILT.computeIfAbsent("unsquashed:" + image, k -> {
            Path d = WORK.resolve(image.getFileName() + ".unsquashed");
            run(List.of("rm", "-rf", d.toString()));
            run(List.of("unsquashfs", "-q", "-n", "-d", d.toString(), image.toString()));
            return d;
        });
    }

    private static Path build(Path tree, String prefix, String... options) {
        String key = prefix + (options.length == 0 ? "default" : String.join("_", options).replaceAll("[^A-Za-z0-9_.-]", ""));
        return BUILT.computeIfAbsent(key, k -> {
            Path img = WORK.resolve(k + ".sqsh");
            List<String> cmd = new ArrayList<>(List.of("sh", REPO.resolve("testdata/build-image.sh").toString(),
                    tree.toString(), img.toString()));
            cmd.addAll(List.of(options));
            run(cmd);
            return img;
        });
    }

    /** Runs a command, returning stdout; fails on a non-zero exit. */
    static byte[] run(List<String> cmd) {
        try {
            Files.createDirectories(WORK);
            Path errFile = Files.createTempFile(WORK, "stderr", ".txt");
            Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
            byte[] out;
            try (InputStream o = p.getInputStream()) {
                out = o.readAllBytes();
            }
            String err = Files.readString(errFile, StandardCharsets.ISO_8859_1);
            Files.delete(errFile);
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(cmd + " exited " + rc + ": " + err);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
