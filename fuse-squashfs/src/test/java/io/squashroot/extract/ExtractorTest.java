package io.squashroot.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.CorruptImageException;
import io.squashroot.squashfs.SquashfsImage;
import io.squashroot.squashfs.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extracts real mksquashfs images and compares the result with what unsquashfs extracts from the
 * same image: types, modes, owners, mtimes, link counts, symlink targets, device numbers, bytes,
 * hard-link groups, xattrs and sparseness. Then the safety rules: no writes outside DIR with
 * planted symlinks or hostile names, and refusal of a non-empty DIR without --force.
 */
class ExtractorTest {
    /** The standard tree, with its names that are UTF-8, Latin-1 and not text at all. */
    private static Path image(String... extra) throws IOException {
        return TestImages.image(extra);
    }

    @Test
    void extract_matchesUnsquashfs_gzipTwoThreads() throws Exception {
        assertMatchesUnsquashfs(image(), 2);
    }

    @Test
    void extract_matchesUnsquashfs_zstdNoFragmentsFourThreads() throws Exception {
        assertMatchesUnsquashfs(image("-comp", "zstd", "-no-fragments", "-b", "4K"), 4);
    }

    @Test
    void extract_matchesUnsquashfs_uncompressedOneThread() throws Exception {
        assertMatchesUnsquashfs(image("-noI", "-noD", "-noF", "-noX", "-always-use-fragments"), 1);
    }

    @Test
    void extract_matchesUnsquashfs_realRootfsSlice() throws Exception {
        assertMatchesUnsquashfs(TestImages.rootfsImage(), 2);
    }

