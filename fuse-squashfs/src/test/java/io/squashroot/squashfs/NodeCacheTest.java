package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node-local chunk cache on slow storage: the image lives behind testdata/slowfs.py (latency,
 * bandwidth cap, no page cache) and separate JVMs read it through one SQUASHROOT_NODE_CACHE, as
 * container starts on one node would.
 */
class NodeCacheTest {

    static final long CHUNK = 256 << 10;

    @TempDir
    static Path dir;
    static Path image;
    static long chunks;
    static String expectedDigest;
    static SlowStorage slow;

    @BeforeAll
    static void setUp() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/a/b"));
        Random r = new Random(3);
        for (int i = 0; i < 12; i++) {
            byte[] b = new byte[40_000 + r.nextInt(300_000)];
            r.nextBytes(b); // incompressible, so the image spans many chunks
            Files.write(src.resolve("f" + i), b);
        }
        Files.writeString(dir.resolve("src/a/small.txt"), "hello\n");
        Path backing = Files.createDirectories(dir.resolve("backing"));
        Process p = new ProcessBuilder("mksquashfs", dir.resolve("src").toString(), backing.resolve("img.sqsh").toString(),
                "-quiet", "-no-progress", "-comp", "gzip").inheritIO().start();
        assertEquals(0, p.waitFor());
        long size = Files.size(backing.resolve("img.sqsh"));
        chunks = (size + CHUNK - 1) / CHUNK;
        assertTrue(chunks >= 8, "image too small for the test: " + size);
        expectedDigest = digestOf(dir.resolve("src"));
        slow = SlowStorage.mount(backing, dir.resolve("slow"), 5, 50);
        image = slow.mount.resolve("img.sqsh");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (slow != null) {
            slow.close();
        }
    }

    @Test
    void fetchesEachChunkOnce_withConcurrentProcessesSharingCache() throws Exception {
        Path cache = dir.resolve("cache-shared");
        long before = slow.bytesServed();
        List<Process> ps = new ArrayList<>();
        Path go = dir.resolve("go-shared");
        for (int i = 0; i < 4; i++) {
            // Eight threads per process, each in its own order, all starting at once: chunk
            // locks taken in opposite orders by different processes (which made blocking fcntl
            // locks answer EDEADLK).
            ps.add(probe(cache, "1G", "8", go.toString()));
        }
        Thread.sleep(3000); // the JVMs start and open the image
        Files.createFile(go);
        long misses = 0;
        long backing = 0;
        for (Process p : ps) {
            Probe out = Probe.of(p);
            assertEquals(expectedDigest, out.digest);
            misses += out.nodeMisses;
            backing += out.backingBytes;
        }
        assertEquals(chunks, misses, "chunks fetched from storage by all four processes together");
        // Besides the chunks, each process reads the superblock twice and the identity tail once.
        long perProcess = 2L * Superblock.SIZE + ImageIdentity.TAIL;
        assertTrue(backing <= Files.size(image) + 4 * perProcess, "backing bytes " + backing);
        Thread.sleep(300); // slowfs writes its counters at most every 0.2 s
        assertTrue(slow.bytesServed() - before <= Files.size(image) + 4 * perProcess + CHUNK,
                "slowfs served " + (slow.bytesServed() - before));
    }

    @Test
    void fetchesEachChunkOnce_withManyThreadsInOneProcess() throws Exception {
        long chunk = 512 << 10; // a chunk size no other test in this JVM uses, so memory starts cold
        ReadSettings s = new ReadSettings(chunk, 2, 64L << 20, dir.resolve("cache-threads"), 1L << 30);
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0), s)) {
            List<java.util.concurrent.Future<String>> results = new ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                for (int i = 0; i < 8; i++) {
                    results.add(pool.submit(() -> {
                        Map<String, byte[]> files = new TreeMap<>();
                        ImageReadProbe.walk(img, img.root(), "", files);
                        return digest(files);
                    }));
                }
                for (java.util.concurrent.Future<String> f : results) {
                    assertEquals(expectedDigest, f.get(120, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            ReadStats r = img.readStats();
            assertEquals((Files.size(image) + chunk - 1) / chunk, r.nodeMisses(), r.toString());
            assertEquals(0, r.nodeCorrupt());
        }
    }

    @Test
    void repairsDamagedChunks_detectedOnRead() throws Exception {
        Path cache = dir.resolve("cache-corrupt");
        Probe first = Probe.of(probe(cache, "1G"));
        assertEquals(chunks, first.nodeMisses);
        List<Path> files = chunkFiles(cache);
        assertEquals(chunks, files.size());
        try (RandomAccessFile f = new RandomAccessFile(files.get(1).toFile(), "rw")) {
            f.seek(NodeCache.HEADER + 100);
            int b = f.read();
            f.seek(NodeCache.HEADER + 100);
            f.write(b ^ 0x40); // one flipped bit in the payload: only the CRC can tell
        }
        try (RandomAccessFile f = new RandomAccessFile(files.get(2).toFile(), "rw")) {
            f.setLength(f.length() / 2); // a torn file
        }
        Probe second = Probe.of(probe(cache, "1G"));
        assertEquals(expectedDigest, second.digest);
        assertEquals(2, second.nodeCorrupt);
        assertEquals(2, second.nodeMisses);
        assertEquals(chunks - 2, second.nodeHits);
        Probe third = Probe.of(probe(cache, "1G"));
        assertEquals(0, third.nodeCorrupt, "the damaged chunks were rewritten");
        assertEquals(0, third.nodeMisses);
    }

    @Test
    void evictsLeastRecentlyUsed_toStayUnderLimit() throws Exception {
        Path cache = dir.resolve("cache-small");
        long limit = 3 * (CHUNK + NodeCache.HEADER);
        Probe out = Probe.of(probe(cache, Long.toString(limit)));
        assertEquals(expectedDigest, out.digest);
        assertEquals(chunks, out.nodeMisses);
        long used = 0;
        for (Path f : chunkFiles(cache)) {
            used += Files.size(f);
        }
        assertTrue(used <= limit, "cache holds " + used + " bytes, limit " + limit);
        assertTrue(used > 0, "eviction emptied the cache");
    }

    @Test
    void prefetchFillsCache_soReadsSkipStorage() throws Exception {
        Path cache = dir.resolve("cache-prefetch");
        ReadSettings s = new ReadSettings(CHUNK, 0, 8L << 20, cache, 1L << 30);
        ReadStats warm = NodeCache.prefetch(image, s);
        assertEquals(chunks, warm.nodeMisses());
        assertEquals(Files.size(image) + 2L * Superblock.SIZE + ImageIdentity.TAIL, warm.backingBytes());
        ReadStats again = NodeCache.prefetch(image, s);
        assertEquals(chunks, again.nodeHits());
        assertEquals(0, again.nodeMisses());
        Probe out = Probe.of(probe(cache, "1G"));
        assertEquals(expectedDigest, out.digest);
        assertEquals(0, out.nodeMisses);
        assertEquals(2L * Superblock.SIZE + ImageIdentity.TAIL, out.backingBytes, "only the identity is read");
    }

    @Test
    void refusesPrefetch_withoutNodeCache() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeCache.prefetch(image, ReadSettings.defaults()));
        assertTrue(e.getMessage().contains("SQUASHROOT_NODE_CACHE"), e.getMessage());
    }

    @Test
    void keepsCachePerUser_inPrivateDirectory() throws Exception {
        Path cache = dir.resolve("cache-perm");
        NodeCache.prefetch(image, new ReadSettings(CHUNK, 0, 8L << 20, cache, 1L << 30));
        try (Stream<Path> s = Files.list(cache)) {
            Path user = s.findFirst().orElseThrow();
            assertEquals("u" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"), user.getFileName().toString());
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(user)));
        }
    }

    private static List<Path> chunkFiles(Path cache) throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(p -> p.toString().endsWith(".chunk")).sorted().toList();
        }
    }

    private static Process probe(Path cache, String max, String... more) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                ImageReadProbe.class.getName(), image.toString(), Long.toString(CHUNK), cache.toString(), max));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** What one probe process printed. */
    record Probe(String digest, long backingRequests, long backingBytes, long nodeHits, long nodeMisses, long nodeCorrupt) {
        static Probe of(Process p) throws Exception {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            String digest = null;
            long[] v = null;
            for (String line : out.split("\n")) {
                if (line.startsWith("digest ")) {
                    digest = line.substring(7).trim();
                } else if (line.startsWith("stats ")) {
                    v = Stream.of(line.substring(6).trim().split(" ")).mapToLong(Long::parseLong).toArray();
                }
            }
            assertTrue(digest != null && v != null, out);
            return new Probe(digest, v[0], v[1], v[2], v[3], v[4]);
        }
    }

    /** The probe's digest computed from the source tree: (path, content) in path order. */
    static String digestOf(Path src) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(src)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(f)) {
                    files.put("/" + src.relativize(f), Files.readAllBytes(f));
                }
            }
        }
        return digest(files);
    }

    static String digest(Map<String, byte[]> files) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            md.update(e.getValue());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
