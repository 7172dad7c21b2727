package io.squashroot.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Real images for the end-to-end tests, built at test time: a busybox root filesystem squashed
 * with mksquashfs (testdata/busybox-rootfs.sh), optionally with extra files, and the cached
 * Debian minbase image (testdata/debian-minbase.sh, built once per machine).
 */
final class TestImages {
    private TestImages() {
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("testdata"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("testdata/ not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** A busybox image at {@code dir/NAME.sqsh} with {@code extra} files (path in image -> content). */
    static Path busybox(Path dir, String name, Map<String, String> extra) throws IOException {
        Path root = dir.resolve(name + ".rootfs");
        Path image = dir.resolve(name + ".sqsh");
        Sandbox.sh(repoRoot().resolve("testdata/busybox-rootfs.sh").toString(), root.toString());
        for (Map.Entry<String, String> e : extra.entrySet()) {
            Path f = root.resolve(e.getKey().substring(1));
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Sandbox.sh("mksquashfs", root.toString(), image.toString(), "-all-root", "-noappend", "-quiet", "-comp", "gzip");
        Sandbox.deleteTree(root);
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-r--r--"));
        return image;
    }

    /** The Debian 12 minbase image (built and cached on first use; needs root and a mirror). */
    static Path debian() throws IOException {
        Process p = new ProcessBuilder(repoRoot().resolve("testdata/debian-minbase.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        // 77: this machine cannot build it (no mirror reachable, not root); anything else is a failure.
        org.junit.jupiter.api.Assumptions.assumeTrue(rc != 77, "no Debian image can be built here (see stderr)");
        if (rc != 0) {
            throw new IOException("testdata/debian-minbase.sh failed with status " + rc);
        }
        String[] lines = out.split("\n");
        return Path.of(lines[lines.length - 1]);
    }
}
