package io.squashroot.squashfs.write;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The data area (format doc §7, §8): file blocks and fragment blocks, compressed in parallel and
 * written to the output strictly in submission order.
 *
 * <p>Why this shape: the caller's thread reads file data (from a tar stream, a directory or a
 * tree) and submits each block to a pool of compressor threads; a bounded queue of pending
 * blocks keeps memory at about 32 MiB (or 3 blocks per thread, if more) whatever the input
 * size, deep enough that every worker has a block while the oldest is awaited. The same thread takes finished
 * blocks off the head of the queue and writes them, so positions are assigned in order and
 * every {@link FileData} is filled in single-threaded.
 *
 * <p>Duplicates (mksquashfs's default): a file's blocks are written as they come; when the file
 * ends and its stored blocks equal an earlier file's (same size words and same SHA-256 of every
 * stored block), the write position goes back to where the file started and the file shares the
 * earlier blocks. Equal compressed bytes under the same compressor mean equal content. Tails
 * are deduplicated before they enter a fragment, by length and SHA-256.
 */
final class DataArea {
    private static final int START = 0;
    private static final int BLOCK = 1;
    private static final int SPARSE = 2;
    private static final int END = 3;
    private static final int FRAGMENT = 4;

    /** One finished block: bytes to write and, when duplicates are detected, their SHA-256. */
    private record Stored(byte[] bytes, int length, boolean raw, byte[] digest) {
    }

    /** {@code input}: a pooled block buffer to give back once the block is written, or null. */
    private record Pending(int kind, FileData file, Future<Stored> block, int value, byte[] input) {
        Pending(int kind, FileData file, Future<Stored> block, int value) {
            this(kind, file, block, value, null);
        }
    }

    private record TailRef(int index, int offset) {
    }

    private final FileChannel out;
    private final WriterOptions opt;
    private final ExecutorService pool;
    private final ThreadLocal<BlockCompressor> compressors;
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(DataArea::sha256);
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Blocks submitted but not yet written: the memory bound (two buffers each). */
    private final int maxInFlight;
    private int inFlight;
    /** Markers (file start/end, sparse blocks) cost no memory to speak of but are bounded too. */
    private static final int MAX_PENDING = 16384;
    private static final int READ_AHEAD = 32 << 20;
    private final byte[] zeros;
    /**
     * Full-block read buffers, reused once their block is written (taken and given back on the
     * caller's thread only): a fresh 128 KiB array per block was a gigabyte of allocation and
     * zeroing per gigabyte of input, and young collections copying the blocks in flight.
     */
    private final ArrayDeque<byte[]> blockBuffers = new ArrayDeque<>();
    /** Per-thread compressor output, sized for the worst case once; results are copied out exactly. */
    private final ThreadLocal<byte[]> scratch;
    private long position;

    // Producer side: the fragment being filled and tails seen.
    private byte[] fragment;
    private int fragmentLength;
    private int fragmentCount;
    private final Map<String, TailRef> tails = new HashMap<>();
    private final MessageDigest tailDigest = sha256();

    // Writer side (head of the queue).
    private long[] fragmentStarts = new long[64];
    private int[] fragmentWords = new int[64];
    private long fileStart;
    private final MessageDigest fileKey = sha256();
    private final Map<String, FileData> files = new HashMap<>();

    DataArea(FileChannel out, long start, WriterOptions opt, ExecutorService pool) {
        this.out = out;
        this.opt = opt;
        this.pool = pool;
        this.position = start;
        this.compressors = ThreadLocal.withInitial(opt::newCompressor);
        // At least 3 blocks per worker, and up to 32 MiB read ahead (mksquashfs queues more): one
        // slow block at the head must not leave the other workers idle.
        this.maxInFlight = Math.max(3 * opt.threads() + 2, READ_AHEAD / opt.blockSize());
        this.zeros = new byte[opt.blockSize()];
        this.scratch = ThreadLocal.withInitial(() -> new byte[compressors.get().maxCompressedLength(opt.blockSize())]);
    }

