package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Talks to one repository of one registry (distribution spec v2): endpoint selection (mirrors,
 * https, the insecure http fallback), the token and basic-auth dance, manifests, and blob
 * requests with retries. Blob bodies are streamed by {@link BlobStream}, which calls back into
 * {@link #openBlob} to resume by range.
 *
 * <p>Thread-safe: layer downloads run in parallel on one client; the authorisation header is
 * refreshed under the client's lock when a token expires (a 401 in the middle of a pull).
 */
public final class RegistryClient {

    /** Configs and token answers larger than this are refused (real ones are a few KiB). */
    static final int MAX_SMALL_BLOB = 16 << 20;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long /v2/ may take on an endpoint that has a fallback after it. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /** A manifest document and the digest it was verified against (or computed from). */
    record Fetched(byte[] body, String mediaType, Digest digest, Manifest manifest) {
    }

    private final HttpTransport transport;
    private final Credentials credentials;
    private final ImageReference ref;
    private final Sleeper sleeper;
    private final List<Endpoint> endpoints;
    private final String user;
    private int active = -1;
    private volatile String authorization;
    private HttpClient.Version version;

    RegistryClient(HttpTransport transport, Credentials credentials, ImageReference ref, Sleeper sleeper) {
        this.transport = transport;
        this.credentials = credentials;
        this.ref = ref;
        this.sleeper = sleeper;
        this.endpoints = transport.policy().endpoints(ref.registry());
        // enroot infers USER@ from the credentials file when the URI has none.
        this.user = ref.user() != null ? ref.user() : credentials.loginFor(ref.registryHost()).orElse(null);
    }

    private String where() {
        return ref.registry() + "/" + ref.repository();
    }

    /** The endpoint in use (after {@link #ping}). */
    synchronized Endpoint endpoint() {
        return active < 0 ? null : endpoints.get(active);
    }

    /** The HTTP version the endpoint answered /v2/ with (HTTP/2 over TLS where the server has it). */
    synchronized HttpClient.Version version() {
        return version;
    }

    /**
     * Finds the first endpoint that answers {@code /v2/} and authenticates with it. An endpoint
     * that cannot be reached (connection refused, TLS failure, 5xx) hands over to the next one.
     */
    synchronized void ping() throws IOException {
        IOException failure = null;
        for (int i = Math.max(active, 0); i < endpoints.size(); i++) {
            Endpoint ep = endpoints.get(i);
            try {
                // With another endpoint to fall back to, a refused connection moves on at once.
                boolean last = i == endpoints.size() - 1;
                // A server that never answers the TLS handshake (plain HTTP behind an insecure
                // entry) must not hold up the fallback for the full request timeout either.
                Duration limit = last ? null : PROBE_TIMEOUT;
                HttpTransport.Answer a = retrying(() -> transport.get(ep, ep.resolve("/v2/"), null, Map.of(), false, limit),
                        "registry " + ep.base(), ep, last);
                a.response().body().close();
                if (a.status() == 401) {
                    active = i;
                    version = a.response().version();
                    authenticate(a.header("WWW-Authenticate"), ep, ref.registry());
                    return;
                }
                if (a.status() / 100 == 2) {
                    active = i;
                    version = a.response().version();
                    authorization = null;
                    return;
                }
                failure = new RegistryException(ref.registry() + ": " + ep.base() + "/v2/ answered HTTP "
                        + a.status() + ", not a registry", a.status());
            } catch (RegistryException e) {
                if (e.status() == 401 || e.status() == 403) {
                    throw e;
                }
                failure = e;
            } catch (IOException e) {
                failure = new RegistryException(ref.registry() + ": cannot reach " + ep.base() + ": " + describe(e), e);
            }
        }
        throw failure;
    }

    /** Moves to the next endpoint after a mirror failed; false if there is none. */
    private synchronized boolean fallBack(Endpoint failed) throws IOException {
        if (!failed.mirror() || endpoints.indexOf(failed) != active || active + 1 >= endpoints.size()) {
            return false;
        }
        active++;
        authorization = null;
        ping();
        return true;
    }

    /** Fetches the manifest for {@code reference} (tag or digest) and, for an index, the one for {@code platform}. */
    Fetched manifest(String reference, Platform platform) throws IOException {
        Fetched top = manifestOnce(reference);
        if (!top.manifest().isIndex()) {
            return top;
        }
        Descriptor pick;
        try {
            pick = top.manifest().select(platform, where() + ":" + reference);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(e.getMessage(), 0);
        }
        Fetched m = manifestOnce(pick.digest().toString());
        if (m.manifest().isIndex()) {
            throw new RegistryException(where() + ": index entry " + pick.digest() + " is itself an index", 0);
        }
        return m;
    }

    private Fetched manifestOnce(String reference) throws IOException {
        String what = where() + ": manifest " + reference;
        while (true) {
            Endpoint ep = current();
            try {
                HttpTransport.Answer a = request(ep, "/v2/" + ref.repository() + "/manifests/" + reference,
                        Map.of("Accept", MediaTypes.ACCEPT_ALL), what);
                byte[] body;
                try (InputStream in = a.response().body()) {
                    body = in.readNBytes(Manifest.MAX_SIZE + 1);
                }
                if (body.length > Manifest.MAX_SIZE) {
                    throw new RegistryException(what + ": larger than " + Manifest.MAX_SIZE + " bytes", 0);
                }
                Digest d = Digest.of(body);
                if (reference.startsWith("sha256:") && !d.toString().equals(reference)) {
                    throw new RegistryException(what + ": digest mismatch, content is " + d, 0);
                }
                String ct = a.header("Content-Type");
                try {
                    return new Fetched(body, ct, d, Manifest.parse(body, ct, what));
                } catch (IllegalArgumentException e) {
                    throw new RegistryException(e.getMessage(), 0);
                }
            } catch (IOException e) {
                if (!fallBack(ep)) {
                    throw e;
                }
            }
        }
    }

    /** A small blob (the image config), read whole and verified. */
    byte[] smallBlob(Descriptor d) throws IOException {
        String what = where() + ": blob " + d.digest();
        if (d.size() > MAX_SMALL_BLOB) {
            throw new RegistryException(what + ": config of " + d.size() + " bytes exceeds " + MAX_SMALL_BLOB, 0);
        }
        while (true) {
            Endpoint ep = current();
            try {
                HttpTransport.Answer a = request(ep, "/v2/" + ref.repository() + "/blobs/" + d.digest(), Map.of(), what);
                byte[] body;
                try (InputStream in = a.response().body()) {
                    body = in.readNBytes(MAX_SMALL_BLOB + 1);
                }
                Digest got = Digest.of(body);
                if (!got.equals(d.digest()) || body.length != d.size()) {
                    throw new RegistryException(what + ": digest mismatch (received " + body.length
                            + " bytes with digest " + got + ")", 0);
                }
                return body;
            } catch (IOException e) {
                if (!fallBack(ep)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Opens a blob at {@code offset} (a Range request when non-zero). The answer is 206 if the
     * server honoured the range, 200 if it sends the whole blob again.
     */
    HttpTransport.Answer openBlob(Digest digest, long offset) throws IOException {
        String what = where() + ": blob " + digest;
        Map<String, String> h = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        while (true) {
            Endpoint ep = current();
            try {
                return request(ep, "/v2/" + ref.repository() + "/blobs/" + digest, h, what);
            } catch (IOException e) {
                if (!fallBack(ep)) {
                    throw e;
                }
            }
        }
    }

    private synchronized Endpoint current() throws IOException {
        if (active < 0) {
            ping();
        }
        return endpoints.get(active);
    }

    /** One GET with retries (I/O errors, 429, 5xx) and one re-authentication on 401. */
    private HttpTransport.Answer request(Endpoint ep, String path, Map<String, String> headers, String what)
            throws IOException {
        boolean reauthenticated = false;
        while (true) {
            String auth = authorization;
            HttpTransport.Answer a = retrying(() -> transport.get(ep, ep.resolve(path), auth, headers, false), what, ep);
            int st = a.status();
            if (st == 200 || st == 206) {
                return a;
            }
            a.response().body().close();
            if (st == 401 && !reauthenticated && a.header("WWW-Authenticate") != null) {
                reauthenticated = true;
                synchronized (this) {
                    if (auth == authorization) { // nobody refreshed it meanwhile
                        authenticate(a.header("WWW-Authenticate"), ep, what);
                    }
                }
                continue;
            }
            throw statusError(what, st, a);
        }
    }

    private RegistryException statusError(String what, int st, HttpTransport.Answer a) {
        String reason = switch (st) {
            case 401 -> "authentication required or refused";
            case 403 -> "access denied";
            case 404 -> "not found";
            case 416 -> "range not satisfiable";
            case 429 -> "too many requests";
            default -> st >= 500 ? "registry error" : "unexpected answer";
        };
        String hint = st == 401 && credentials.file() != null ? "; credentials are read from " + credentials.file() : "";
        return new RegistryException(what + ": " + reason + " (HTTP " + st + ")" + hint, st);
    }

    @FunctionalInterface
    private interface Call {
        HttpTransport.Answer run() throws IOException;
    }

    /** Runs {@code call}, retrying transport errors, 429 and 5xx with exponential back-off. */
    private HttpTransport.Answer retrying(Call call, String what, Endpoint ep) throws IOException {
        return retrying(call, what, ep, true);
    }

    private HttpTransport.Answer retrying(Call call, String what, Endpoint ep, boolean retryConnect) throws IOException {
        int retries = transport.settings().retries();
        for (int attempt = 0; ; attempt++) {
            HttpTransport.Answer a;
            try {
                a = call.run();
            } catch (javax.net.ssl.SSLException e) {
                // A certificate problem does not heal by retrying.
                throw new RegistryException(what + ": TLS failure with " + ep.base() + ": " + describe(e), e);
            } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
                if (attempt >= retries || !retryConnect) {
                    throw new RegistryException(what + ": cannot connect to " + ep.base() + ": " + describeTimeout(e), e);
                }
                backOff(attempt, null);
                continue;
            } catch (java.net.http.HttpTimeoutException e) {
                if (attempt >= retries || !retryConnect) {
                    throw new RegistryException(what + ": " + describeTimeout(e), e);
                }
                backOff(attempt, null);
                continue;
            } catch (IOException e) {
                if (attempt >= retries || !retryConnect) {
                    throw new RegistryException(what + ": " + describe(e), e);
                }
                backOff(attempt, null);
                continue;
            }
            int st = a.status();
            if ((st == 429 || st == 500 || st == 502 || st == 503 || st == 504) && attempt < retries) {
                a.response().body().close();
                backOff(attempt, a.header("Retry-After"));
                continue;
            }
            return a;
        }
    }

    void backOff(int attempt, String retryAfter) throws IOException {
        Duration d = Duration.ofSeconds(1L << Math.min(attempt, 5));
        if (d.compareTo(MAX_BACKOFF) > 0) {
            d = MAX_BACKOFF;
        }
        if (retryAfter != null) {
            try {
                long s = Long.parseLong(retryAfter.trim());
                d = Duration.ofSeconds(Math.max(0, Math.min(s, 60)));
            } catch (NumberFormatException ignored) {
                // An HTTP date: keep the computed back-off.
            }
        }
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(where() + ": interrupted during back-off");
        }
    }

    RegistrySettings settings() {
        return transport.settings();
    }

    String describeRepository() {
        return where();
    }

    // ---- authentication ----

    private Optional<Credentials.Login> registryLogin() throws IOException {
        if (user == null) {
            return Optional.empty();
        }
        Optional<Credentials.Login> l = credentials.find(ref.registryHost(), user);
        if (l.isEmpty()) {
            throw new RegistryException(ref.registry() + ": no password for user " + user + " in "
                    + credentials.file() + " (add: machine " + ref.registryHost() + " login " + user
                    + " password ...)", 0);
        }
        return l;
    }

    private void authenticate(String header, Endpoint ep, String what) throws IOException {
        if (header == null) {
            throw new RegistryException(ref.registry() + ": HTTP 401 without WWW-Authenticate", 401);
        }
        AuthChallenge c = AuthChallenge.parse(header);
        if (c.isBasic()) {
            Optional<Credentials.Login> l = registryLogin();
            if (l.isEmpty()) {
                throw new RegistryException(what + ": login required (HTTP 401, basic auth); add it to "
                        + (credentials.file() == null ? "the credentials file" : credentials.file().toString())
                        + " or use docker://USER@...", 401);
            }
            authorization = basic(l.get());
        } else if (c.isBearer()) {
            authorization = "Bearer " + token(c);
        } else {
            throw new RegistryException(ref.registry() + ": unsupported authentication method " + c.scheme(), 401);
        }
    }

    private static String basic(Credentials.Login l) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (l.login() + ":" + l.password()).getBytes(StandardCharsets.UTF_8));
    }

    private String token(AuthChallenge c) throws IOException {
        String realm = c.params().get("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryException(ref.registry() + ": could not parse authentication realm", 401);
        }
        URI realmUri = URI.create(realm);
        if (!"https".equals(realmUri.getScheme()) && !"http".equals(realmUri.getScheme())) {
            throw new RegistryException(ref.registry() + ": token realm is not an http(s) URL: " + realm, 401);
        }
        StringBuilder q = new StringBuilder();
        String service = c.params().get("service");
        if (service != null) {
            q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        String scope = c.params().getOrDefault("scope", "repository:" + ref.repository() + ":pull");
        q.append(q.length() > 0 ? "&" : "").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
        // enroot hands the credentials file to curl for the token request, so the entry that
        // counts is the realm host's (registryLogin() only decides whether the file is used).
        String auth = null;
        if (registryLogin().isPresent()) {
            Optional<Credentials.Login> l = credentials.forHost(realmUri.getHost());
            if (l.isPresent()) {
                auth = basic(l.get());
            }
        }
        Endpoint tokenEp = new Endpoint(URI.create(realmUri.getScheme() + "://" + realmUri.getRawAuthority()),
                transport.policy().verifyTlsFor(realmUri), false);
        if (tokenEp.isHttp() && !transport.settings().allowHttp() && !transport.settings().isInsecure(realmUri.getAuthority())) {
            throw new RegistryException(ref.registry() + ": refusing plain-HTTP token realm " + realm, 401);
        }
        String what = ref.registry() + ": token from " + realmUri.getHost();
        String authHeader = auth;
        HttpTransport.Answer a = retrying(() -> transport.get(tokenEp, tokenUri, authHeader, Map.of(), false), what, tokenEp);
        byte[] body;
        try (InputStream in = a.response().body()) {
            body = in.readNBytes(1 << 20);
        }
        if (a.status() != 200) {
            throw statusError(what, a.status(), a);
        }
        try {
            Map<String, Object> m = Json.object(Json.parse(new String(body, StandardCharsets.UTF_8), what), what);
            String t = Json.string(m.get("token"));
            if (t == null || t.isEmpty()) {
                t = Json.string(m.get("access_token"));
            }
            if (t == null || t.isEmpty()) {
                throw new RegistryException(what + ": answer has no token", 401);
            }
            return t;
        } catch (IllegalArgumentException e) {
            throw new RegistryException(e.getMessage(), 401);
        }
    }

    /** Timeouts name the setting that bounds them (the JDK says only "timed out"). */
    private String describeTimeout(IOException e) {
        Duration c = transport.settings().connectTimeout();
        if (e instanceof java.net.http.HttpConnectTimeoutException && c != null) {
            return "connect timed out after " + c.toSeconds() + " s (ENROOT_CONNECT_TIMEOUT)";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "request timed out: no answer in time (the wait is twice ENROOT_CONNECT_TIMEOUT)";
        }
        return describe(e);
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }
}
