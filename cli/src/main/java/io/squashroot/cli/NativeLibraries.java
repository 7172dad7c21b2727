package io.squashroot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Unpacks the zstd-jni native library once, next to the jar, for bin/squashroot to name with
 * {@code -DZstdNativePath}. Left to itself, zstd-jni copies the library out of its jar into a
 * fresh temporary file on every JVM start, about 25 ms of each container start on an image
 * whose metadata is zstd-compressed. Best effort: without the file, zstd-jni does its own copy.
 */
final class NativeLibraries {
    static final String ZSTD_FILE = "libzstd-jni.so";

    private NativeLibraries() {
    }

    /** Writes {@code dir/libzstd-jni.so} (temporary name, then rename) unless it is there. */
    static void unpackZstd(Path dir) throws IOException {
        Path target = dir.resolve(ZSTD_FILE);
        if (Files.isRegularFile(target)) {
            return;
        }
        Path jar;
        try {
            jar = Path.of(com.github.luben.zstd.Zstd.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return;
        }
        String prefix = "linux/" + System.getProperty("os.arch", "").toLowerCase(Locale.ROOT) + "/";
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String n = e.getName();
                if (n.startsWith(prefix) && n.endsWith(".so") && n.indexOf('/', prefix.length()) < 0) {
                    Files.createDirectories(dir);
                    Path tmp = Files.createTempFile(dir, ".zstd-", ".tmp");
                    try (InputStream in = zip.getInputStream(e)) {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                    return;
                }
            }
        }
    }

    /** The directory beside the running jar where the libraries go (cli/target/native). */
    static Path besideJar() throws IOException {
        try {
            Path jar = Path.of(NativeLibraries.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.resolveSibling("native");
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new IOException("cannot locate the squashroot jar", e);
        }
    }
}
