package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void stream_notDrainedTwice() throws IOException {
        RegistryClient c = client("test/busybox:latest");
        Descriptor layer = c.manifest("latest", Platform.forArch("amd64")).manifest().layers().get(0);
        try (InputStream in = new BlobStream(c, layer, n -> { })) {
            in.transferTo(OutputStream.nullOutputStream());
            assertEquals(-1, in.read());
        }
    }
}
