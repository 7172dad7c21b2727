package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives built to escape the image root or confuse the writer: each must fail with one line
 * naming the entry, and leave neither the image nor a temporary file behind.
 */
class TarHostileTest {
    @TempDir
    Path dir;

    private String reject(InputStream tar) throws IOException {
        Path image = dir.resolve("out.sqsh");
        IOException e = assertThrows(IOException.class,
                () -> SquashfsWriter.builder(Map.of()).threads(1).build().writeTar(tar, image));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "nothing may be left in the target directory");
        }
        assertEquals(1, e.getMessage().lines().count());
        return e.getMessage();
    }

    @Test
    void rejectsEntry_withDotDotEscapingRoot() throws Exception {
        String m = reject(new TarBuilder().file("ok", "x").file("a/../../etc/passwd", "evil").stream());
        assertEquals("tar entry 'a/../../etc/passwd': path escapes the root with '..'", m);
    }

    @Test
    void rejectsEntry_withAbsolutePath() throws Exception {
        assertEquals("tar entry '/etc/shadow': absolute path refused",
                reject(new TarBuilder().file("/etc/shadow", "evil").stream()));
    }

    @Test
    void rejectsHardLink_toTargetOutsideTree() throws Exception {
        String m = reject(new TarBuilder().hardlink("x", "../../etc/passwd").stream());
        assertEquals("tar entry 'x' (hard link target '../../etc/passwd'): path escapes the root with '..'", m);
    }

    @Test
    void rejectsHardLink_toEntryNotInArchive() throws Exception {
        assertEquals("tar entry 'x': hard link target 'missing' is not an earlier entry",
                reject(new TarBuilder().hardlink("x", "missing").stream()));
    }

    @Test
    void rejectsEntry_underSymlinkParent() throws Exception {
        // A symlink must never be followed as a directory: "link/x" would land wherever it points.
        String m = reject(new TarBuilder().symlink("link", "/etc").file("link/passwd", "evil").stream());
        assertEquals("tar entry 'link/passwd': a parent path component is not a directory", m);
    }

    @Test
    void rejectsTruncatedArchive_namingEntry() throws Exception {
        byte[] whole = new TarBuilder().file("big", "y".repeat(5000)).stream().readAllBytes();
        byte[] cut = java.util.Arrays.copyOf(whole, 512 + 1000);
        String m = reject(new java.io.ByteArrayInputStream(cut));
        assertEquals(true, m.startsWith("tar entry 'big'") || m.contains("truncated"), m);
    }

    @Test
    void acceptsDotDotInsideTree_andAbsoluteSymlinkTarget() throws Exception {
        Path image = dir.resolve("ok.sqsh");
        SquashfsWriter.builder(Map.of()).threads(1).build().writeTar(new TarBuilder()
                .file("./a/../b", "fine").symlink("abs", "/usr/bin/env").stream(), image);
        String listing = Tools.listing(image);
        assertEquals(true, listing.contains("squashfs-root/b\n"), listing);
        assertEquals(true, listing.contains("squashfs-root/abs -> /usr/bin/env"), listing);
    }
}
