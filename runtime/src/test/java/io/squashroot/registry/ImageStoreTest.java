package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports from the real registry into the layer cache; layer images checked with our reader. */
class ImageStoreTest {

    @TempDir
    static Path tmp;
    static TestRegistry reg;
    static FaultProxy proxy;

    @BeforeAll
    static void up() throws Exception {
        reg = TestRegistry.start(tmp.resolve("reg"));
        proxy = new FaultProxy(reg.http);
    }

    @AfterAll
    static void down() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (reg != null) {
            reg.close();
        }
    }

    /** Records layer states as "STATE shorthex". */
    static final class Events implements ImportProgress {
        final List<String> states = new CopyOnWriteArrayList<>();

        @Override
        public void layer(int index, int count, Digest digest, long size, LayerState state) {
            states.add(state + " " + digest.shortHex());
        }

        long count(LayerState s) {
            return states.stream().filter(x -> x.startsWith(s + " ")).count();
        }
    }

    private static ImageStore store(Path cache) throws IOException {
        RegistrySettings s = reg.settings(cache, Map.of("SQUASHROOT_INSECURE_REGISTRIES", reg.http));
        return new ImageStore(s, new WriterConverter(Map.of()), d -> { });
    }

    private static ImageStore proxied(Path cache) throws IOException {
        RegistrySettings s = reg.settings(cache, Map.of("ENROOT_ALLOW_HTTP", "y"));
        return new ImageStore(s, new WriterConverter(Map.of()), d -> { });
    }

    private static String uri(String image) {
        return "docker://" + reg.http + "/test/" + image;
    }

    private static String readFile(SquashfsImage img, String path) throws IOException {
        Inode.RegularFile f = (Inode.RegularFile) img.lookup(path).orElseThrow(() -> new AssertionError(path + " missing"));
        ByteBuffer b = ByteBuffer.allocate((int) f.size());
        img.read(f, 0, b);
        return new String(b.array(), StandardCharsets.UTF_8);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void pull_convertsLayerAndWritesEnrootConfigLayer() throws IOException {
        Path cache = tmp.resolve("c1");
        Events ev = new Events();
        StoredImage img = store(cache).pull(uri("layered-a:latest"), Platform.forArch("amd64"), ev);
        assertEquals(3, img.layersLowestFirst().size());
        assertEquals(3, ev.count(ImportProgress.LayerState.CONVERTED));
        try (SquashfsImage base = SquashfsImage.open(img.layersLowestFirst().get(0));
             SquashfsImage top = SquashfsImage.open(img.layersLowestFirst().get(2));
             SquashfsImage rc = SquashfsImage.open(img.rcLayer())) {
            assertTrue(base.lookup("/bin/busybox").isPresent());
            assertEquals("layer a\n", readFile(top, "/a.txt"));
            String rcText = readFile(rc, "/etc/rc");
            assertTrue(rcText.startsWith("# enroot-provenance: docker://" + reg.http + "#test/layered-a:latest\n"), rcText);
            assertTrue(rcText.contains("exec '/bin/cat' '/a.txt'"), rcText);
            assertTrue(readFile(rc, "/etc/environment").contains("TESTIMAGE=layered-a\n"));
        }
        assertEquals(img.rcLayer(), img.lowersTopFirst().get(0));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cache)));
        assertEquals(List.of(), files(cache.resolve("tmp")));
    }

    @Test
    void sibling_convertsOnlyItsOwnLayer_andReimportConvertsNothing() throws IOException {
        Path cache = tmp.resolve("c2");
        ImageStore s = store(cache);
        s.pull(uri("layered-a:latest"), Platform.forArch("amd64"), ImportProgress.NONE);
        Events sibling = new Events();
        s.pull(uri("layered-b:latest"), Platform.forArch("amd64"), sibling);
        assertEquals(2, sibling.count(ImportProgress.LayerState.CACHED), sibling.states.toString());
        assertEquals(1, sibling.count(ImportProgress.LayerState.CONVERTED), sibling.states.toString());
        Events again = new Events();
        s.pull(uri("layered-b:latest"), Platform.forArch("amd64"), again);
        assertEquals(3, again.count(ImportProgress.LayerState.CACHED));
        assertEquals(0, again.count(ImportProgress.LayerState.CONVERTED));
        assertTrue(s.cached(uri("layered-b:latest"), Platform.forArch("amd64")).isPresent());
        assertFalse(s.cached(uri("layered-b:latest"), Platform.forArch("arm64")).isPresent());
    }

    @Test
    void whiteouts_becomeOverlayMarkersInLayerImage() throws IOException {
        StoredImage img = store(tmp.resolve("c3")).pull(uri("whiteout:latest"), Platform.forArch("amd64"), ImportProgress.NONE);
        try (SquashfsImage l3 = SquashfsImage.open(img.layersLowestFirst().get(2))) {
            Inode.CharDevice wh = assertInstanceOf(Inode.CharDevice.class, l3.lookup("/data/old.txt").orElseThrow());
            assertEquals(0, wh.major());
            assertEquals(0, wh.minor());
            assertInstanceOf(Inode.CharDevice.class, l3.lookup("/data/subdir").orElseThrow());
            Inode opq = l3.lookup("/opt/dir").orElseThrow();
            assertEquals("y", new String(l3.xattrs(opq).get("trusted.overlay.opaque"), StandardCharsets.UTF_8));
            assertInstanceOf(Inode.Directory.class, l3.lookup("/opt/file-to-dir").orElseThrow());
            assertInstanceOf(Inode.RegularFile.class, l3.lookup("/opt/dir-to-file").orElseThrow());
        }
    }

    @Test
    void readsGzipZstdAndUncompressedLayers() throws IOException {
        StoredImage img = store(tmp.resolve("c4")).pull(uri("compress:latest"), Platform.forArch("amd64"), ImportProgress.NONE);
        try (SquashfsImage z = SquashfsImage.open(img.layersLowestFirst().get(1));
             SquashfsImage u = SquashfsImage.open(img.layersLowestFirst().get(2))) {
            assertEquals("from a zstd layer\n", readFile(z, "/zstd/hello.txt"));
            assertEquals("from an uncompressed layer\n", readFile(u, "/plain/hello.txt"));
        }
    }

    @Test
    void corruptBlob_failsAndLeavesCleanCache() throws IOException {
        Path cache = tmp.resolve("c5");
        ImageStore s = proxied(cache);
        String u = "docker://" + proxy.hostPort() + "/test/busybox:latest";
        proxy.inject(FaultProxy.Fault.CORRUPT_BLOB, "/blobs/sha256:", 0, 1000);
        try {
            IOException e = assertThrows(IOException.class, () -> s.pull(u, Platform.forArch("amd64"), ImportProgress.NONE));
            assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
        } finally {
            proxy.inject(FaultProxy.Fault.NONE, "", 0, 0);
        }
        assertEquals(List.of(), files(cache.resolve("layers")));
        assertEquals(List.of(), files(cache.resolve("tmp")));
        assertEquals(List.of(), files(cache.resolve("images")));
        s.pull(u, Platform.forArch("amd64"), ImportProgress.NONE);
        assertEquals(2, files(cache.resolve("layers")).size());
    }

    @Test
    void droppedConnection_resumesDuringImport() throws IOException {
        Path cache = tmp.resolve("c6");
        String u = "docker://" + proxy.hostPort() + "/test/layered-b:latest";
        RegistryClient c = new RegistryClient(new HttpTransport(reg.settings(cache, Map.of("ENROOT_ALLOW_HTTP", "1"))),
                Credentials.none(), ImageReference.parse(u), d -> { });
        Descriptor big = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        proxy.log.clear();
        proxy.inject(FaultProxy.Fault.DROP_MID_BLOB, "/blobs/" + big.digest(), 0, 1);
        StoredImage img = proxied(cache).pull(u, Platform.forArch("amd64"), ImportProgress.NONE);
        assertTrue(proxy.log.stream().anyMatch(l -> l.contains(big.digest() + " bytes=")), proxy.log.toString());
        try (SquashfsImage base = SquashfsImage.open(img.layersLowestFirst().get(0))) {
            assertTrue(base.lookup("/bin/busybox").isPresent());
        }
    }

    @Test
    void concurrentPulls_ofSameImage_convertEachLayerOnce() throws Exception {
        Path cache = tmp.resolve("c7");
        Events ev = new Events();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<StoredImage>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ImageStore s = store(cache);
                fs.add(pool.submit(() -> s.pull(uri("whiteout:latest"), Platform.forArch("amd64"), ev)));
            }
            for (Future<StoredImage> f : fs) {
                assertEquals(4, f.get().layersLowestFirst().size());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(4, ev.count(ImportProgress.LayerState.CONVERTED), ev.states.toString());
        assertEquals(List.of(), files(cache.resolve("tmp")));
    }

    @Test
    void prune_removesUnusedEntriesOnly() throws IOException {
        Path cache = tmp.resolve("c8");
        ImageStore s = store(cache);
        s.pull(uri("busybox:latest"), Platform.forArch("amd64"), ImportProgress.NONE);
        assertEquals(1, s.cache().list().stream().filter(e -> e.kind().equals("layer")).count());
        assertEquals(0, s.cache().prune(java.time.Instant.now().minusSeconds(3600)));
        assertTrue(s.cache().prune(java.time.Instant.now().plusSeconds(1)) > 0);
        assertEquals(List.of(), s.cache().list());
    }

    @Test
    void importsDockerAndOciArchives() throws Exception {
        Path dir = tmp.resolve("archives");
        Files.createDirectories(dir);
        TestRegistry.run(Map.of(), dir, "skopeo", "copy", "-q", "--src-tls-verify=false",
                "docker://" + reg.http + "/test/layered-a:latest", "docker-archive:" + dir.resolve("a.tar"));
        TestRegistry.run(Map.of(), dir, "skopeo", "copy", "-q", "--src-tls-verify=false",
                "docker://" + reg.http + "/test/layered-b:latest", "oci-archive:" + dir.resolve("b.tar") + ":b");
        TestRegistry.run(Map.of(), dir, "skopeo", "copy", "-q", "--src-tls-verify=false",
                "docker://" + reg.http + "/test/multiarch:oci", "oci:" + dir.resolve("layout") + ":m", "--all");
        ImageStore s = store(tmp.resolve("c9"));
        StoredImage a = s.pull("docker-archive:" + dir.resolve("a.tar"), Platform.forArch("amd64"), ImportProgress.NONE);
        StoredImage b = s.pull("oci-archive:" + dir.resolve("b.tar"), Platform.forArch("amd64"), ImportProgress.NONE);
        StoredImage m = s.pull("oci-archive:" + dir.resolve("layout") + ":m", Platform.forArch("arm64"), ImportProgress.NONE);
        try (SquashfsImage la = SquashfsImage.open(a.layersLowestFirst().get(2));
             SquashfsImage lb = SquashfsImage.open(b.layersLowestFirst().get(2));
             SquashfsImage lm = SquashfsImage.open(m.layersLowestFirst().get(m.layersLowestFirst().size() - 1))) {
            assertEquals("layer a\n", readFile(la, "/a.txt"));
            assertEquals("layer b\n", readFile(lb, "/b.txt"));
            assertEquals("arm64\n", readFile(lm, "/arch"));
        }
        IOException e = assertThrows(IOException.class,
                () -> s.pull("docker-archive:" + dir.resolve("missing.tar"), Platform.forArch("amd64"), ImportProgress.NONE));
        assertTrue(e.getMessage().contains("missing.tar"), e.getMessage());
    }

    @Test
    void importFlat_appliesWhiteoutsAndAddsEnrootFiles() throws IOException {
        Path cache = tmp.resolve("c10");
        ImageStore s = store(cache);
        Path out = tmp.resolve("whiteout.sqsh");
        s.importFlat(uri("whiteout:latest"), Platform.forArch("amd64"), out, ImportProgress.NONE);
        try (SquashfsImage img = SquashfsImage.open(out)) {
            for (String gone : List.of("/data/old.txt", "/data/subdir", "/opt/dir/x", "/opt/dir/sub", "/opt/dir-to-file/inner.txt")) {
                assertFalse(img.lookup(gone).isPresent(), gone);
            }
            for (String line : readFile(img, "/whiteout-expected.txt").split("\n")) {
                assertTrue(img.lookup(line).orElseThrow(() -> new AssertionError(line)) instanceof Inode.RegularFile, line);
            }
            assertInstanceOf(Inode.Directory.class, img.lookup("/opt/file-to-dir").orElseThrow());
            assertTrue(readFile(img, "/etc/rc").contains("# enroot-provenance: docker://" + reg.http + "#test/whiteout:latest"));
            assertTrue(readFile(img, "/etc/rc.local").startsWith("# This file is sourced by /etc/rc"));
            assertTrue(img.lookup("/bin/busybox").isPresent());
            assertFalse(img.lookup("/opt/dir/.wh..wh..opq").isPresent());
        }
        // Same file system as the cache: the output is a read-only hard link to the cached flat image.
        assertEquals("r--r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals(2, Files.getAttribute(out, "unix:nlink"));
        Events again = new Events();
        Path out2 = tmp.resolve("whiteout-2.sqsh");
        s.importFlat(uri("whiteout:latest"), Platform.forArch("amd64"), out2, again);
        assertEquals(0, again.count(ImportProgress.LayerState.CONVERTED));
        assertEquals(Files.size(out), Files.size(out2));
        java.nio.file.FileAlreadyExistsException e = assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> s.importFlat(uri("whiteout:latest"), Platform.forArch("amd64"), out, ImportProgress.NONE));
        assertTrue(e.getMessage().contains("whiteout.sqsh"), e.getMessage());
    }

    @Test
    void reimportFlat_reusesCachedFlatImageOnlyForSameSquashOptions() throws IOException {
        Path cache = tmp.resolve("c11");
        RegistrySettings rs = reg.settings(cache, Map.of("SQUASHROOT_INSECURE_REGISTRIES", reg.http));
        ImageStore lzo = new ImageStore(rs, new WriterConverter(Map.of()), d -> { });
        Path a = tmp.resolve("flat-a.sqsh");
        Path b = tmp.resolve("flat-b.sqsh");
        Path z = tmp.resolve("flat-zstd.sqsh");
        lzo.importFlat(uri("busybox:latest"), Platform.forArch("amd64"), a, ImportProgress.NONE);
        lzo.importFlat(uri("busybox:latest"), Platform.forArch("amd64"), b, ImportProgress.NONE);
        assertEquals(Files.getAttribute(a, "unix:ino"), Files.getAttribute(b, "unix:ino"), "re-import: the same cached flat image");
        ImageStore zstd = new ImageStore(rs, new WriterConverter(Map.of("ENROOT_SQUASH_OPTIONS", "-comp zstd")), d -> { });
        zstd.importFlat(uri("busybox:latest"), Platform.forArch("amd64"), z, ImportProgress.NONE);
        assertNotEquals(Files.getAttribute(a, "unix:ino"), Files.getAttribute(z, "unix:ino"));
        try (SquashfsImage ia = SquashfsImage.open(a); SquashfsImage iz = SquashfsImage.open(z)) {
            assertEquals("lzo", ia.superblock().compressionName());
            assertEquals("zstd", iz.superblock().compressionName());
        }
        assertEquals(2, files(cache.resolve("flat")).size());
    }
}
