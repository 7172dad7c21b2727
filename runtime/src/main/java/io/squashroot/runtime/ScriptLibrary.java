package io.squashroot.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

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
    /** In a start's run directory: the name of the library directory it runs. */
    static final String RECORD = "library";

    private ScriptLibrary() {
    }

    /** The unpacked library under {@code parent}, unpacking it if needed. */
    static Path unpack(Path parent) throws IOException {
        return unpack(parent, codeJar());
    }

    /**
     * As {@link #unpack(Path)}, with {@code jar} the file these resources come from (null when
     * not a jar). Reading the eleven resources out of the jar and hashing them took ~20 ms of
     * every start; a link {@code jar-SIZE-MTIME} named after the jar file (a rebuilt or upgraded
     * jar has another name) points at the directory unpacked from it, so a start that finds it
     * reads no resource at all.
     */
    static Path unpack(Path parent, Path jar) throws IOException {
        Path link = jar == null ? null : jarLink(parent, jar);
        if (link != null) {
            try {
                Path dir = parent.resolve(Files.readSymbolicLink(link));
                if (Files.isRegularFile(dir.resolve("start.sh"))) {
                    return dir;
                }
            } catch (IOException | UnsupportedOperationException absent) {
                // first start of this jar, or its directory was removed: unpack and link below
            }
        }
        Path dir = unpackByContents(parent);
        if (link != null) {
            Path tmp = parent.resolve(linkingName(ProcessHandle.current().pid(), Thread.currentThread().getId()));
            try {
                Files.deleteIfExists(tmp);
                Files.createSymbolicLink(tmp, dir.getFileName());
                Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(tmp); // only the shortcut is lost
            }
        }
        return dir;
    }

    /**
     * The name prefix of a library that process {@code pid} is unpacking: the pid lets gc
     * ({@link LibrarySweep}) tell a killed start's leftover from one being written.
     */
    static String unpackingPrefix(long pid) {
        return ".lib-" + pid + "-";
    }

    /** The temporary name of the jar link that thread {@code tid} of process {@code pid} makes. */
    static String linkingName(long pid, long tid) {
        return ".link-" + pid + "-" + tid;
    }

    /** The jar file this class was loaded from, or null (tests run from class directories). */
    private static Path codeJar() {
        try {
            var src = ScriptLibrary.class.getProtectionDomain().getCodeSource();
            if (src == null || !src.getLocation().getProtocol().equals("file")) {
                return null;
            }
            Path jar = Path.of(src.getLocation().toURI());
            return Files.isRegularFile(jar) ? jar : null;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** {@code parent/jar-SIZE-MTIME} for {@code jar}; null if the jar cannot be read. */
    private static Path jarLink(Path parent, Path jar) {
        try {
            var attrs = Files.readAttributes(jar, java.nio.file.attribute.BasicFileAttributes.class);
            long mtimeNs = attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
            return parent.resolve("jar-" + attrs.size() + "-" + mtimeNs);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Writes into the start's run directory which library it runs (the file {@value #RECORD}),
     * then makes sure that library is still there, unpacking it again if not. {@code gc} moves a
     * library aside before it reads the records of running starts (LibrarySweep), so one of the
     * two always sees the other: a start never runs a library that gc deletes.
     */
    static Path claim(Path lib, Path runDir) throws IOException {
        Path dir = lib;
        for (int tries = 0; ; tries++) {
            Files.writeString(runDir.resolve(RECORD), dir.getFileName() + "\n", StandardCharsets.UTF_8);
            if (Files.isRegularFile(dir.resolve("start.sh")) || tries == 3) {
                return dir;
            }
            dir = unpack(dir.getParent());
        }
    }

    /**
     * What the running code uses under {@code parent}: its jar's link and the directory the
     * link names (when this code runs from a jar) and the directory of these contents, whether
     * or not they exist yet. Reads the resources (gc only).
     */
    static Set<String> currentNames(Path parent) throws IOException {
        return currentNames(parent, codeJar());
    }

    /** As {@link #currentNames(Path)}, with {@code jar} the code's jar (null: none). */
    static Set<String> currentNames(Path parent, Path jar) throws IOException {
        Set<String> names = new HashSet<>();
        names.add(contentName(readContents()));
        Path link = jar == null ? null : jarLink(parent, jar);
        if (link != null) {
            names.add(link.getFileName().toString());
            try {
                Path target = Files.readSymbolicLink(link).getFileName();
                if (target != null) {
                    names.add(target.toString());
                }
            } catch (IOException | UnsupportedOperationException absent) {
                // not linked yet
            }
        }
        return names;
    }

    private static byte[][] readContents() throws IOException {
        byte[][] contents = new byte[FILES.size()][];
        for (int i = 0; i < FILES.size(); i++) {
            try (InputStream in = ScriptLibrary.class.getResourceAsStream(PREFIX + FILES.get(i))) {
                if (in == null) {
                    throw new IOException("squashroot jar: missing resource " + FILES.get(i));
                }
                contents[i] = in.readAllBytes();
            }
        }
        return contents;
    }

    /** {@code lib-<first 12 hex digits of SHA-256 over each file's name and bytes>}. */
    private static String contentName(byte[][] contents) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < FILES.size(); i++) {
            md.update(FILES.get(i).getBytes(StandardCharsets.UTF_8));
            md.update(contents[i]);
        }
        return "lib-" + HexFormat.of().formatHex(md.digest(), 0, 6);
    }

    /** Unpacks into {@code parent/lib-<hash of the contents>} unless that is complete already. */
    private static Path unpackByContents(Path parent) throws IOException {
        byte[][] contents = readContents();
        Path dir = parent.resolve(contentName(contents));
        if (Files.isRegularFile(dir.resolve("start.sh"))) {
            return dir;
        }
        Path tmp = Files.createTempDirectory(parent, unpackingPrefix(ProcessHandle.current().pid()));
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
