package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The HTTP clients of one import: one verifying and one insecure (for listed registries only),
 * each for HTTP/2 (negotiated by ALPN over TLS) and HTTP/1.1 (plain http, where Java's h2c
 * upgrade attempt only confuses registries). Redirects are followed here, not by the JDK, so that
 * credentials are never forwarded to another host (blob storage rejects a request that carries
 * both a signed URL and an Authorization header) and https is never downgraded silently.
 *
 * <p>TLS is set up only when an https URL is first asked for: building the verifying context
 * reads the JDK's CAs plus SSL_CERT_FILE and SSL_CERT_DIR (hundreds of certificates on a
 * typical host, about a second of CPU), which an import from a plain-http registry, or a
 * re-import that only fetches a manifest, should not pay for.
 */
final class HttpTransport implements AutoCloseable {

    static final int MAX_REDIRECTS = 10;

    record Answer(int status, HttpResponse<InputStream> response, URI uri) {
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    private final RegistrySettings settings;
    private final HttpPolicy policy;
    private SSLContext verifying;
    private final Map<String, HttpClient> clients = new java.util.HashMap<>();
    /** The JDK names each client's selector thread after the id that ends its toString(). */
    private static final java.util.regex.Pattern CLIENT_ID = java.util.regex.Pattern.compile("\\((\\d+)\\)$");
    private final java.util.Set<String> selectorThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService executor;

    HttpTransport(RegistrySettings settings) throws IOException {
        this.settings = settings;
        this.policy = new HttpPolicy(settings);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "squashroot-http");
            t.setDaemon(true);
            return t;
        });
    }

    HttpPolicy policy() {
        return policy;
    }

    RegistrySettings settings() {
        return settings;
    }

    /** The client for one URL scheme and TLS mode; plain http gets one that can do no TLS at all. */
    private synchronized HttpClient client(boolean tls, boolean verifyTls, boolean http2) throws IOException {
        String key = !tls ? "plain" : verifyTls + "/" + http2;
        HttpClient c = clients.get(key);
        if (c == null) {
            SSLContext ctx;
            if (!tls) {
                ctx = TlsTrust.none();
            } else if (verifyTls) {
                if (verifying == null) {
                    verifying = TlsTrust.verifying(settings.caFile(), settings.caDir());
                }
                ctx = verifying;
            } else {
                ctx = TlsTrust.insecure();
            }
            HttpClient.Builder b = HttpClient.newBuilder()
                    .executor(executor)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(http2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                    .sslContext(ctx);
            if (settings.connectTimeout() != null) {
                b.connectTimeout(settings.connectTimeout());
            }
            c = b.build();
            clients.put(key, c);
            java.util.regex.Matcher m = CLIENT_ID.matcher(c.toString());
            if (m.find()) {
                selectorThreads.add("HttpClient-" + m.group(1) + "-SelectorManager");
            }
        }
        return c;
    }

    /**
     * GETs (or HEADs) {@code uri}, following redirects. {@code auth} is sent only to the
     * endpoint's own host. The caller closes the body of the returned answer.
     */
    Answer get(Endpoint ep, URI uri, String auth, Map<String, String> headers, boolean head) throws IOException {
        return get(ep, uri, auth, headers, head, null);
    }

    /** As above, with {@code timeout} (if not null) for the response headers instead of the default. */
    Answer get(Endpoint ep, URI uri, String auth, Map<String, String> headers, boolean head, Duration timeout)
            throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            boolean sameHost = current.getScheme().equals(ep.base().getScheme())
                    && current.getAuthority().equalsIgnoreCase(ep.base().getAuthority());
            boolean verify = sameHost ? ep.verifyTls() : policy.verifyTlsFor(current);
            boolean http2 = "https".equals(current.getScheme());
            HttpRequest.Builder rb = HttpRequest.newBuilder(current).method(head ? "HEAD" : "GET",
                    HttpRequest.BodyPublishers.noBody());
            // The request timeout bounds the wait for the response headers; the body has its own
            // stall and transfer limits in BlobStream.
            rb.timeout(timeout != null ? timeout
                    : settings.connectTimeout() == null ? Duration.ofMinutes(10) : settings.connectTimeout().multipliedBy(2));
            headers.forEach(rb::header);
            if (auth != null && sameHost) {
                rb.header("Authorization", auth);
            }
            HttpResponse<InputStream> r;
            try {
                r = client("https".equals(current.getScheme()), verify, http2).send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted: " + current);
            }
            int st = r.statusCode();
            if (st == 301 || st == 302 || st == 303 || st == 307 || st == 308) {
                r.body().close();
                String loc = r.headers().firstValue("Location").orElse(null);
                if (loc == null) {
                    throw new RegistryException(current + ": redirect (" + st + ") without Location", st);
                }
                URI next = current.resolve(loc);
                if (!policy.allowsRedirect(ep, next)) {
                    throw new RegistryException(current + ": refusing redirect from https to " + next, st);
                }
                current = next;
                continue;
            }
            return new Answer(st, r, current);
        }
        throw new RegistryException(uri + ": more than " + MAX_REDIRECTS + " redirects", 0);
    }

    /**
     * Stops the executor and our clients' selector threads. Java 17's HttpClient has no close();
     * its selector thread idles in epoll until the client is collected, and a JVM exiting with a
     * thread in native code waits 300 ms for it, which was a fifth of a cached re-import's time.
     * An interrupt ends that thread's loop (the selector wakes up and the manager shuts down).
     */
    @Override
    public void close() {
        executor.shutdownNow();
        if (selectorThreads.isEmpty()) {
            return;
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (selectorThreads.contains(t.getName())) {
                t.interrupt();
            }
        }
    }
}
