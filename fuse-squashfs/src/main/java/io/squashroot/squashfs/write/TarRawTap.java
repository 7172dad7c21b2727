package io.squashroot.squashfs.write;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.TreeMap;

/**
 * Sits under Commons Compress's tar reader and keeps the raw bytes of SCHILY.xattr values and of
 * every entry's name and link name.
 *
 * <p>Why: Commons Compress decodes every PAX value as UTF-8 into a String, which destroys binary
 * xattr values (security.capability, trusted.* blobs) and names that are not valid UTF-8 (GNU tar
 * writes those raw, flagged hdrcharset=BINARY). This stream follows the tar record structure of
 * the bytes as they pass — 512-byte headers, GNU sparse extension headers, data padded to 512 —
 * and parses each PAX extended header ('x') and GNU long name/link ('L'/'K') itself. For every
 * 'x' header with xattrs it queues the raw name/value map; the tar reader's entries that carry
 * SCHILY.xattr keys take them off the queue in the same order. For every member header it queues
 * the member's raw name and link name ({@link RawNames}), taken off one per entry.
 */
final class TarRawTap extends FilterInputStream {
    private static final int BLOCK = 512;
    /** Extended headers larger than this are not captured (Commons Compress has its own bound). */
    private static final int MAX_PAX = 1 << 20;

    private enum State { HEADER, EXTENSION, DATA, PAD }

    private final ArrayDeque<TreeMap<String, byte[]>> queue = new ArrayDeque<>();
    private final ArrayDeque<RawNames> names = new ArrayDeque<>();
    /** From the last PAX header and GNU long name/link records, for the next member header. */
    private byte[] paxPath;
    private byte[] paxLink;
    private byte[] longName;
    private byte[] longLink;
    private byte longType;
    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    private State state = State.HEADER;
    private long remaining;
    private long padding;
    private long paxSize = -1; // a PAX 'size' record overrides the next header's size field
    private ByteArrayOutputStream pax;

    TarRawTap(InputStream in) {
        super(in);
    }

    /** The raw xattrs of the next entry that has SCHILY.xattr headers, or null. */
    TreeMap<String, byte[]> next() {
        return queue.poll();
    }

    /**
     * A member's name and link name as the archive holds them.
     *
     * @param pax whether the name came from a PAX record (which Commons Compress decodes as UTF-8;
     *            names from the header or a GNU long-name record it decodes with the stream's charset)
     */
    record RawNames(byte[] name, boolean pax, byte[] link, boolean linkPax) {
    }

    /** The raw names of the next member, in archive order, or null. */
    RawNames nextNames() {
        return names.poll();
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
        boolean meta = type == 'x' || type == 'g' || type == 'L' || type == 'K';
        if (paxSize >= 0 && !meta) {
            size = paxSize;
            paxSize = -1;
        }
        if (!meta) {
            names.add(new RawNames(paxPath != null ? paxPath : longName != null ? longName : headerName(),
                    paxPath != null, paxLink != null ? paxLink : longLink != null ? longLink : field(157, 100),
                    paxLink != null));
            paxPath = paxLink = longName = longLink = null;
        }
        longType = type;
        pax = (type == 'x' || type == 'L' || type == 'K') && size <= MAX_PAX ? new ByteArrayOutputStream((int) size) : null;
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
            byte[] d = pax.toByteArray();
            if (longType == 'x') {
                parsePax(d);
            } else if (longType == 'L') {
                longName = untilNul(d, 0, d.length);
            } else {
                longLink = untilNul(d, 0, d.length);
            }
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
                    } else if (key.equals("path")) {
                        paxPath = value;
                    } else if (key.equals("linkpath")) {
                        paxLink = value;
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

    /** The member name of a header: POSIX ustar joins prefix and name; GNU uses those bytes otherwise. */
    private byte[] headerName() {
        byte[] name = field(0, 100);
        boolean posix = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        byte[] prefix = posix ? field(345, 155) : new byte[0];
        if (prefix.length == 0) {
            return name;
        }
        byte[] joined = java.util.Arrays.copyOf(prefix, prefix.length + 1 + name.length);
        joined[prefix.length] = '/';
        System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
        return joined;
    }

    private byte[] field(int off, int len) {
        return untilNul(header, off, len);
    }

    private static byte[] untilNul(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return java.util.Arrays.copyOfRange(b, off, end);
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
