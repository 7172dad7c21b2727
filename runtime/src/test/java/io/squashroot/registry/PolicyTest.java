package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings, HTTP policy, WWW-Authenticate and the credentials file: pure logic. */
class PolicyTest {

    private static RegistrySettings settings(Map<String, String> env) {
        return RegistrySettings.fromEnvironment(k -> k.equals("HOME") ? "/home/u" : env.get(k));
    }

    private static String endpoints(RegistrySettings s, String reg) {
        return new HttpPolicy(s).endpoints(reg).stream().map(Endpoint::toString).collect(Collectors.joining(" | "));
    }

    @Test
    void enrootAllowHttp_followsEnrootBooleanRule() {
        for (String off : new String[] {"", "n", "no", "N", "NO", "No", "f", "false", "F", "FALSE"}) {
            assertFalse(settings(Map.of("ENROOT_ALLOW_HTTP", off)).allowHttp(), off);
        }
        for (String on : new String[] {"y", "yes", "1", "true", "anything"}) {
            assertTrue(settings(Map.of("ENROOT_ALLOW_HTTP", on)).allowHttp(), on);
        }
    }

    @Test
    void endpoints_perRegistryPolicy() {
        RegistrySettings s = settings(Map.of("SQUASHROOT_INSECURE_REGISTRIES", "inhouse:5000, lab.example",
                "SQUASHROOT_REGISTRY_MIRRORS", "docker.io=http://mirror:5000,https://m2.example"));
        assertEquals("https://nvcr.io", endpoints(s, "nvcr.io"));
        assertEquals("https://inhouse:5000 (TLS unverified) | http://inhouse:5000", endpoints(s, "inhouse:5000"));
        assertEquals("https://lab.example:443 (TLS unverified) | http://lab.example:443", endpoints(s, "lab.example:443"));
        assertEquals("https://inhouse:5001", endpoints(s, "inhouse:5001"));
        assertEquals("http://mirror:5000 (mirror) | https://m2.example (mirror) | https://registry-1.docker.io",
                endpoints(s, "registry-1.docker.io"));
        assertEquals("http://nvcr.io", endpoints(settings(Map.of("ENROOT_ALLOW_HTTP", "y")), "nvcr.io"));
    }

    @Test
    void redirects_neverDowngradeToHttp() {
        RegistrySettings s = settings(Map.of());
        HttpPolicy p = new HttpPolicy(s);
        Endpoint tls = new Endpoint(URI.create("https://r.example"), true, false);
        assertTrue(p.allowsRedirect(tls, URI.create("https://s3.example/blob?sig=1")));
        assertFalse(p.allowsRedirect(tls, URI.create("http://s3.example/blob")));
        assertFalse(p.allowsRedirect(tls, URI.create("file:///etc/passwd")));
    }

    @Test
    void settings_rejectBadNumbersAndMirrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("ENROOT_MAX_CONNECTIONS", "many")));
        assertEquals("ENROOT_MAX_CONNECTIONS: not a non-negative integer: many", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> settings(Map.of("SQUASHROOT_REGISTRY_MIRRORS", "docker.io")));
        assertThrows(IllegalArgumentException.class, () -> settings(Map.of("SQUASHROOT_REGISTRY_MIRRORS", "docker.io=ftp://x")));
        assertEquals(64, settings(Map.of("ENROOT_MAX_CONNECTIONS", "0")).maxConnections());
        assertEquals(Path.of("/home/u/.cache/enroot/squashroot"), settings(Map.of()).cacheDir());
        assertEquals(Path.of("/home/u/.config/enroot/.credentials"), settings(Map.of()).credentialsFile());
    }

    @Test
    void parsesBearerChallenge_withCommasInQuotes() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/ubuntu:pull,push\"");
        assertTrue(c.isBearer());
        assertEquals("https://auth.docker.io/token", c.params().get("realm"));
        assertEquals("repository:library/ubuntu:pull,push", c.params().get("scope"));
        assertTrue(AuthChallenge.parse("Basic realm=\"Registry Realm\"").isBasic());
    }

    @Test
    void readsCredentials_withShellExpansionAndDefault(@TempDir Path dir) throws Exception {
        Path f = dir.resolve(".credentials");
        Files.write(f, List.of("# NGC", "machine nvcr.io login $oauthtoken password $(printf 'a b')",
                "machine authn.nvidia.com login $oauthtoken password plain", "default login anon password guest"),
                StandardCharsets.UTF_8);
        Credentials c = Credentials.load(f);
        assertEquals("a b", c.find("nvcr.io", "$oauthtoken").orElseThrow().password());
        assertEquals("$oauthtoken", c.loginFor("nvcr.io").orElseThrow());
        assertEquals("plain", c.forHost("authn.nvidia.com").orElseThrow().password());
        assertEquals("anon", c.forHost("elsewhere").orElseThrow().login());
        assertFalse(c.find("nvcr.io", "other").isPresent());
        assertFalse(c.find("nvcr.io", "$oauthtoken").orElseThrow().toString().contains("a b"));
    }
}