    /**
     * Stores {@code size} bytes read from {@code in} as the content of {@code fd}. {@code what}
     * names the file in errors (path or tar entry).
     */
    void writeFile(FileData fd, InputStream in, long size, String what) throws IOException {
        fd.size = size;
        int bs = opt.blockSize();
        long full = size / bs;
        int tail = (int) (size % bs);
        boolean fragmentTail = opt.fragments() && tail > 0 && (full == 0 || opt.tailPacking());
        boolean started = false;
        for (long i = 0; i < full; i++) {
            byte[] buf = blockBuffers.isEmpty() ? new byte[bs] : blockBuffers.pop();
            readFully(in, buf, bs, what);
            if (!started) {
                enqueue(new Pending(START, fd, null, 0));
                started = true;
            }
            enqueueBlock(fd, buf, bs);
        }
        if (tail > 0) {
            byte[] buf = new byte[tail];
            readFully(in, buf, tail, what);
            if (fragmentTail && !(opt.sparse() && isZero(buf, tail))) {
                if (started) {
                    enqueue(new Pending(END, fd, null, 0)); // before any fragment block is queued
                }
                addTail(fd, buf, tail);
                return;
            }
            if (!started) {
                enqueue(new Pending(START, fd, null, 0));
                started = true;
            }
            enqueueBlock(fd, buf, tail);
        }
        if (started) {
            enqueue(new Pending(END, fd, null, 0));
        }
    }

    /** Flushes the last fragment and waits until every block is written. */
    void finish() throws IOException {
        flushFragment();
        while (!pending.isEmpty()) {
            writeHead();
        }
    }

    /** Gives up: cancels compression still queued. */
    void abort() {
        for (Pending p : pending) {
            if (p.block() != null) {
                p.block().cancel(true);
            }
        }
        pending.clear();
    }

    long position() {
        return position;
    }

    int fragmentCount() {
        return fragmentCount;
    }

    long fragmentStart(int i) {
        return fragmentStarts[i];
    }

    int fragmentWord(int i) {
        return fragmentWords[i];
    }

    private void enqueueBlock(FileData fd, byte[] buf, int len) throws IOException {
        byte[] pooled = len == opt.blockSize() ? buf : null;
        if (opt.sparse() && isZero(buf, len)) {
            release(pooled);
            enqueue(new Pending(SPARSE, fd, null, len));
        } else {
            enqueue(new Pending(BLOCK, fd, submit(buf, len, opt.rawData()), 0, pooled));
        }
    }

    private void release(byte[] buf) {
        if (buf != null && blockBuffers.size() <= maxInFlight) {
            blockBuffers.push(buf);
        }
    }

    private void addTail(FileData fd, byte[] buf, int len) throws IOException {
        String key = null;
        if (opt.duplicates()) {
            tailDigest.update(buf, 0, len);
            key = len + ":" + hex(tailDigest.digest());
            TailRef seen = tails.get(key);
            if (seen != null) {
                fd.fragmentIndex = seen.index();
                fd.fragmentOffset = seen.offset();
                return;
            }
        }
        if (fragment != null && fragmentLength + len > opt.blockSize()) {
            flushFragment();
        }
        if (fragment == null) {
            fragment = new byte[opt.blockSize()];
            fragmentLength = 0;
        }
        System.arraycopy(buf, 0, fragment, fragmentLength, len);
        fd.fragmentIndex = fragmentCount;
        fd.fragmentOffset = fragmentLength;
        fragmentLength += len;
        if (key != null) {
            tails.put(key, new TailRef(fragmentCount, fd.fragmentOffset));
        }
    }

    private void flushFragment() throws IOException {
        if (fragment == null) {
            return;
        }
        enqueue(new Pending(FRAGMENT, null, submit(fragment, fragmentLength, opt.rawFragments()), fragmentCount));
        fragmentCount++;
        fragment = null;
        fragmentLength = 0;
    }

