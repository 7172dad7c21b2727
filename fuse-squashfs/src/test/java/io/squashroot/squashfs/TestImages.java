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
public final class TestImages {
    public static final Path REPO = findRepo();
    public static final Path WORK = REPO.resolve("fuse-squashfs/target/test-images");
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
    public static synchronized Path tree() throws IOException {
        return BUILT.computeIfAbsent("tree", k -> {
            Path t = WORK.resolve("tree");
            run(List.of("sh", REPO.resolve("testdata/make-tree.sh").toString(), t.toString(), "small"));
            return t;
        });
    }

    /** The full tree: adds the 4 GiB sparse file and 3000 entries in dirs/many. */
    public static synchronized Path fullTree() throws IOException {
        return BUILT.computeIfAbsent("fulltree", k -> {
            Path t = WORK.resolve("fulltree");
            run(List.of("sh", REPO.resolve("testdata/make-tree.sh").toString(), t.toString(), "full"));
            return t;
        });
    }

    /** An image of the standard (small) tree built with the given mksquashfs options. */
    public static synchronized Path image(String... options) throws IOException {
        return build(tree(), "", options);
    }

    /** An image of the full tree. */
    public static synchronized Path fullImage(String... options) throws IOException {
        return build(fullTree(), "full-", options);
    }

    /**
     * A slice of this machine's real root filesystem (/etc, perl, zoneinfo, /usr/sbin: thousands of
     * real files, symlinks, hard links, setuid binaries) as an lz4 image with 64 KiB blocks.
     */
    public static synchronized Path rootfsImage() {
        return BUILT.computeIfAbsent("rootfs", k -> {
            Path img = WORK.resolve("rootfs.sqsh");
            run(List.of("rm", "-f", img.toString()));
            run(List.of("mksquashfs", "/etc", "/usr/share/zoneinfo", "/usr/share/perl5", "/usr/sbin",
                    "/usr/lib/x86_64-linux-gnu/perl-base", img.toString(), "-quiet", "-no-progress",
                    "-comp", "lz4", "-b", "64K", "-e", "/etc/mtab"));
            return img;
        });
    }

    /** Extracts {@code image} with unsquashfs into a fresh directory, once per image. */
    public static synchronized Path unsquashed(Path image) {
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
    public static byte[] run(List<String> cmd) {
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

    /**
     * Builds an image of a small tree holding {@code names} (files, or directories when they end
     * in "/"), with -noI so names are stored as plain bytes, then replaces every occurrence of
     * each {@code from} name with the same-length {@code to} bytes: a hostile image.
     */
    public static Path patchedImage(String key, List<String> names, Map<String, String> replace) throws IOException {
        Path dir = WORK.resolve("hostile-" + key);
        run(List.of("rm", "-rf", dir.toString()));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        for (String n : names) {
            if (n.endsWith("/")) {
                Files.createDirectories(tree.resolve(n));
            } else if (n.contains("->")) {
                String[] p = n.split("->");
                Files.createSymbolicLink(tree.resolve(p[0]), Path.of(p[1]));
            } else {
                Files.createDirectories(tree.resolve(n).getParent());
                Files.writeString(tree.resolve(n), "content of " + n);
            }
        }
        Path img = dir.resolve("image.sqsh");
        run(List.of("mksquashfs", tree.toString(), img.toString(), "-quiet", "-no-progress", "-noI", "-no-xattrs"));
        byte[] b = Files.readAllBytes(img);
        for (Map.Entry<String, String> r : replace.entrySet()) {
            byte[] from = r.getKey().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] to = r.getValue().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            int hits = 0;
            for (int i = 0; i + from.length <= b.length; i++) {
                if (java.util.Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
                    System.arraycopy(to, 0, b, i, to.length);
                    hits++;
                }
            }
            if (hits == 0) {
                throw new IllegalStateException(r.getKey() + " not found in " + img);
            }
        }
        Files.write(img, b);
        return img;
    }
}
