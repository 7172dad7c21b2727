package io.squashroot.bench.jmh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Builds the images the micro-benchmarks read, with the real mksquashfs, in a temporary
 * directory deleted at tear-down. Contents are seeded, so every run measures the same bytes.
 */
final class BenchImages {

    private BenchImages() {
    }

    /**
     * Text-like data: lines of words from a small vocabulary, which compresses about as well as
     * source code and configuration files do (3-5x with gzip), unlike zeros or random bytes.
     */
    static void writeText(Path file, long bytes, long seed) throws IOException {
        String[] words = {"squashfs", "inode", "block", "fragment", "container", "layer", "node", "cache",
                "overlay", "mount", "read", "write", "metadata", "directory", "xattr", "0x3f2a10", "lib64",
                "python3.11", "site-packages", "__init__.py", "include", "usr", "share", "locale"};
        Random r = new Random(seed);
        try (OutputStream out = Files.newOutputStream(file)) {
            StringBuilder sb = new StringBuilder();
            long written = 0;
            while (written < bytes) {
                sb.setLength(0);
                int n = 4 + r.nextInt(10);
                for (int i = 0; i < n; i++) {
                    sb.append(words[r.nextInt(words.length)]).append(i + 1 < n ? ' ' : '\n');
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
                int len = (int) Math.min(b.length, bytes - written);
                out.write(b, 0, len);
                written += len;
            }
        }
    }

    /** A tree of {@code dirs} directories with {@code filesPerDir} small files each; returns their paths. */
    static List<String> writeTree(Path root, int dirs, int filesPerDir) throws IOException {
        List<String> paths = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectories(root.resolve("usr/lib/pkg" + d + "/sub"));
            for (int f = 0; f < filesPerDir; f++) {
                String name = "module_" + f + ".py";
                Files.writeString(dir.resolve(name), "# " + d + "/" + f + "\n");
                paths.add("/usr/lib/pkg" + d + "/sub/" + name);
            }
        }
        return paths;
    }

    /** Runs mksquashfs over {@code src}; extra arguments select compressor and block size. */
    static Path mksquashfs(Path src, Path image, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("mksquashfs", src.toString(), image.toString(),
                "-noappend", "-quiet", "-no-progress"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("mksquashfs failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running mksquashfs");
        }
        return image;
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
