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
 * Unpacks the native libraries of zstd-jni and jffi (jnr-ffi's stub library) once, next to the
 * jar, for bin/squashroot to name with {@code -DZstdNativePath} and
 * {@code -Djffi.boot.library.path}. Left to themselves, both copy their library out of a jar
 * into a fresh temporary file on every JVM start: tens of milliseconds of each container start.
 * Best effort: without the files, the libraries do their own copies.
 */
final class NativeLibraries {
    static final String ZSTD_FILE = "libzstd-jni.so";
    /** The name jffi looks for in its boot library path (System.mapLibraryName("jffi-1.2")). */
    static final String JFFI_FILE = "libjffi-1.2.so";

    private NativeLibraries() {
    }

    /** Unpacks every library this class knows into {@code dir}. */
    static void unpackAll(Path dir) throws IOException {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        unpack(com.github.luben.zstd.Zstd.class, "linux/" + arch + "/", dir.resolve(ZSTD_FILE));
        String jffiArch = arch.equals("amd64") ? "x86_64" : arch;
        unpack(com.kenai.jffi.Version.class, "jni/" + jffiArch + "-Linux/", dir.resolve(JFFI_FILE));
    }

    /**
     * Writes {@code target} (temporary name, then rename) from the one .so entry directly under
     * {@code prefix} in the jar of {@code anchor}, or in the jars beside it (jffi keeps its
     * libraries in a separate -native jar). Always rewritten: the training run that calls this
     * runs after any jar changed, and a library left from an older jar would not match its
     * Java side.
     */
    private static void unpack(Class<?> anchor, String prefix, Path target) throws IOException {
        Path jar;
        try {
            jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return;
        }
        String base = jar.getFileName().toString().replaceAll("\\.jar$", "");
        for (Path candidate : new Path[] {jar, jar.resolveSibling(base + "-native.jar")}) {
            if (Files.isRegularFile(candidate) && unpackFrom(candidate, prefix, target)) {
                return;
            }
        }
    }

    private static boolean unpackFrom(Path jar, String prefix, Path target) throws IOException {
        Path dir = target.getParent();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String n = e.getName();
                if (n.startsWith(prefix) && n.endsWith(".so") && n.indexOf('/', prefix.length()) < 0) {
                    Files.createDirectories(dir);
                    Path tmp = Files.createTempFile(dir, ".lib-", ".tmp");
                    try (InputStream in = zip.getInputStream(e)) {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                    return true;
                }
            }
        }
        return false;
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
