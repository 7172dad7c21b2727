package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken transfers and error answers from a proxy in front of the real registry. */
class FaultInjectionTest {

    @TempDir
    static Path tmp;
    static TestRegistry reg;
    static FaultProxy proxy;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

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

    @BeforeEach
    void reset() {
        proxy.inject(FaultProxy.Fault.NONE, "", 0, 0);
        proxy.log.clear();
        proxy.blobDelayMillis = 0;
        proxy.stallMillis = 3000;
    }

    private RegistryClient client(String image) throws IOException {
        RegistrySettings s = reg.settings(tmp.resolve("cache"), Map.of("ENROOT_ALLOW_HTTP", "yes"));
        return new RegistryClient(new HttpTransport(s), Credentials.none(),
                ImageReference.parse("docker://" + proxy.hostPort() + "/" + image), sleeps::add);
    }

    private static byte[] readAll(RegistryClient c, Descriptor d) throws IOException {
        try (InputStream in = new BlobStream(c, d, n -> { })) {
            return in.readAllBytes();
        }
    }

    @Test
    void resumesBlobByRange_afterConnectionDroppedMidway() throws IOException {
        RegistryClient c = client("test/layered-a:latest");
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(1);
        proxy.inject(FaultProxy.Fault.DROP_MID_BLOB, "/blobs/" + layer.digest(), 0, 1);
        byte[] data = readAll(c, layer);
        assertEquals(layer.size(), data.length);
        assertEquals(layer.digest(), Digest.of(data));
        assertTrue(proxy.log.stream().anyMatch(l -> l.contains("/blobs/" + layer.digest() + " bytes=")), proxy.log.toString());
    }

