package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against real registries: plain HTTP, HTTPS + basic auth (HTTP/2), bearer tokens. */
class RegistryClientTest {

    @TempDir
    static Path tmp;
    static TestRegistry reg;

    @BeforeAll
    static void up() throws Exception {
        reg = TestRegistry.start(tmp.resolve("reg"));
    }

    @AfterAll
    static void down() throws IOException {
        if (reg != null) {
            reg.close();
        }
    }

    private static RegistryClient client(String uri, Map<String, String> env) throws IOException {
        RegistrySettings s = reg.settings(tmp.resolve("cache"), env);
        return new RegistryClient(new HttpTransport(s), Credentials.load(s.credentialsFile()),
                ImageReference.parse(uri), d -> { });
    }

    @Test
    void fetchesDockerManifest_overPlainHttpWhenEnrootAllowHttp() throws IOException {
        RegistryClient c = client("docker://" + reg.http + "/test/busybox:latest", Map.of("ENROOT_ALLOW_HTTP", "y"));
        RegistryClient.Fetched m = c.manifest("latest", Platform.forArch("amd64"));
        assertEquals(MediaTypes.DOCKER_MANIFEST, m.manifest().mediaType());
        assertEquals(1, m.manifest().layers().size());
        assertTrue(c.endpoint().isHttp());
        byte[] config = c.smallBlob(m.manifest().config());
        assertTrue(new String(config, StandardCharsets.UTF_8).contains("TESTIMAGE=busybox"));
    }

    @Test
    void fetchesOciManifest_withAcceptHeaders() throws IOException {
        RegistryClient c = client("docker://" + reg.http + "/test/busybox:oci", Map.of("ENROOT_ALLOW_HTTP", "1"));
        RegistryClient.Fetched m = c.manifest("oci", Platform.forArch("amd64"));
        assertEquals(MediaTypes.OCI_MANIFEST, m.manifest().mediaType());
    }

