package io.squashroot.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The shell side of the launcher (start.sh, enroot-mount, common.sh, the built-in hooks,
 * mounts.d and environ.d files), shipped as class-path resources and unpacked on first use
 * into {@code DIR/lib-<hash of the contents>}: a new version unpacks beside the old one, a
 * directory once complete is never rewritten, and a half-unpacked one is never used (it is
 * built under a temporary name and renamed).
 */
final class ScriptLibrary {

    static final List<String> FILES = List.of(
            "start.sh", "common.sh", "mount.sh", "init.sh", "bin/enroot-mount",
            "hooks.d/10-home.sh", "hooks.d/10-devices.sh", "hooks.d/98-nvidia.sh",
            "mounts.d/10-system.fstab", "mounts.d/20-config.fstab",
            "environ.d/10-terminal.env");
    private static final String PREFIX = "/io/squashroot/runtime/lib/";

    private ScriptLibrary() {
    }

    /** The unpacked library under {@code parent}, unpacking it if needed. */
    static Path unpack(Path parent) throws IOException {
        byte[][] contents = new byte[FILES.size()][];
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < FILES.size(); i++) {
            try (InputStream in = ScriptLibrary.class.getResourceAsStream(PREFIX + FILES.get(i))) {
                if (in == null) {
                    throw new IOException("squashroot jar: missing resource " + FILES.get(i));
                }
                contents[i] = in.readAllBytes();
            }
            md.update(FILES.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(contents[i]);
        }
        String hash = HexFormat.of().formatHex(md.digest(), 0, 6);
        Path dir = parent.resolve("lib-" + hash);
        if (Files.isRegularFile(dir.resolve("start.sh"))) {
            return dir;
        }
        Path tmp = Files.createTempDirectory(parent, ".lib-");
        try {
            for (int i = 0; i < FILES.size(); i++) {
                Path f = tmp.resolve(FILES.get(i));
                Files.createDirectories(f.getParent());
                Files.write(f, contents[i]);
                boolean exec = FILES.get(i).endsWith(".sh") || FILES.get(i).startsWith("bin/");
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(exec ? "r-xr-xr-x" : "r--r--r--"));
            }
            try (var s = Files.walk(tmp)) {
                s.filter(Files::isDirectory).forEach(d -> {
                    try {
                        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(dir.resolve("start.sh"))) {
                    throw raced;
                }
                // Another start unpacked the same contents first; use theirs.
                Tree.deleteQuietly(tmp);
            }
        } catch (IOException | RuntimeException e) {
            Tree.deleteQuietly(tmp);
            throw e;
        }
        return dir;
    }
}
