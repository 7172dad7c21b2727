package io.squashroot.squashfs.write;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.TreeMap;

/**
 * Sits under Commons Compress's tar reader and keeps the raw bytes of SCHILY.xattr values.
 *
 * <p>Why: Commons Compress decodes every PAX value as UTF-8 into a String, which destroys binary
 * xattr values (security.capability, trusted.* blobs) containing invalid UTF-8. This stream
 * follows the tar record structure of the bytes as they pass — 512-byte headers, GNU sparse
 * extension headers, data padded to 512 — and parses each PAX extended header ('x') itself. For
 * every 'x' header with xattrs it queues the raw name/value map; the tar reader's entries that
 * carry SCHILY.xattr keys take them off the queue in the same order.
 */
final class PaxXattrTap extends FilterInputStream {
    private static final int BLOCK = 512;
    /** Extended headers larger than this are not captured (Commons Compress has its own bound). */
    private static final int MAX_PAX = 1 << 20;

    private enum State { HEADER, EXTENSION, DATA, PAD }

    private final ArrayDeque<TreeMap<String, byte[]>> queue = new ArrayDeque<>();
    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    private State state = State.HEADER;
    private long remaining;
    private long padding;
    private long paxSize = -1; // a PAX 'size' record overrides the next header's size field
    private ByteArrayOutputStream pax;

    PaxXattrTap(InputStream in) {
        super(in);
    }

    /** The raw xattrs of the next entry that has SCHILY.xattr headers, or null. */
    TreeMap<String, byte[]> next() {
        return queue.poll();
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            consume(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            consume(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Route skips through read so no header passes unseen.
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void consume(byte[] b, int off, int len) {
        while (len > 0) {
            switch (state) {
                case HEADER, EXTENSION -> {
                    int n = Math.min(len, BLOCK - headerFill);
                    System.arraycopy(b, off, header, headerFill, n);
                    headerFill += n;
                    off += n;
                    len -= n;
                    if (headerFill == BLOCK) {
                        headerFill = 0;
                        if (state == State.HEADER) {
                            onHeader();
                        } else {
                            onExtension();
                        }
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(len, remaining);
                    if (pax != null) {
                        pax.write(b, off, n);
                    }
                    remaining -= n;
                    off += n;
                    len -= n;
                    if (remaining == 0) {
                        endData();
                    }
                }
                case PAD -> {
                    int n = (int) Math.min(len, padding);
                    padding -= n;
                    off += n;
                    len -= n;
                    if (padding == 0) {
                        state = State.HEADER;
                    }
                }
                default -> throw new AssertionError(state);
            }
        }
    }

    private void onHeader() {
        boolean zero = true;
        for (byte x : header) {
            if (x != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return; // end-of-archive blocks
        }
        byte type = header[156];
        long size = octal(header, 124, 12);
        if (paxSize >= 0 && type != 'x' && type != 'g') {
            size = paxSize;
            paxSize = -1;
        }
        pax = type == 'x' && size <= MAX_PAX ? new ByteArrayOutputStream((int) size) : null;
        remaining = size;
        if (type == 'S' && header[482] != 0) {
            state = State.EXTENSION; // old GNU sparse: more sparse maps follow in 512-byte blocks
            return;
        }
        startData();
    }

    private void onExtension() {
        if (header[504] != 0) {
            return; // another extension block follows
        }
        startData();
    }

    private void startData() {
        padding = (BLOCK - remaining % BLOCK) % BLOCK;
        if (remaining > 0) {
            state = State.DATA;
        } else {
            endData();
        }
    }

    private void endData() {
        if (pax != null) {
            parsePax(pax.toByteArray());
            pax = null;
        }
        state = padding > 0 ? State.PAD : State.HEADER;
    }

    /** PAX records: "LEN KEY=VALUE\n", LEN counting the whole record in decimal. */
    private void parsePax(byte[] d) {
        TreeMap<String, byte[]> xattrs = new TreeMap<>();
        int i = 0;
        while (i < d.length) {
            int sp = i;
            long len = 0;
            while (sp < d.length && d[sp] >= '0' && d[sp] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (d[sp] - '0');
                sp++;
            }
            if (sp >= d.length || d[sp] != ' ' || len <= sp - i || i + len > d.length) {
                break; // malformed: Commons Compress will report it
            }
            int end = (int) (i + len);
            int eq = sp + 1;
            while (eq < end && d[eq] != '=') {
                eq++;
            }
            if (eq < end) {
                String key = new String(d, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
                int vlen = end - eq - 2; // minus '=' and the trailing newline
                if (vlen >= 0) {
                    byte[] value = java.util.Arrays.copyOfRange(d, eq + 1, eq + 1 + vlen);
                    if (key.startsWith("SCHILY.xattr.")) {
                        xattrs.put(key.substring("SCHILY.xattr.".length()), value);
                    } else if (key.equals("size")) {
                        paxSize = parseDecimal(value);
                    }
                }
            }
            i = end;
        }
        if (!xattrs.isEmpty()) {
            queue.add(xattrs);
        }
    }

    private static long parseDecimal(byte[] v) {
        long n = 0;
        for (byte c : v) {
            if (c < '0' || c > '9' || n > Long.MAX_VALUE / 10) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** A tar numeric field: octal digits, or GNU base-256 when the top bit of the first byte is set. */
    private static long octal(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x3F;
            for (int i = 1; i < len; i++) {
                v = (v << 8) | (h[off + i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte c = h[i];
            if (c == 0 || c == ' ') {
                if (v > 0) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                break;
            }
            v = (v << 3) | (c - '0');
        }
        return v;
    }
}
