package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The bytes of one registry blob as a plain stream that survives broken connections.
 *
 * <p>A pump thread per attempt reads the HTTP body into a small bounded queue; the reader takes
 * from the queue with the stall timeout, so a connection that stops delivering is noticed without
 * interrupting the consumer (the layer writer, whose file channels an interrupt would close).
 * After a failure the next attempt asks for {@code Range: bytes=OFFSET-} and the consumer sees
 * one continuous stream; a server that ignores the range is handled by skipping what was already
 * delivered. Attempts that deliver nothing count against the retry budget; the size from the
 * manifest bounds the total. At the end the sha256 of everything delivered must equal the digest:
 * otherwise the last read throws, and the caller discards whatever it built from the stream.
 */
final class BlobStream extends InputStream {

    private static final int CHUNK = 64 << 10;
    private static final int QUEUE = 32;
    private static final byte[] END = new byte[0];

    private final RegistryClient client;
    private final Descriptor blob;
    private final LongConsumer progress;
    private final MessageDigest md = Digest.sha256();
    private final String what;
    private final long deadline;
    private final Duration stall;

    private long offset;
    private int failedAttempts;
    private Pump pump;
    private byte[] chunk;
    private int chunkPos;
    private boolean done;
    private boolean closed;

    BlobStream(RegistryClient client, Descriptor blob, LongConsumer progress) {
        this.client = client;
        this.blob = blob;
        this.progress = progress;
        this.what = client.describeRepository() + ": blob " + blob.digest();
        Duration t = client.settings().transferTimeout();
        this.deadline = t == null ? Long.MAX_VALUE : System.nanoTime() + t.toNanos();
        this.stall = client.settings().stallTimeout();
    }

    /** Bytes delivered so far. */
    long offset() {
        return offset;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException(what + ": stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (done) {
                return -1;
            }
            if (chunk != null && chunkPos < chunk.length) {
                int n = Math.min(len, chunk.length - chunkPos);
                System.arraycopy(chunk, chunkPos, b, off, n);
                chunkPos += n;
                return n;
            }
            if (System.nanoTime() > deadline) {
                stopPump();
                throw new RegistryException(what + ": transfer timeout (ENROOT_TRANSFER_TIMEOUT) at byte "
                        + offset + " of " + blob.size(), 0);
            }
            if (pump == null) {
                pump = new Pump(offset);
            }
            Object item;
            try {
                // Never wait past the transfer deadline: a stalled connection must end the import
                // at ENROOT_TRANSFER_TIMEOUT, not at the (longer) stall timeout.
                long waitMs = stall.toMillis();
                if (deadline != Long.MAX_VALUE) {
                    waitMs = Math.min(waitMs, Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 1));
                }
                item = pump.queue.poll(waitMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopPump();
                throw new InterruptedIOException(what + ": interrupted");
            }
            if (item == null && deadline != Long.MAX_VALUE && System.nanoTime() > deadline) {
                continue; // reported as the transfer timeout at the top of the loop
            }
            if (item == null) {
                failed(new IOException("no data for " + stall.toSeconds() + " s"));
            } else if (item instanceof IOException e) {
                failed(e);
            } else if (item == END) {
                if (offset < blob.size()) {
                    failed(new IOException("connection closed at byte " + offset + " of " + blob.size()));
                } else {
                    finish();
                }
            } else {
                byte[] data = (byte[]) item;
                if (offset + data.length > blob.size()) {
                    stopPump();
                    throw new RegistryException(what + ": registry sent more than the " + blob.size()
                            + " bytes the manifest declares", 0);
                }
                boolean firstProgress = pump.delivered == 0;
                pump.delivered += data.length;
                if (firstProgress) {
                    failedAttempts = 0;
                }
                md.update(data);
                offset += data.length;
                progress.accept(data.length);
                chunk = data;
                chunkPos = 0;
            }
        }
    }

    private void finish() throws IOException {
        stopPump();
        Digest got = Digest.of(md);
        if (!got.equals(blob.digest())) {
            throw new RegistryException(what + ": digest mismatch, received content has " + got, 0);
        }
        done = true;
    }

    private void failed(IOException e) throws IOException {
        stopPump();
        if (e instanceof RegistryException r && r.status() >= 400 && r.status() < 500
                && r.status() != 408 && r.status() != 429) {
            throw r; // 401/403/404...: retrying will not change the answer
        }
        if (failedAttempts >= client.settings().retries()) {
            String msg = e instanceof RegistryException ? e.getMessage()
                    : what + ": transfer broken at byte " + offset + " of " + blob.size() + ": " + RegistryClient.describe(e);
            throw new RegistryException(msg + " (gave up after " + (failedAttempts + 1) + " attempts)", e);
        }
        client.backOff(failedAttempts, null);
        failedAttempts++;
    }

    private void stopPump() {
        if (pump != null) {
            pump.cancel();
            pump = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        stopPump();
    }

    /** One attempt: opens the blob at {@code start} and moves its body into the queue. */
    private final class Pump implements Runnable {
        final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
        final long start;
        final Thread thread;
        long delivered;
        private volatile boolean cancelled;
        private volatile InputStream body;

        Pump(long start) {
            this.start = start;
            this.thread = new Thread(this, "squashroot-blob-" + blob.digest().shortHex());
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            try {
                HttpTransport.Answer a = client.openBlob(blob.digest(), start);
                body = a.response().body();
                if (cancelled) {
                    body.close();
                    return;
                }
                long skip = 0;
                if (start > 0 && a.status() == 200) {
                    skip = start; // the range was ignored: drop what the consumer already has
                } else if (start > 0) {
                    String cr = a.header("Content-Range");
                    if (cr == null || !cr.startsWith("bytes " + start + "-")) {
                        throw new IOException("bad Content-Range " + cr + " for a request from byte " + start);
                    }
                }
                try (InputStream in = body) {
                    while (!cancelled) {
                        byte[] buf = in.readNBytes(CHUNK);
                        if (buf.length == 0) {
                            queue.put(END);
                            return;
                        }
                        if (skip > 0) {
                            int drop = (int) Math.min(skip, buf.length);
                            skip -= drop;
                            if (drop == buf.length) {
                                continue;
                            }
                            buf = java.util.Arrays.copyOfRange(buf, drop, buf.length);
                        }
                        queue.put(buf);
                    }
                }
            } catch (InterruptedException e) {
                // cancelled by the consumer
            } catch (IOException e) {
                if (!cancelled) {
                    queue.offer(e);
                }
            } catch (RuntimeException e) {
                if (!cancelled) {
                    queue.offer(new IOException(e.toString(), e));
                }
            }
        }

        void cancel() {
            cancelled = true;
            InputStream b = body;
            if (b != null) {
                try {
                    b.close();
                } catch (IOException ignored) {
                    // closing a broken connection
                }
            }
            thread.interrupt();
        }
    }
}