    private Future<Stored> submit(byte[] buf, int len, boolean raw) {
        boolean digest = opt.duplicates();
        return pool.submit(() -> {
            int n = -1;
            byte[] dst = null;
            if (!raw) {
                byte[] out = scratch.get();
                n = compressors.get().compress(buf, 0, len, out);
                dst = n > 0 ? Arrays.copyOf(out, n) : null;
            }
            // A block stored raw keeps referring to buf: it is written (and buf reused) only
            // after this task is done.
            Stored s = n > 0 ? new Stored(dst, n, false, null) : new Stored(buf, len, true, null);
            if (digest) {
                MessageDigest md = digests.get();
                md.update(s.bytes(), 0, s.length());
                s = new Stored(s.bytes(), s.length(), s.raw(), md.digest());
            }
            return s;
        });
    }

    private void enqueue(Pending p) throws IOException {
        if (p.block() != null) {
            while (inFlight >= maxInFlight) {
                writeHead();
            }
            inFlight++;
        }
        while (pending.size() >= MAX_PENDING) {
            writeHead();
        }
        pending.add(p);
        // Write whatever is already finished, so output keeps flowing while we read.
        while (!pending.isEmpty() && (pending.peek().block() == null || pending.peek().block().isDone())) {
            writeHead();
        }
    }

    private void writeHead() throws IOException {
        Pending p = pending.poll();
        if (p.block() != null) {
            inFlight--;
        }
        FileData fd = p.file();
        switch (p.kind()) {
            case START:
                fileStart = position;
                fd.blocksStart = position;
                fileKey.reset();
                break;
            case SPARSE:
                fd.addBlock(0);
                fd.sparseBytes += p.value();
                fileKey.update(new byte[] {0, 0, 0, 0});
                break;
            case BLOCK: {
                Stored s = await(p.block());
                int word = s.length() | (s.raw() ? 1 << 24 : 0);
                write(s);
                release(p.input());
                fd.addBlock(word);
                if (s.digest() != null) {
                    fileKey.update(ByteBuffer.allocate(4).putInt(word).array());
                    fileKey.update(s.digest());
                }
                break;
            }
            case END:
                if (opt.duplicates() && position > fileStart) {
                    String key = fd.blockCount + ":" + hex(fileKey.digest());
                    FileData earlier = files.putIfAbsent(key, fd);
                    if (earlier != null) {
                        position = fileStart;
                        fd.blocksStart = earlier.blocksStart;
                    }
                }
                break;
            case FRAGMENT: {
                Stored s = await(p.block());
                int i = p.value();
                if (i >= fragmentStarts.length) {
                    fragmentStarts = Arrays.copyOf(fragmentStarts, i * 2);
                    fragmentWords = Arrays.copyOf(fragmentWords, i * 2);
                }
                fragmentStarts[i] = position;
                fragmentWords[i] = s.length() | (s.raw() ? 1 << 24 : 0);
                write(s);
                break;
            }
            default:
                throw new AssertionError(p.kind());
        }
    }

    private void write(Stored s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.bytes(), 0, s.length());
        while (b.hasRemaining()) {
            position += out.write(b, position);
        }
    }

    private static Stored await(Future<Stored> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("compressing a block failed: " + c, c);
        }
    }

    private boolean isZero(byte[] buf, int len) {
        return Arrays.mismatch(buf, 0, len, zeros, 0, len) < 0;
    }

    private static void readFully(InputStream in, byte[] buf, int len, String what) throws IOException {
        int n = 0;
        while (n < len) {
            int r;
            try {
                r = in.read(buf, n, len - n);
            } catch (IOException e) {
                throw new IOException(what + ": " + e.getMessage(), e);
            }
            if (r < 0) {
                throw new IOException(what + ": ended early (file shrank while being read, or truncated input)");
            }
            n += r;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
