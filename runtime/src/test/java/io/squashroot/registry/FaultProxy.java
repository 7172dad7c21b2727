package io.squashroot.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of the real test registry that breaks requests on purpose: drops the
 * connection in the middle of a blob, corrupts a blob, or answers a status (401, 403, 404, 429,
 * 500) for a number of requests whose path contains a given text. Everything else is forwarded.
 * It can also hold every blob request back for a while before answering it, and counts how many
 * are held at once ({@link #maxBlobsInFlight}): requests a client sends one after the other never
 * overlap there, parallel ones do, so the count is the client's number of parallel downloads.
 */
final class FaultProxy implements AutoCloseable {

    enum Fault { NONE, DROP_MID_BLOB, STALL_MID_BLOB, CORRUPT_BLOB, STATUS, REDIRECT }

    private final HttpServer server;
    private final String upstream;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<String> log = new CopyOnWriteArrayList<>();
    private volatile Fault fault = Fault.NONE;
    private volatile String pathPart = "";
    private volatile int status;
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger blobsInFlight = new AtomicInteger();
    final AtomicInteger maxBlobsInFlight = new AtomicInteger();
    final AtomicInteger blobRequests = new AtomicInteger();
    volatile long blobDelayMillis;
    volatile long stallMillis = 3000;

    FaultProxy(String upstream) throws IOException {
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Applies {@code f} to the next {@code times} requests whose path contains {@code part}. */
    void inject(Fault f, String part, int code, int times) {
        fault = f;
        pathPart = part;
        status = code;
        remaining.set(times);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().toString();
        String range = ex.getRequestHeaders().getFirst("Range");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        log.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range) + (auth == null ? "" : " auth"));
        Fault f = path.contains(pathPart) && remaining.getAndDecrement() > 0 ? fault : Fault.NONE;
        boolean blob = path.contains("/blobs/") && ex.getRequestMethod().equals("GET");
        try (ex) {
            if (blob) {
                blobRequests.incrementAndGet();
                maxBlobsInFlight.accumulateAndGet(blobsInFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(blobDelayMillis);
                } finally {
                    blobsInFlight.decrementAndGet();
                }
            }
            forward(ex, path, f);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange ex, String path, Fault f) throws IOException, InterruptedException {
        if (f == Fault.STATUS) {
            if (status == 401) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"faults\"");
            }
            if (status == 429) {
                ex.getResponseHeaders().add("Retry-After", "3");
            }
            ex.sendResponseHeaders(status, -1);
            return;
        }
        if (f == Fault.REDIRECT) {
            // Like a registry sending blobs to storage on another host name.
            ex.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort()
                    + path + (path.contains("?") ? "&" : "?") + "storage=1");
            ex.sendResponseHeaders(307, -1);
            return;
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create("http://" + upstream + path.replaceAll("[?&]storage=1$", "")))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
        for (String h : List.of("Accept", "Range")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                rb.header(h, v);
            }
        }
        HttpResponse<InputStream> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        for (String h : List.of("Content-Type", "Docker-Content-Digest", "Content-Range", "Location",
                "WWW-Authenticate", "Docker-Distribution-Api-Version")) {
            r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().add(h, v));
        }
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readAllBytes();
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(r.statusCode(), -1);
            return;
        }
        ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
        OutputStream out = ex.getResponseBody();
        if (f == Fault.DROP_MID_BLOB) {
            out.write(body, 0, body.length / 2);
            out.flush();
            // Closing the exchange with bytes missing makes the server drop the connection.
            return;
        }
        if (f == Fault.STALL_MID_BLOB) {
            out.write(body, 0, body.length / 2);
            out.flush();
            Thread.sleep(stallMillis); // then the connection dies without the rest
            return;
        }
        if (f == Fault.CORRUPT_BLOB && body.length > 0) {
            body[body.length / 2] ^= 0x55;
        }
        out.write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
