package io.squashroot.squashfs;

import io.squashroot.host.HostPaths;
import io.squashroot.tree.NameBytes;
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
 * Images of a pairwise covering design over mksquashfs's build options (below), built by
 * mksquashfs from testdata/make-tree.sh, read back with our reader and checked against
 * unsquashfs: the full {@code -lln} listing byte for byte (type, mode, ids, size, mtime,
 * symlink targets, device numbers), every file's bytes against unsquashfs' extraction (whole and
 * in random chunks), every xattr against what unsquashfs restored, lookup by path and by inode
 * number against the walk, and hard links as shared inodes. Names that are not UTF-8 are
 * compared too: the extracted files are opened by their bytes.
 */
class ReaderConformanceTest {

    /**
     * The factors and their values (mksquashfs options; "" is the default). All of them at once
     * would be 6 x 3 x 3 x 2^8 = 13824 images; instead {@link PairwiseDesign} picks rows so that
     * every value of every factor meets every value of every other factor in some image (all
     * pairs, e.g. lzma with 4K blocks, -noI with -always-use-fragments, xattrs with -noX), which
     * takes as few images as the two largest factors allow (6 x 3 = 18) or about that. The rows are
     * deterministic: test [n] is the same image on every run. "tuned" adds each compressor's own
     * options (xz's x86 BCJ filter, lz4's high compression, lzo's lzo1x_1, gzip and zstd levels;
     * lzma has none).
     */
    private static final String[][] FACTORS = {
        {"-comp gzip", "-comp lzo", "-comp lz4", "-comp xz", "-comp zstd", "-comp lzma"},
        {"-b 4K", "-b 128K", "-b 1M"},
        {"", "-no-fragments", "-always-use-fragments"},
        {"", "-noI"},
        {"", "-noD"},
        {"", "-noF"},
        {"", "-noX"},
        {"", "-no-xattrs"},
        {"", "-no-exports"},
        {"", "-no-duplicates"},
        {"", "-no-sparse"},
        {"", "tuned"},
    };

    private static final java.util.Map<String, String> TUNING = java.util.Map.of(
            "-comp gzip", "-Xcompression-level 1", "-comp lzo", "-Xalgorithm lzo1x_1", "-comp lz4", "-Xhc",
            "-comp xz", "-Xbcj x86", "-comp zstd", "-Xcompression-level 19", "-comp lzma", "");

    static int[] factorSizes() {
        return Arrays.stream(FACTORS).mapToInt(f -> f.length).toArray();
    }

    static Stream<String> images() {
        return PairwiseDesign.rows(factorSizes()).stream().map(row -> {
            List<String> opts = new ArrayList<>();
            for (int f = 0; f < row.length; f++) {
                String v = FACTORS[f][row[f]];
                opts.add(v.equals("tuned") ? TUNING.get(FACTORS[0][row[0]]) : v);
            }
            return String.join(" ", opts).trim().replaceAll(" +", " ");
        });
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
                // Every name, UTF-8 or not, is found by its NameBytes spelling.
                String spelled = NameBytes.decode(path.getBytes(StandardCharsets.ISO_8859_1));
                assertEquals(inode, image.lookup(spelled).orElseThrow(), "lookup " + path);
                if (image.superblock().hasExportTable()) {
                    assertEquals(inode.ref(), image.inodeByNumber(inode.number()).orElseThrow().ref(), "export " + path);
                }
                Path onDisk = diskPath(extracted, path);
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

    /** The extracted file for an image path (ISO-8859-1, one char per byte), whatever its bytes. */
    static Path diskPath(Path root, String latin1Path) {
        Path p = root;
        for (String part : latin1Path.split("/")) {
            if (!part.isEmpty()) {
                p = HostPaths.child(p, part.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return p;
    }

    /**
     * The xattrs of a file as "name=hex" lines, through getfattr (which sees every namespace as
     * root). The path goes to it as bytes on stdin: a String argument would be re-encoded.
     */
    static String hostXattrs(Path p) throws IOException, InterruptedException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return "";
        }
        Process proc = new ProcessBuilder("xargs", "-0", "getfattr", "-h", "-d", "-m", "-", "-e", "hex",
                "--absolute-names", "--").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = proc.getOutputStream()) {
            in.write(HostPaths.bytes(p));
            in.write(0);
        }
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        proc.waitFor();
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