    @Test
    void failsWithDigestMismatch_onCorruptBlob() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        proxy.inject(FaultProxy.Fault.CORRUPT_BLOB, "/blobs/" + layer.digest(), 0, 1);
        RegistryException e = assertThrows(RegistryException.class, () -> readAll(c, layer));
        assertTrue(e.getMessage().startsWith(proxy.hostPort() + "/test/busybox: blob " + layer.digest() + ": digest mismatch"),
                e.getMessage());
    }

    @Test
    void failsWithDigestMismatch_onCorruptManifestByDigest() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        Digest d = c.manifest("latest", Platform.forArch("amd64")).digest();
        proxy.inject(FaultProxy.Fault.CORRUPT_BLOB, "/manifests/" + d, 0, 1);
        RegistryException e = assertThrows(RegistryException.class, () -> c.manifest(d.toString(), Platform.forArch("amd64")));
        assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
    }

    @Test
    void namesStatus_for401_403_404() throws IOException {
        for (int code : new int[] {401, 403, 404}) {
            RegistryClient c = client("test/busybox:latest");
            proxy.inject(FaultProxy.Fault.STATUS, "/manifests/", code, 100);
            RegistryException e = assertThrows(RegistryException.class, () -> c.manifest("latest", Platform.forArch("amd64")));
            assertEquals(code, e.status());
            assertTrue(e.getMessage().startsWith(proxy.hostPort() + "/test/busybox: "), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP " + code), e.getMessage());
        }
        assertTrue(sleeps.isEmpty(), "4xx answers are not retried: " + sleeps);
    }

    @Test
    void retries429_honouringRetryAfter() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        proxy.inject(FaultProxy.Fault.STATUS, "/manifests/", 429, 2);
        assertEquals(1, c.manifest("latest", Platform.forArch("amd64")).manifest().layers().size());
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(3)), sleeps);
    }

    @Test
    void gives500Error_afterRetriesWithBackOff() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        proxy.inject(FaultProxy.Fault.STATUS, "/blobs/" + layer.digest(), 500, 100);
        RegistryException e = assertThrows(RegistryException.class, () -> readAll(c, layer));
        assertTrue(e.getMessage().contains("registry error (HTTP 500)"), e.getMessage());
        // ENROOT_TRANSFER_RETRIES=2 in the test settings: request retries 1 s, 2 s, per attempt.
        assertTrue(sleeps.size() >= 2 && sleeps.get(0).equals(Duration.ofSeconds(1))
                && sleeps.get(1).equals(Duration.ofSeconds(2)), sleeps.toString());
    }

    @Test
    void recoversFrom500_onSecondAttempt() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        proxy.inject(FaultProxy.Fault.STATUS, "/blobs/" + layer.digest(), 500, 1);
        byte[] a = readAll(c, layer);
        assertEquals(layer.digest(), Digest.of(a));
        assertEquals(List.of(Duration.ofSeconds(1)), sleeps);
        proxy.inject(FaultProxy.Fault.NONE, "", 0, 0);
        assertArrayEquals(a, readAll(c, layer));
    }

    @Test
    void resumesStalledTransfer_afterStallTimeout() throws IOException {
        RegistrySettings s = reg.settings(tmp.resolve("cache"), Map.of("ENROOT_ALLOW_HTTP", "yes", "SQUASHROOT_STALL_TIMEOUT", "1"));
        RegistryClient c = new RegistryClient(new HttpTransport(s), Credentials.none(),
                ImageReference.parse("docker://" + proxy.hostPort() + "/test/busybox:latest"), sleeps::add);
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        proxy.inject(FaultProxy.Fault.STALL_MID_BLOB, "/blobs/" + layer.digest(), 0, 1);
        assertEquals(layer.digest(), Digest.of(readAll(c, layer)));
        assertTrue(proxy.log.stream().anyMatch(l -> l.contains(layer.digest() + " bytes=")), proxy.log.toString());
    }

    @Test
    void followsRedirect_toBlobStorageHost() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        proxy.inject(FaultProxy.Fault.REDIRECT, "/blobs/" + layer.digest(), 0, 1);
        assertEquals(layer.digest(), Digest.of(readAll(c, layer)));
        assertTrue(proxy.log.stream().anyMatch(l -> l.contains("storage=1")), proxy.log.toString());
    }

    @Test
    void import_keepsBlobDownloadsAtOnceToMaxConnections() throws IOException {
        // Every blob request is held back 500 ms, so parallel downloads overlap at the proxy.
        proxy.blobDelayMillis = 500;
        for (int limit : new int[] {1, 3}) {
            RegistrySettings s = reg.settings(tmp.resolve("cache-conn" + limit),
                    Map.of("ENROOT_ALLOW_HTTP", "yes", "ENROOT_MAX_CONNECTIONS", String.valueOf(limit)));
            proxy.maxBlobsInFlight.set(0);
            proxy.blobRequests.set(0);
            StoredImage img = ImageStore.open(s).pull("docker://" + proxy.hostPort() + "/test/whiteout:latest",
                    Platform.forArch("amd64"), ImportProgress.NONE);
            assertEquals(4, img.layersLowestFirst().size());
            assertEquals(5, proxy.blobRequests.get(), "the config and four layers, each once");
            assertEquals(limit, proxy.maxBlobsInFlight.get(), "most blob requests at once with ENROOT_MAX_CONNECTIONS=" + limit);
        }
    }

    /** The cache after a failed import: no layer, record, flat image or work file. */
    private static void assertCleanCache(Path cache) throws IOException {
        for (String dir : List.of("layers", "images", "flat", "pins", "tmp")) {
            try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(cache.resolve(dir))) {
                assertEquals(List.of(), s.toList(), dir + "/ after a failed import");
            }
        }
    }

    private static IOException failedImport(RegistrySettings s, String uri, Path out, long withinSeconds) {
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> ImageStore.open(s).importFlat(uri, Platform.forArch("amd64"), out, ImportProgress.NONE));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(seconds < withinSeconds, "failed after " + seconds + " s: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(java.nio.file.Files.exists(out));
        return e;
    }

    @Test
    void import_failsAtTransferTimeout_whenBlobStalls_andLeavesCleanCache() throws IOException {
        Path cache = tmp.resolve("cache-transfer");
        RegistrySettings s = reg.settings(cache, Map.of("ENROOT_ALLOW_HTTP", "yes", "ENROOT_TRANSFER_TIMEOUT", "2",
                "ENROOT_TRANSFER_RETRIES", "0"));
        Descriptor layer = client("test/busybox:latest").manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        proxy.stallMillis = 30_000; // far beyond the timeout: only ENROOT_TRANSFER_TIMEOUT can end it
        proxy.inject(FaultProxy.Fault.STALL_MID_BLOB, "/blobs/" + layer.digest(), 0, 100);
        IOException e = failedImport(s, "docker://" + proxy.hostPort() + "/test/busybox:latest", tmp.resolve("stalled.sqsh"), 10);
        assertTrue(e.getMessage().contains(proxy.hostPort() + "/test/busybox: blob " + layer.digest()
                + ": transfer timeout (ENROOT_TRANSFER_TIMEOUT) at byte "), e.getMessage());
        assertCleanCache(cache);
    }

    @Test
    void import_failsWithOneLineAndCleanCache_forErrorAnswersAndBrokenBlobs() throws IOException {
        Descriptor layer = client("test/busybox:latest").manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        String uri = "docker://" + proxy.hostPort() + "/test/busybox:latest";
        record Case(String name, FaultProxy.Fault fault, int status, String expected) {
        }
        for (Case c : List.of(
                new Case("401", FaultProxy.Fault.STATUS, 401, "HTTP 401"),
                new Case("403", FaultProxy.Fault.STATUS, 403, "HTTP 403"),
                new Case("404", FaultProxy.Fault.STATUS, 404, "HTTP 404"),
                new Case("429", FaultProxy.Fault.STATUS, 429, "HTTP 429"),
                new Case("500", FaultProxy.Fault.STATUS, 500, "HTTP 500"),
                new Case("drop", FaultProxy.Fault.DROP_MID_BLOB, 0, "at byte "),
                new Case("corrupt", FaultProxy.Fault.CORRUPT_BLOB, 0, "digest mismatch"))) {
            Path cache = tmp.resolve("cache-answer-" + c.name());
            RegistrySettings s = reg.settings(cache, Map.of("ENROOT_ALLOW_HTTP", "yes", "ENROOT_TRANSFER_RETRIES", "0"));
            proxy.inject(c.fault(), "/blobs/" + layer.digest(), c.status(), 100);
            IOException e = failedImport(s, uri, tmp.resolve("answer-" + c.name() + ".sqsh"), 30);
            assertTrue(e.getMessage().contains(proxy.hostPort() + "/test/busybox: blob " + layer.digest()), c.name() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(c.expected()), c.name() + ": " + e.getMessage());
            assertCleanCache(cache);
        }
    }

    @Test
    void import_failsWithinConnectTimeout_whenRegistryAcceptsButNeverAnswers() throws IOException {
        Path cache = tmp.resolve("cache-silent");
        RegistrySettings s = reg.settings(cache, Map.of("ENROOT_ALLOW_HTTP", "yes", "ENROOT_CONNECT_TIMEOUT", "1",
                "ENROOT_TRANSFER_RETRIES", "0"));
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String host = "127.0.0.1:" + silent.getLocalPort(); // the kernel accepts; nobody answers
            IOException e = failedImport(s, "docker://" + host + "/test/busybox:latest", tmp.resolve("silent.sqsh"), 10);
            assertEquals("registry http://" + host + ": request timed out: no answer in time"
                    + " (the wait is twice ENROOT_CONNECT_TIMEOUT)", e.getMessage());
        }
        assertCleanCache(cache);
    }

    @Test
    void import_failsAtConnectTimeout_whenConnectionIsNeverEstablished() throws IOException {
        Path cache = tmp.resolve("cache-connect");
        RegistrySettings s = reg.settings(cache, Map.of("ENROOT_ALLOW_HTTP", "yes", "ENROOT_CONNECT_TIMEOUT", "1",
                "ENROOT_TRANSFER_RETRIES", "0"));
        List<java.net.Socket> fill = new java.util.ArrayList<>();
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            // Never accepted, the backlog fills up; then the kernel drops further SYNs, as a
            // firewalled or unreachable registry host does.
            while (fill.size() < 8) {
                java.net.Socket c = new java.net.Socket();
                try {
                    c.connect(full.getLocalSocketAddress(), 300);
                    fill.add(c);
                } catch (java.net.SocketTimeoutException t) {
                    c.close();
                    break;
                }
            }
            String host = "127.0.0.1:" + full.getLocalPort();
            IOException e = failedImport(s, "docker://" + host + "/test/busybox:latest", tmp.resolve("connect.sqsh"), 8);
            assertEquals("registry http://" + host + ": cannot connect to http://" + host
                    + ": connect timed out after 1 s (ENROOT_CONNECT_TIMEOUT)", e.getMessage());
        } finally {
            for (java.net.Socket c : fill) {
                c.close();
            }
        }
        assertCleanCache(cache);
    }

    @Test
    void tlsTrust_isReadOnlyForHttps_soABrokenCaFileAffectsOnlyTlsRegistries() throws Exception {
        Path bad = tmp.resolve("bad-ca.pem");
        java.nio.file.Files.writeString(bad, "not a certificate\n");
        Map<String, String> env = Map.of("SSL_CERT_FILE", bad.toString(), "ENROOT_TRANSFER_RETRIES", "0");
        RegistrySettings plain = reg.settings(tmp.resolve("cache-badca"), Map.of("ENROOT_ALLOW_HTTP", "yes", "SSL_CERT_FILE", bad.toString()));
        StoredImage img = ImageStore.open(plain).pull("docker://" + proxy.hostPort() + "/test/busybox:latest",
                Platform.forArch("amd64"), ImportProgress.NONE);
        assertEquals(1, img.layersLowestFirst().size());
        RegistrySettings tls = reg.settings(tmp.resolve("cache-badca-tls"), env);
        IOException e = assertThrows(IOException.class, () -> ImageStore.open(tls).pull(
                "docker://" + reg.https + "/test/busybox:latest", Platform.forArch("amd64"), ImportProgress.NONE));
        assertTrue(e.getMessage().contains(bad + ": not a PEM certificate file"), e.getMessage());
    }

    @Test
    void transportClose_endsItsClientsSelectorThreads() throws Exception {
        java.util.Set<Thread> others = selectorThreads(); // e.g. the proxy's own client
        RegistrySettings s = reg.settings(tmp.resolve("cache"), Map.of("ENROOT_ALLOW_HTTP", "yes"));
        HttpTransport t = new HttpTransport(s);
        RegistryClient c = new RegistryClient(t, Credentials.none(),
                ImageReference.parse("docker://" + proxy.hostPort() + "/test/busybox:latest"), sleeps::add);
        c.manifest("latest", Platform.forArch("amd64"));
        java.util.Set<Thread> ours = selectorThreads();
        ours.removeAll(others);
        assertEquals(1, ours.size(), "one plain-http client: " + ours);
        t.close();
        for (Thread th : ours) {
            th.join(5000);
            assertFalse(th.isAlive(), th.getName() + " still runs after close");
        }
        for (Thread th : others) {
            assertTrue(th.isAlive(), "another client's " + th.getName() + " was stopped too");
        }
    }

    private static java.util.Set<Thread> selectorThreads() {
        java.util.Set<Thread> out = new java.util.HashSet<>();
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            if (th.getName().matches("HttpClient-\\d+-SelectorManager")) {
                out.add(th);
            }
        }
        return out;
    }

    @Test
    void stream_notDrainedTwice() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        try (InputStream in = new BlobStream(c, layer, n -> { })) {
            in.transferTo(OutputStream.nullOutputStream());
            assertEquals(-1, in.read());
        }
    }
}