    @Test
    void selectsPlatform_fromManifestListAndOciIndex() throws IOException {
        for (String tag : List.of("latest", "oci")) {
            RegistryClient c = client("docker://" + reg.http + "/test/multiarch:" + tag, Map.of("ENROOT_ALLOW_HTTP", "1"));
            RegistryClient.Fetched amd = c.manifest(tag, Platform.forArch("x86_64"));
            RegistryClient.Fetched arm = c.manifest(tag, Platform.forArch("aarch64"));
            assertFalse(amd.digest().equals(arm.digest()), tag);
            String armConfig = new String(c.smallBlob(arm.manifest().config()), StandardCharsets.UTF_8);
            assertTrue(armConfig.contains("\"architecture\":\"arm64\""), armConfig);
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.manifest(tag, Platform.forArch("ppc64le")));
            assertTrue(e.getMessage().contains("no image for linux/ppc64le"), e.getMessage());
        }
    }

    @Test
    void refusesPlainHttp_withoutPolicy() throws IOException {
        RegistryClient c = client("docker://" + reg.http + "/test/busybox:latest", Map.of());
        RegistryException e = assertThrows(RegistryException.class, c::ping);
        assertTrue(e.getMessage().contains("https://" + reg.http), e.getMessage());
    }

    @Test
    void fallsBackToHttp_forInsecureRegistryOnly() throws IOException {
        Map<String, String> env = Map.of("SQUASHROOT_INSECURE_REGISTRIES", reg.http);
        RegistryClient insecure = client("docker://" + reg.http + "/test/busybox:latest", env);
        insecure.ping();
        assertTrue(insecure.endpoint().isHttp());
        // The same settings keep TLS verified for the other registry in the same run.
        reg.writeCredentials(List.of("machine localhost login testuser password testpass"));
        RegistryClient tls = client("docker://testuser@" + reg.https + "/test/busybox:latest", env);
        tls.manifest("latest", Platform.forArch("amd64"));
        assertEquals("https", tls.endpoint().base().getScheme());
        assertTrue(tls.endpoint().verifyTls());
    }

    @Test
    void basicAuth_worksOverHttp2() throws IOException {
        reg.writeCredentials(List.of("machine localhost login testuser password testpass"));
        RegistryClient c = client("docker://testuser@" + reg.https + "/test/busybox:latest", Map.of());
        RegistryClient.Fetched m = c.manifest("latest", Platform.forArch("amd64"));
        assertEquals(HttpClient.Version.HTTP_2, c.version());
        assertEquals(1, m.manifest().layers().size());
    }

    @Test
    void basicAuth_infersUserFromCredentialsFile() throws IOException {
        reg.writeCredentials(List.of("machine localhost login testuser password $(echo testpass)"));
        RegistryClient c = client("docker://" + reg.https + "/test/busybox:oci", Map.of());
        assertEquals(MediaTypes.OCI_MANIFEST, c.manifest("oci", Platform.forArch("amd64")).manifest().mediaType());
    }

    @Test
    void basicAuth_failsWithOneLine_onWrongPassword() throws IOException {
        reg.writeCredentials(List.of("machine localhost login testuser password wrong"));
        RegistryClient c = client("docker://testuser@" + reg.https + "/test/busybox:latest", Map.of());
        RegistryException e = assertThrows(RegistryException.class, () -> c.manifest("latest", Platform.forArch("amd64")));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().startsWith(reg.https + "/test/busybox: manifest latest"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void rejectsUnknownCa_withoutSslCertFile() throws IOException {
        RegistryClient c = client("docker://" + reg.https + "/test/busybox:latest", Map.of("SSL_CERT_FILE", ""));
        RegistryException e = assertThrows(RegistryException.class, c::ping);
        assertTrue(e.getMessage().contains("TLS failure"), e.getMessage());
    }

    @Test
    void trustsCa_fromSslCertDir() throws IOException {
        reg.writeCredentials(List.of("machine localhost login testuser password testpass"));
        RegistryClient c = client("docker://testuser@" + reg.https + "/test/busybox:latest",
                Map.of("SSL_CERT_FILE", "", "SSL_CERT_DIR", reg.env.get("REGISTRY_CERT_DIR")));
        c.manifest("latest", Platform.forArch("amd64"));
        assertTrue(c.endpoint().verifyTls());
    }

    @Test
    void acceptsUnknownCa_forInsecureRegistry() throws IOException {
        reg.writeCredentials(List.of("machine localhost login testuser password testpass"));
        RegistryClient c = client("docker://testuser@" + reg.https + "/test/busybox:latest",
                Map.of("SSL_CERT_FILE", "", "SQUASHROOT_INSECURE_REGISTRIES", "localhost"));
        c.manifest("latest", Platform.forArch("amd64"));
        assertEquals("https", c.endpoint().base().getScheme());
    }

    @Test
    void bearerToken_anonymousPull() throws IOException {
        reg.writeCredentials(List.of());
        RegistryClient c = client("docker://" + reg.token + "/test/busybox:latest", Map.of());
        RegistryClient.Fetched m = c.manifest("latest", Platform.forArch("amd64"));
        try (InputStream in = new BlobStream(c, m.manifest().layers().get(0), n -> { })) {
            assertEquals(m.manifest().layers().get(0).size(), in.transferTo(java.io.OutputStream.nullOutputStream()));
        }
    }

    @Test
    void bearerToken_usesRealmHostEntry() throws IOException {
        // The registry host's entry enables the file; the token request uses the realm host's
        // entry (127.0.0.1 here): a wrong password there is what the token server sees.
        reg.writeCredentials(List.of("machine localhost login testuser password testpass",
                "machine 127.0.0.1 login testuser password wrong"));
        RegistryClient bad = client("docker://" + reg.token + "/test/busybox:latest", Map.of());
        RegistryException e = assertThrows(RegistryException.class, () -> bad.manifest("latest", Platform.forArch("amd64")));
        assertTrue(e.getMessage().contains("token from 127.0.0.1"), e.getMessage());
        assertEquals(401, e.status());
        reg.writeCredentials(List.of("machine localhost login testuser password testpass",
                "machine 127.0.0.1 login testuser password testpass"));
        RegistryClient good = client("docker://" + reg.token + "/test/busybox:latest", Map.of());
        assertEquals(1, good.manifest("latest", Platform.forArch("amd64")).manifest().layers().size());
    }

    @Test
    void reportsMissingTag_with404() throws IOException {
        RegistryClient c = client("docker://" + reg.http + "/test/busybox:nope", Map.of("ENROOT_ALLOW_HTTP", "1"));
        RegistryException e = assertThrows(RegistryException.class, () -> c.manifest("nope", Platform.forArch("amd64")));
        assertEquals(404, e.status());
        assertEquals(reg.http + "/test/busybox: manifest nope: not found (HTTP 404)", e.getMessage());
    }

    @Test
    void refusesUserWithoutPassword_insteadOfPrompting() throws IOException {
        reg.writeCredentials(List.of());
        RegistryClient c = client("docker://someone@" + reg.https + "/test/busybox:latest", Map.of());
        RegistryException e = assertThrows(RegistryException.class, () -> c.manifest("latest", Platform.forArch("amd64")));
        assertTrue(e.getMessage().contains("no password for user someone"), e.getMessage());
    }

    @Test
    void triesMirrorFirst_thenFallsBackToUpstream() throws IOException {
        reg.writeCredentials(List.of("machine localhost login testuser password testpass"));
        int dead = TestRegistry.freePort();
        RegistryClient viaDeadMirror = client("docker://testuser@" + reg.https + "/test/busybox:latest",
                Map.of("SQUASHROOT_REGISTRY_MIRRORS", reg.https + "=http://127.0.0.1:" + dead));
        viaDeadMirror.manifest("latest", Platform.forArch("amd64"));
        assertFalse(viaDeadMirror.endpoint().mirror());
        RegistryClient viaMirror = client("docker://registry-1.docker.io/test/busybox:latest",
                Map.of("SQUASHROOT_REGISTRY_MIRRORS", "docker.io=http://" + reg.http));
        viaMirror.manifest("latest", Platform.forArch("amd64"));
        assertTrue(viaMirror.endpoint().mirror());
    }
}
