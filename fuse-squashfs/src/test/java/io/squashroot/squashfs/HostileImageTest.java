package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.squashroot.extract.Extractor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates real mksquashfs images (truncation at and inside every table, random bit flips,
 * oversized counts and lengths, cyclic and out-of-range references) and feeds each one to
 * everything that reads images: open, the unsquashfs-style listing, reading every file and xattr,
 * and a parallel extraction. Each must end in success or a one-line CorruptImageException /
 * UnsupportedFeatureException naming the image, within seconds, allocating a bounded amount on
 * the reading thread, and writing nothing outside the extraction directory.
 */
class HostileImageTest {
    /** Per-mutation allocation ceiling on the reading thread: far above what these small images need. */
    private static final long MAX_ALLOCATION = 256L << 20;

    private static byte[] compressed;
    private static byte[] raw;
    @TempDir
    static Path tmp;
    private static int counter;

    @BeforeAll
    static void buildImages() throws IOException {
        Path tree = TestImages.WORK.resolve("hostile-tree");
        TestImages.run(List.of("rm", "-rf", tree.toString()));
        Files.createDirectories(tree.resolve("dir/sub"));
        Files.write(tree.resolve("big"), bytes(300_000, 1));
        Files.write(tree.resolve("dir/small"), bytes(5000, 2));
        Files.write(tree.resolve("dir/sub/tail"), bytes(140_000, 3));
        Files.createSymbolicLink(tree.resolve("dir/link"), Path.of("../big"));
        Files.createLink(tree.resolve("dir/hard"), tree.resolve("dir/small"));
        TestImages.run(List.of("setfattr", "-n", "user.k", "-v", "value", tree.resolve("dir/small").toString()));
        TestImages.run(List.of("sh", "-c", "setfattr -n user.big -v $(head -c 300 /dev/zero | tr '\\0' v) " + tree.resolve("big")));
        Path a = TestImages.WORK.resolve("hostile-compressed.sqsh");
        Path b = TestImages.WORK.resolve("hostile-raw.sqsh");
        for (Path p : List.of(a, b)) {
            Files.deleteIfExists(p);
        }
        TestImages.run(List.of("mksquashfs", tree.toString(), a.toString(), "-quiet", "-no-progress", "-b", "128K"));
        TestImages.run(List.of("mksquashfs", tree.toString(), b.toString(), "-quiet", "-no-progress", "-b", "128K",
                "-noI", "-noD", "-noF", "-noX"));
        compressed = Files.readAllBytes(a);
        raw = Files.readAllBytes(b);
        // Both must read cleanly before we start breaking them.
        assertEquals("ok", consume("baseline-c", compressed));
        assertEquals("ok", consume("baseline-r", raw));
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 97 < 50 ? 'a' + (i % 7) : r.nextInt());
        }
        return b;
    }

    @Test
    void truncation_atAndInsideEveryTable_isReportedNotHung() throws Exception {
        for (byte[] base : List.of(compressed, raw)) {
            Superblock sb = superblock(base);
            List<Long> cuts = new ArrayList<>();
            long[] starts = {sb.inodeTableStart(), sb.directoryTableStart(), sb.fragmentTableStart(),
                sb.exportTableStart(), sb.idTableStart(), sb.xattrIdTableStart(), sb.bytesUsed()};
            for (long s : starts) {
                if (s > 0 && s <= sb.bytesUsed()) {
                    cuts.add(s);
                    cuts.add(s + 1);
                    cuts.add(s - 1);
                    cuts.add(s - 3);
                }
            }
            for (long s : tableBlocks(base, sb)) {
                cuts.add(s + 1);
                cuts.add(s + 5);
            }
            cuts.add(0L);
            cuts.add(50L);
            cuts.add(96L);
            for (long cut : cuts) {
                byte[] t = java.util.Arrays.copyOf(base, (int) Math.min(cut, base.length));
                expectCorruptOrOk("truncated at " + cut, t);
                if (cut >= 96) {
                    // Also claim the truncated length is all there is, so the tables themselves run off the end.
                    putLong(t, 40, cut);
                    expectCorruptOrOk("truncated at " + cut + " with bytes_used patched", t);
                }
            }
        }
    }

    @Test
    void randomBitFlips_areReportedNotHung() throws Exception {
        Random r = new Random(42);
        for (byte[] base : List.of(compressed, raw)) {
            Superblock sb = superblock(base);
            for (int i = 0; i < 150; i++) {
                byte[] m = base.clone();
                // Mostly metadata (where structure lives), some superblock, some data.
                long pos = switch (i % 4) {
                    case 0 -> r.nextInt(96);
                    case 1 -> r.nextInt((int) sb.bytesUsed());
                    default -> sb.inodeTableStart() + r.nextInt((int) (sb.bytesUsed() - sb.inodeTableStart()));
                };
                m[(int) pos] ^= (byte) (1 << r.nextInt(8));
                expectCorruptOrOk("bit flip at " + pos, m);
            }
        }
    }

    @Test
    void oversizedSuperblockCounts_areRejectedWithTheirField() throws Exception {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("inode count", withInt(raw, 4, -1));
        cases.put("fragment count", withInt(raw, 16, -1));
        cases.put("id count", withShort(raw, 26, 0xFFFF));
        cases.put("block size", withInt(raw, 12, 1 << 30));
        cases.put("block_log", withShort(raw, 22, 16));
        cases.put("bytes_used", withLong(raw, 40, Long.MAX_VALUE));
        cases.put("root reference", withLong(raw, 32, 0x7FFF_FFFF_0000L));
        cases.put("inode table", withLong(raw, 64, 1L << 40));
        cases.put("xattr table", withLong(raw, 56, superblock(raw).bytesUsed() - 4));
        cases.put("export table", withLong(raw, 88, 97));
        cases.put("id table", withLong(raw, 48, 8));
        cases.put("version", withShort(raw, 28, 3));
        cases.put("compression", withShort(raw, 20, 9));
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            String result = expectCorruptOrOk(c.getKey(), c.getValue());
            assertTrue(!result.equals("ok"), c.getKey() + " was accepted");
        }
        assertTrue(expectCorruptOrOk("id count", withShort(raw, 26, 0xFFFF)).contains("id table"));
        assertTrue(expectCorruptOrOk("block size", withInt(raw, 12, 1 << 30)).contains("superblock at 0xc"));
    }

    @Test
    void oversizedInodeAndDirectoryFields_areRejected() throws Exception {
        Superblock sb = superblock(raw);
        Path img = write("probe", raw);
        Map<String, Long> inodePos = new LinkedHashMap<>();
        Map<String, Long> listingPos = new LinkedHashMap<>();
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(0))) {
            for (Map.Entry<String, Inode> e : ReaderConformanceTest.walk(image).entrySet()) {
                Inode i = e.getValue();
                inodePos.put(e.getKey(), sb.inodeTableStart() + (i.ref() >>> 16) + 2 + (i.ref() & 0xFFFF));
                if (i instanceof Inode.Directory d && d.fileSize() > 3) {
                    listingPos.put(e.getKey(), sb.directoryTableStart() + d.blockStart() + 2 + d.blockOffset());
                }
            }
        }
        long file = inodePos.get("/big");
        long dir = inodePos.get("/dir");
        long link = inodePos.get("/dir/link");
        long rootListing = listingPos.get("");
        long dirListing = listingPos.get("/dir");
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("inode type 15", withShort(raw, file, 15));
        cases.put("permissions", withShort(raw, file + 2, 0xFFFF));
        cases.put("uid index", withShort(raw, file + 4, 0xFFFF));
        cases.put("inode number 0", withInt(raw, file + 12, 0));
        cases.put("file size 4G", withLong(raw, file + 24, 1L << 42)); // type 9: file_size at 24
        cases.put("blocks start", withLong(raw, file + 16, 1L << 50));
        cases.put("fragment index", withInt(raw, file + 44, 0x7FFF_0000));
        cases.put("block word", withInt(raw, file + 56, 0x7FFF_FFFF));
        cases.put("xattr index", withInt(raw, file + 52, 0x7FFF_0000));
        cases.put("symlink size", withInt(raw, link + 20, 0x7FFF_FFFF));
        cases.put("directory size", withInt(raw, dir + 20, -1)); // type 8 has u32 file_size at 20? see below
        cases.put("entry count", withInt(raw, rootListing, 70000));
        cases.put("entry inode block", withInt(raw, rootListing + 4, 0x7FFF_FFFF));
        cases.put("entry offset", withShort(raw, rootListing + 12, 0xFFFF));
        cases.put("entry type", withShort(raw, rootListing + 16, 9));
        cases.put("entry name size", withShort(raw, rootListing + 18, 0xFFFF));
        cases.put("listing count in dir", withInt(raw, dirListing, 255));
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            expectCorruptOrOk(c.getKey(), c.getValue());
        }
        assertTrue(expectCorruptOrOk("entry count", cases.get("entry count")).contains("entry count 70001 exceeds 256"));
        assertTrue(expectCorruptOrOk("symlink size", cases.get("symlink size")).contains("symlink target"));
    }

    @Test
    void cyclicDirectoryReference_isDetected() throws Exception {
        Superblock sb = superblock(raw);
        Path img = write("probe2", raw);
        long rootOffset;
        long subEntryPos = -1;
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(0))) {
            rootOffset = image.root().ref() & 0xFFFF;
            Inode.Directory dir = (Inode.Directory) image.lookup("/dir").orElseThrow();
            long listing = sb.directoryTableStart() + dir.blockStart() + 2 + dir.blockOffset();
            // Walk the single run of /dir: header 12 bytes, then entries of 8 + name bytes.
            long p = listing + 12;
            for (DirEntry e : image.list(dir)) {
                if (e.name().equals("sub")) {
                    subEntryPos = p;
                }
                p += 8 + e.nameBytes().length;
            }
        }
        assertTrue(subEntryPos > 0);
        // /dir/sub now names the root directory: /dir/sub/dir/sub/... forever.
        byte[] m = withShort(raw, subEntryPos, (int) rootOffset);
        String result = expectCorruptOrOk("cycle", m);
        assertTrue(result.contains("cycle"), result);
    }

    @Test
    void fragmentAndXattrTables_withHostileEntries_areRejected() throws Exception {
        Superblock sb = superblock(raw);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long fragBlock = b.getLong((int) sb.fragmentTableStart());
        long kvStart = b.getLong((int) sb.xattrIdTableStart());
        long idBlock = b.getLong((int) sb.xattrIdTableStart() + 16);
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("fragment start", withLong(raw, fragBlock + 2, 1L << 40));
        cases.put("fragment size", withInt(raw, fragBlock + 2 + 8, 0x00FF_FFFF));
        cases.put("fragment index list", withLong(raw, sb.fragmentTableStart(), 5));
        cases.put("xattr kv start", withLong(raw, sb.xattrIdTableStart(), 1L << 40));
        cases.put("xattr count", withInt(raw, sb.xattrIdTableStart() + 8, -1));
        cases.put("xattr set ref", withLong(raw, idBlock + 2, 0x7FFF_FFFF_0000L));
        cases.put("xattr pair count", withInt(raw, idBlock + 2 + 8, -1));
        cases.put("xattr name size", withShort(raw, kvStart + 2 + 2, 0xFFFF));
        cases.put("metadata header 0", withShort(raw, kvStart, 0));
        cases.put("metadata header huge", withShort(raw, sb.inodeTableStart(), 0x7FFF));
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            String result = expectCorruptOrOk(c.getKey(), c.getValue());
            assertTrue(!result.equals("ok"), c.getKey() + " was accepted");
        }
    }

    // --- machinery -------------------------------------------------------------------------

    /** Runs the consumer on a mutated image and checks the outcome rules; returns "ok" or the message. */
    private static String expectCorruptOrOk(String what, byte[] image) throws Exception {
        String name = "m" + (counter++);
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> consume(name, image), what);
    }

    private static String consume(String name, byte[] image) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path img = dir.resolve("image.sqsh");
        Files.write(img, image);
        Path out = dir.resolve("out");
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        String result;
        try (SquashfsImage i = SquashfsImage.open(img, BlockCache.create(1 << 20))) {
            Listing.write(i, "", OutputStream.nullOutputStream(), ZoneOffset.UTC);
            readEverything(i);
            Extractor.create(2, false).extract(i, out);
            result = "ok";
        } catch (CorruptImageException | UnsupportedFeatureException e) {
            result = e.getMessage();
            assertTrue(result.startsWith(img + ": "), "message names the image: " + result);
            assertTrue(!result.contains("\n"), "one line: " + result);
        } catch (IOException | RuntimeException e) {
            fail(name + ": expected CorruptImageException, got " + e, e);
            return null;
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < MAX_ALLOCATION, name + " allocated " + allocated + " bytes");
        try (Stream<Path> s = Files.list(dir)) {
            Set<String> names = new HashSet<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            names.remove("out");
            assertEquals(Set.of("image.sqsh"), names, "nothing written next to DIR");
        }
        TestImages.run(List.of("rm", "-rf", dir.toString()));
        System.out.println(name + ": " + result);
        return result;
    }

    private static void readEverything(SquashfsImage i) throws IOException {
        List<Inode> todo = new ArrayList<>(List.of(i.root()));
        Set<Long> seen = new HashSet<>();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        while (!todo.isEmpty()) {
            Inode n = todo.remove(todo.size() - 1);
            i.xattrs(n);
            if (n instanceof Inode.Directory d && seen.add(d.ref())) {
                for (DirEntry e : i.list(d)) {
                    todo.add(i.inode(e));
                }
                i.lookup(d, "small");
            } else if (n instanceof Inode.RegularFile f) {
                long size = Math.min(f.size(), 8L << 20);
                for (long off = 0; off < size; off += buf.capacity()) {
                    i.read(f, off, buf.clear());
                }
                i.read(f, Math.max(0, f.size() - 10), buf.clear());
            }
        }
    }

    private static List<Long> tableBlocks(byte[] img, Superblock sb) {
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> out = new ArrayList<>();
        for (long list : new long[] {sb.fragmentTableStart(), sb.exportTableStart(), sb.idTableStart(),
            sb.xattrIdTableStart() + 16}) {
            if (list > 0 && list + 8 <= img.length) {
                out.add(b.getLong((int) list));
            }
        }
        out.add(b.getLong((int) sb.xattrIdTableStart()));
        return out;
    }

    private static Superblock superblock(byte[] img) throws IOException {
        return Superblock.parse("x", ByteBuffer.wrap(img, 0, 96), img.length);
    }

    private static Path write(String name, byte[] b) throws IOException {
        Path p = Files.createDirectories(tmp.resolve(name)).resolve("image.sqsh");
        Files.write(p, b);
        return p;
    }

    private static byte[] withShort(byte[] b, long pos, int v) {
        byte[] m = b.clone();
        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putShort((int) pos, (short) v);
        return m;
    }

    private static byte[] withInt(byte[] b, long pos, int v) {
        byte[] m = b.clone();
        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt((int) pos, v);
        return m;
    }

    private static byte[] withLong(byte[] b, long pos, long v) {
        byte[] m = b.clone();
        putLong(m, pos, v);
        return m;
    }

    private static void putLong(byte[] m, long pos, long v) {
        if (pos + 8 <= m.length) {
            ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong((int) pos, v);
        }
    }
}
