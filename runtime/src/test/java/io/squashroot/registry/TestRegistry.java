package io.squashroot.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real registries for tests: Debian's docker-registry over plain HTTP, over HTTPS with our own CA
 * and basic auth, and with bearer tokens from testdata/registry/token-server.py, on free loopback
 * ports, with the test images of testdata/registry/make-test-images.sh pushed into them.
 * Started in @BeforeAll, stopped in @AfterAll by the test classes that use it.
 */
final class TestRegistry implements AutoCloseable {

    final Path dir;
    final Map<String, String> env = new HashMap<>();
    final String http;
    final String https;
    final String token;

    private TestRegistry(Path dir) throws IOException {
        this.dir = dir;
        for (String line : Files.readAllLines(dir.resolve("registry.env"), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        http = env.get("REGISTRY_HTTP");
        https = env.get("REGISTRY_HTTPS");
        token = env.get("REGISTRY_TOKEN");
    }

    static Path testdata() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("testdata/registry"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("testdata/registry not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("testdata/registry");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the three registries and pushes the images (all to http; busybox to https and token). */
    static TestRegistry start(Path dir) throws IOException, InterruptedException {
        Map<String, String> ports = Map.of(
                "REGISTRY_HTTP_PORT", String.valueOf(freePort()),
                "REGISTRY_HTTPS_PORT", String.valueOf(freePort()),
                "REGISTRY_TOKEN_PORT", String.valueOf(freePort()),
                "TOKEN_SERVER_PORT", String.valueOf(freePort()));
        run(ports, dir, testdata().resolve("registry-up.sh").toString(), dir.toString());
        TestRegistry r = new TestRegistry(dir);
        run(Map.of(), dir, testdata().resolve("make-test-images.sh").toString(), dir.resolve("img-http").toString(), r.http);
        Map<String, String> tls = Map.of("REGISTRY_TLS_VERIFY", "true",
                "REGISTRY_CREDS", r.env.get("REGISTRY_USER") + ":" + r.env.get("REGISTRY_PASSWORD"),
                "REGISTRY_CERT_DIR", r.env.get("REGISTRY_CERT_DIR"),
                "PUSH_ONLY", "busybox:latest busybox:oci");
        run(tls, dir, testdata().resolve("make-test-images.sh").toString(), dir.resolve("img-https").toString(), r.https);
        run(tls, dir, testdata().resolve("make-test-images.sh").toString(), dir.resolve("img-token").toString(), r.token);
        return r;
    }

    static void run(Map<String, String> env, Path dir, String... cmd) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve("script.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + Files.readString(log));
        }
    }

    /** Settings for tests: our CA trusted, credentials file given, cache in {@code cache}. */
    RegistrySettings settings(Path cache, Map<String, String> extra) {
        Map<String, String> e = new HashMap<>();
        e.put("HOME", dir.toString());
        e.put("SSL_CERT_FILE", env.get("REGISTRY_CA"));
        e.put("SQUASHROOT_CACHE_PATH", cache.toString());
        e.put("ENROOT_CONFIG_PATH", dir.resolve("enroot-config").toString());
        e.put("ENROOT_TRANSFER_RETRIES", "2");
        e.putAll(extra);
        return RegistrySettings.fromEnvironment(e::get);
    }

    void writeCredentials(List<String> lines) throws IOException {
        Path f = dir.resolve("enroot-config/.credentials");
        Files.createDirectories(f.getParent());
        Files.write(f, lines, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        try {
            run(Map.of(), dir, testdata().resolve("registry-down.sh").toString(), dir.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
