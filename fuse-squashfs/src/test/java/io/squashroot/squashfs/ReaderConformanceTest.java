package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every image of a representative slice of compressor x block size x fragments x -noI/-noD/-noF/-noX
 * x xattrs, built by mksquashfs from testdata/make-tree.sh, read back with our reader and checked
 * against unsquashfs: the full {@code -lln} listing byte for byte (type, mode, ids, size, mtime,
 * symlink targets, device numbers), every file's bytes against unsquashfs' extraction (whole and
 * in random chunks), every xattr against what unsquashfs restored, lookup by path and by inode
 * number against the walk, and hard links as shared inodes.
 */
class ReaderConformanceTest {

    static Stream<String> images() {
        return Stream.of(
                "",
                "-comp xz -Xbcj x86 -b 1M",
                "-comp lzma -b 4K",
                "-comp lz4 -Xhc -b 4K -always-use-fragments",
                "-comp zstd -b 1M -no-fragments",
                "-comp zstd -noI -noD -noF -noX -always-use-fragments -b 4K",
                "-comp lz4 -no-fragments -no-xattrs -no-exports -no-duplicates",
                "-comp xz -no-sparse -noI -b 128K",
                "-comp lzo -Xalgorithm lzo1x_1 -b 1M -always-use-fragments -noD");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("images")
    void matchesUnsquashfs_acrossBuildOptions(String options) throws Exception {
        Path img = TestImages.image(options.isEmpty() ? new String[0] : options.split(" "));
        Path extracted = TestImages.unsquashed(img);
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(4 << 20))) {
            assertListingMatches(image, img);
            Map<String, Inode> all = walk(image);
            Map<Long, Long> numberByRef = new HashMap<>();
            Random rnd = new Random(options.hashCode());
            for (Map.Entry<String, Inode> e : all.entrySet()) {
                String path = e.getKey();
                Inode inode = e.getValue();
                // Hard links: one inode number per reference and vice versa.
                Long prev = numberByRef.putIfAbsent(inode.ref(), inode.number());
                assertTrue(prev == null || prev == inode.number(), path);
                String utf8 = utf8(path);
                if (utf8 != null) {
                    assertEquals(inode, image.lookup(utf8).orElseThrow(), "lookup " + path);
                }
                if (image.superblock().hasExportTable()) {
                    assertEquals(inode.ref(), image.inodeByNumber(inode.number()).orElseThrow().ref(), "export " + path);
                }
                Path onDisk = diskPath(extracted, path);
                if (onDisk == null) {
                    continue;
                }
                if (inode instanceof Inode.RegularFile f) {
                    assertContent(image, f, Files.readAllBytes(onDisk), rnd, path);
                }
                // Every inode that has xattrs, and every file of the tree's xattrs/ corner (which must match even without).
                if (inode.xattrIndex() != Inode.NO_XATTRS || path.startsWith("/xattrs")) {
                    assertEquals(hostXattrs(onDisk), hex(image.xattrs(inode)), "xattrs of " + path);
                }
            }
            assertTrue(all.size() > 1500, "walked " + all.size());
        }
    }

    @org.junit.jupiter.api.Test
    void readsFileOver4GiB_andDirectoryOfThousands_likeUnsquashfs() throws Exception {
        Path img = TestImages.fullImage("-comp", "zstd");
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(16 << 20))) {
            assertListingMatches(image, img);
            Inode.RegularFile big = (Inode.RegularFile) image.lookup("/files/over_4GiB").orElseThrow();
            assertEquals(4295102465L, big.size());
            assertEquals(9, big.type(), "a file over 4 GiB needs the extended inode");
            assertArrayEquals("start".getBytes(StandardCharsets.US_ASCII), readAt(image, big, 0, 5));
            assertArrayEquals("at4G".getBytes(StandardCharsets.US_ASCII), readAt(image, big, 4294967296L, 4));
            assertArrayEquals("end".getBytes(StandardCharsets.US_ASCII), readAt(image, big, 4295102462L, 3));
            assertArrayEquals(new byte[300_000], readAt(image, big, 2_000_000_000L, 300_000));
            assertEquals(-1, image.read(big, big.size(), ByteBuffer.allocate(10)));
            Inode.Directory many = (Inode.Directory) image.lookup("/dirs/many").orElseThrow();
            List<DirEntry> entries = image.list(many);
            assertEquals(3000, entries.size());
            assertTrue(many.indexCount() > 0, "3000 entries need a directory index");
            for (DirEntry e : entries) {
                assertEquals(e.inodeRef(), image.lookup(many, e.nameBytes()).orElseThrow().inodeRef(), e.name());
            }
            assertTrue(image.lookup(many, "name_99999").isEmpty());
            assertTrue(image.lookup(many, "").isEmpty());
            assertTrue(image.lookup(many, "zzzz").isEmpty());
        }
    }

    private static byte[] readAt(SquashfsImage image, Inode.RegularFile f, long offset, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        assertEquals(len, image.read(f, offset, b));
        return b.array();
    }

    @org.junit.jupiter.api.Test
    void readsRealRootfsSlice_likeUnsquashfs() throws Exception {
        Path img = TestImages.rootfsImage();
        Path extracted = TestImages.unsquashed(img);
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(16 << 20))) {
            assertListingMatches(image, img);
            Random rnd = new Random(7);
            int files = 0;
            for (Map.Entry<String, Inode> e : walk(image).entrySet()) {
                Path onDisk = diskPath(extracted, e.getKey());
                if (e.getValue() instanceof Inode.RegularFile f && onDisk != null) {
                    assertContent(image, f, Files.readAllBytes(onDisk), rnd, e.getKey());
                    files++;
                }
            }
            assertTrue(files > 1000, "compared " + files + " files");
        }
    }

    static void assertListingMatches(SquashfsImage image, Path img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Listing.write(image, "", out, ZoneId.systemDefault());
        byte[] expected = TestImages.run(List.of("unsquashfs", "-lln", img.toString()));
        assertEquals(new String(expected, StandardCharsets.ISO_8859_1), out.toString(StandardCharsets.ISO_8859_1));
    }

    static void assertContent(SquashfsImage image, Inode.RegularFile f, byte[] expected, Random rnd, String path)
            throws IOException {
        assertEquals(expected.length, f.size(), "size of " + path);
        ByteBuffer whole = ByteBuffer.allocate(expected.length);
        int n = image.read(f, 0, whole);
        assertEquals(expected.length, n, "read of " + path);
        assertEquals(-1, image.read(f, expected.length, ByteBuffer.allocate(1)), "read at end of " + path);
        assertArrayEquals(expected, whole.array(), "content of " + path);
        if (expected.length > 1) {
            for (int i = 0; i < 4; i++) {
                int off = rnd.nextInt(expected.length);
                int len = 1 + rnd.nextInt(Math.min(expected.length - off, 300_000));
                ByteBuffer part = ByteBuffer.allocateDirect(len);
                assertEquals(len, image.read(f, off, part), "chunk read of " + path);
                byte[] got = new byte[len];
                part.flip().get(got);
                assertArrayEquals(Arrays.copyOfRange(expected, off, off + len), got, "chunk " + off + "+" + len + " of " + path);
            }
        }
    }

    /** Every path of the image ("" for the root; names as ISO-8859-1 so bytes survive) to its inode. */
    static Map<String, Inode> walk(SquashfsImage image) throws IOException {
        Map<String, Inode> out = new LinkedHashMap<>();
        List<Object[]> todo = new ArrayList<>();
        todo.add(new Object[] {"", image.root()});
        while (!todo.isEmpty()) {
            Object[] t = todo.remove(todo.size() - 1);
            String path = (String) t[0];
            Inode inode = (Inode) t[1];
            out.put(path, inode);
            if (inode instanceof Inode.Directory d) {
                for (DirEntry e : image.list(d)) {
                    todo.add(new Object[] {path + "/" + new String(e.nameBytes(), StandardCharsets.ISO_8859_1), image.inode(e)});
                }
            }
        }
        return out;
    }

    /** The path decoded as UTF-8, or null when it is not valid UTF-8. */
    static String utf8(String latin1Path) {
        byte[] raw = latin1Path.getBytes(StandardCharsets.ISO_8859_1);
        String utf8 = new String(raw, StandardCharsets.UTF_8);
        return Arrays.equals(utf8.getBytes(StandardCharsets.UTF_8), raw) ? utf8 : null;
    }

    /** The extracted file for an image path, or null when the name is not valid UTF-8 (no java.nio Path for it). */
    static Path diskPath(Path root, String latin1Path) {
        byte[] raw = latin1Path.getBytes(StandardCharsets.ISO_8859_1);
        String utf8 = new String(raw, StandardCharsets.UTF_8);
        if (!Arrays.equals(utf8.getBytes(StandardCharsets.UTF_8), raw)) {
            return null;
        }
        return root.resolve(utf8.isEmpty() ? "." : utf8.substring(1));
    }

    /** The xattrs of a file as "name=hex" lines, through getfattr (which sees every namespace as root). */
    static String hostXattrs(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return "";
        }
        String out = new String(TestImages.run(List.of("getfattr", "-h", "-d", "-m", "-", "-e", "hex",
                "--absolute-names", p.toString())), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        out.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).sorted().forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    static String hex(Map<String, byte[]> xattrs) {
        StringBuilder sb = new StringBuilder();
        xattrs.entrySet().stream().map(e -> {
            StringBuilder h = new StringBuilder(e.getKey()).append('=');
            h.append("0x");
            for (byte b : e.getValue()) {
                h.append(String.format("%02x", b));
            }
            return h.toString();
        }).sorted().forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