    @Test
    void extract_keepsNameBytes_thatAreNotUtf8() throws Exception {
        Path img = image("-comp", "lz4");
        Path out = TestImages.WORK.resolve(img.getFileName() + ".names");
        TestImages.run(List.of("rm", "-rf", out.toString()));
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(8 << 20))) {
            Extractor.create(2, false).extract(image, out);
        }
        String ours = rawNames(out.resolve("names"));
        assertEquals(rawNames(TestImages.unsquashed(img).resolve("names")), ours);
        // Latin-1 e-acute and FF FE are there as single bytes, the UTF-8 names as UTF-8.
        assertTrue(ours.contains("\nlatin1-\u00e9\n"), ours);
        assertTrue(ours.contains("\n\u00ff\u00fe-bytes\n"), ours);
        assertTrue(ours.contains("\n\u00c3\u00a9t\u00c3\u00a9\n"), ours);
        assertEquals("latin1-\u00e9", new String(Files.readAllBytes(
                out.resolve("names").resolve(io.squashroot.host.HostPaths.name(new byte[] {'l', 'a', 't', 'i', 'n', '1', '-', (byte) 0xe9}))),
                StandardCharsets.ISO_8859_1));
    }

    /** The names in {@code dir} as ls -f prints them, one char per byte. */
    private static String rawNames(Path dir) {
        return "\n" + new String(TestImages.run(List.of("sh", "-c", "cd '" + dir + "' && LC_ALL=C ls -f | LC_ALL=C sort")),
                StandardCharsets.ISO_8859_1);
    }

    private static void assertMatchesUnsquashfs(Path img, int threads) throws Exception {
        Path expected = TestImages.unsquashed(img);
        Path out = TestImages.WORK.resolve(img.getFileName() + ".ours");
        TestImages.run(List.of("rm", "-rf", out.toString()));
        ExtractReport report;
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(8 << 20))) {
            report = Extractor.create(threads, false).extract(image, out);
        }
        assertEquals(0, report.skippedSpecial());
        assertEquals(0, report.skippedXattrs());
        assertEquals(describe(expected), describe(out));
        assertEquals(linkGroups(expected), linkGroups(out));
        assertEquals(xattrs(expected), xattrs(out));
        for (Path f : regularFiles(expected)) {
            Path mine = out.resolve(expected.relativize(f)); // Path, not String: keeps the name's bytes
            assertEquals(-1L, Files.mismatch(f, mine), "content of " + mine);
            long ours = allocated(mine);
            long theirs = allocated(f);
            assertTrue(ours <= theirs + 8, mine + " allocates " + ours + " blocks, unsquashfs " + theirs);
        }
    }

    /** One line per path: type, mode, uid, gid, mtime, links, size (not for dirs), rdev, target. */
    private static String describe(Path root) {
        return new String(TestImages.run(List.of("sh", "-c",
                "cd '" + root + "' && find . -printf '%y %m %U %G %T@ %n %l %P\\n' | sort && "
                        + "find . -type f -printf '%s %P\\n' | sort && find . \\( -type b -o -type c \\) -exec stat -c '%t:%T %n' {} + | sort")),
                StandardCharsets.ISO_8859_1);
    }

    private static String linkGroups(Path root) {
        String out = new String(TestImages.run(List.of("sh", "-c",
                "cd '" + root + "' && find . ! -type d -links +1 -printf '%i %P\\n'")), StandardCharsets.ISO_8859_1);
        Map<String, List<String>> byInode = new HashMap<>();
        out.lines().forEach(l -> byInode.computeIfAbsent(l.substring(0, l.indexOf(' ')), k -> new ArrayList<>())
                .add(l.substring(l.indexOf(' ') + 1)));
        TreeMap<String, String> groups = new TreeMap<>();
        for (List<String> g : byInode.values()) {
            g.sort(null);
            groups.put(g.get(0), String.join(",", g));
        }
        return groups.values().toString();
    }

    private static String xattrs(Path root) {
        return new String(TestImages.run(List.of("sh", "-c",
                "cd '" + root + "' && getfattr -R -h -d -m - -e hex . 2>/dev/null")), StandardCharsets.ISO_8859_1);
    }

    private static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    /** st_blocks of {@code p}; its path goes to stat as bytes on stdin (an argument would be re-encoded). */
    private static long allocated(Path p) throws IOException {
        Process proc = new ProcessBuilder("xargs", "-0", "stat", "-c", "%b", "--").start();
        try (var in = proc.getOutputStream()) {
            in.write(io.squashroot.host.HostPaths.bytes(p));
            in.write(0);
        }
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        return Long.parseLong(out);
    }

    @Test
    void extract_refusesNonEmptyDirectory_withoutForce(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("already-here"), "x");
        try (SquashfsImage image = SquashfsImage.open(image(), BlockCache.create(1 << 20))) {
            IOException e = assertThrows(IOException.class, () -> Extractor.create(2, false).extract(image, out));
            assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        }
        assertEquals(List.of("already-here"), names(out));
    }

    @Test
    void extractWithForce_replacesPlantedSymlinks_withoutFollowingThem(@TempDir Path tmp) throws Exception {
        Path victim = Files.createDirectories(tmp.resolve("victim"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createSymbolicLink(out.resolve("files"), victim);
        Files.createDirectories(out.resolve("links"));
        Files.createSymbolicLink(out.resolve("links/hl_target"), victim.resolve("hl"));
        Files.createSymbolicLink(out.resolve("links/hl_second"), victim.resolve("hl2"));
        try (SquashfsImage image = SquashfsImage.open(image(), BlockCache.create(1 << 20))) {
            Extractor.create(2, true).extract(image, out);
        }
        assertEquals(List.of(), names(victim));
        assertTrue(Files.isDirectory(out.resolve("files"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("hard link target\n", Files.readString(out.resolve("links/hl_second")));
        assertFalse(Files.isSymbolicLink(out.resolve("links/hl_target")));
    }

    /**
     * Files are created with their permissions and the chmod is skipped when the umask takes
     * none of them away: the bits the umask does take (group/other write under 022), set-id
     * bits and no bits at all must still come out exact, whatever the umask.
     */
    @Test
    void extract_restoresEveryModeBit_whateverTheUmask(@TempDir Path tmp) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Map<String, String> modes = new java.util.TreeMap<>(Map.of(
                "world-writable", "666", "group-writable", "664", "plain", "644", "private", "600",
                "none", "0", "setuid", "4755", "setgid", "2711", "exec", "755"));
        for (var m : modes.entrySet()) {
            Files.writeString(src.resolve(m.getKey()), m.getKey());
            TestImages.run(List.of("chmod", m.getValue(), src.resolve(m.getKey()).toString()));
        }
        Path img = tmp.resolve("modes.sqsh");
        TestImages.run(List.of("mksquashfs", src.toString(), img.toString(), "-quiet", "-no-progress", "-all-root"));
        Path out = tmp.resolve("out");
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(1 << 20))) {
            Extractor.create(2, false).extract(image, out);
        }
        for (var m : modes.entrySet()) {
            String got = new String(TestImages.run(List.of("stat", "-c", "%a", out.resolve(m.getKey()).toString())),
                    StandardCharsets.US_ASCII).trim();
            assertEquals(m.getValue(), got, m.getKey() + " (umask " + Integer.toOctalString(FileModes.UMASK) + ")");
            assertEquals(m.getKey(), Files.readString(out.resolve(m.getKey())));
        }
    }

    @Test
    void extract_rejectsDotDotName_andWritesNothingOutside(@TempDir Path tmp) throws Exception {
        Path img = TestImages.patchedImage("dotdot", List.of("QQ/", "QQ/file", "a"), Map.of("QQ", ".."));
        assertHostileRejected(img, tmp, "reserved");
    }

    @Test
    void extract_rejectsSlashInName(@TempDir Path tmp) throws Exception {
        Path img = TestImages.patchedImage("slash", List.of("eQetc/", "eQetc/passwd"), Map.of("eQetc", "e/etc"));
        assertHostileRejected(img, tmp, "'/'");
    }

    @Test
    void extract_rejectsRepeatedName_symlinkThenDirectory(@TempDir Path tmp) throws Exception {
        // "d" a symlink out of DIR, then a directory also called "d" holding a file: a second "d"
        // must not let the file be written through the link.
        Path img = TestImages.patchedImage("repeat", List.of("d->" + tmp.resolve("victim"), "e/", "e/payload"),
                Map.of("\u0000e", "\u0000d"));
        Files.createDirectories(tmp.resolve("victim"));
        assertHostileRejected(img, tmp, "repeated");
        assertEquals(List.of(), names(tmp.resolve("victim")));
    }

    private static void assertHostileRejected(Path img, Path tmp, String detail) throws Exception {
        Path out = tmp.resolve("out");
        List<String> before = names(tmp);
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(1 << 20))) {
            CorruptImageException e = assertThrows(CorruptImageException.class,
                    () -> Extractor.create(2, false).extract(image, out));
            assertTrue(e.getMessage().startsWith(img.toString() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(detail), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        List<String> after = new ArrayList<>(names(tmp));
        after.remove("out");
        assertEquals(before, after);
        assertFalse(Files.exists(tmp.getParent().resolve("file")));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
