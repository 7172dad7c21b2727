package io.squashroot.tree;

import java.nio.charset.StandardCharsets;

/**
 * The one mapping between file-name bytes and the {@code String}s that {@link FsTree} paths,
 * directory entries and the reader's string lookups carry.
 *
 * <p>Why not plain UTF-8: SquashFS and Linux allow any bytes but '/' and NUL in a name, and a
 * name that is not valid UTF-8 (Latin-1 {@code caf\xe9}, {@code \xff\xfe}) would decode to
 * U+FFFD and never find its way back. Here valid UTF-8 decodes as usual and every byte 0xNN that
 * is not part of a valid sequence becomes the private-use character U+EFNN (U+EF80..U+EFFF); so
 * that no real name can collide with an escape, a valid sequence that itself encodes one of those
 * 128 characters is escaped byte by byte too. So {@code encode(decode(b))} equals {@code b} for
 * every byte string, names that are valid UTF-8 (and not in that private-use block) are the
 * Strings everyone expects, and decoding is local: a path decodes to the '/'-join of its decoded
 * components, so callers may split and join decoded paths freely.
 *
 * <p>Why private-use characters rather than lone surrogates (Python's surrogateescape): the
 * Strings stay well-formed UTF-16, so code that hands them to java.nio or jnr (the overlay's
 * upper directory) still works, storing the escapes as their UTF-8 bytes consistently instead of
 * failing on an unmappable character.
 */
public final class NameBytes {
    private static final char ESCAPE_BASE = 0xEF00;
    private static final char FIRST_ESCAPE = 0xEF80;
    private static final char LAST_ESCAPE = 0xEFFF;

    private NameBytes() {
    }

    /** The name {@code b[off, off + len)} as a String; never fails. */
    public static String decode(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && b[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1); // all ASCII: the common case
        }
        StringBuilder sb = new StringBuilder(len);
        for (int k = off; k < i; k++) {
            sb.append((char) b[k]);
        }
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int n = sequenceLength(b, i, end);
            // EE BE xx and EE BF xx encode U+EF80..U+EFFF, the escapes themselves.
            if (n == 0 || n == 3 && c == 0xEE && (b[i + 1] & 0xFE) == 0xBE) {
                sb.append((char) (ESCAPE_BASE | c));
                i++;
                continue;
            }
            sb.append(new String(b, i, n, StandardCharsets.UTF_8));
            i += n;
        }
        return sb.toString();
    }

    public static String decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    /** The bytes of a name or path produced by {@link #decode} (or any ordinary String). */
    public static byte[] encode(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && s.charAt(i) < 0x80) {
            i++;
        }
        if (i == n) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(n + 8);
        int runStart = 0;
        for (int k = 0; k < n; k++) {
            char ch = s.charAt(k);
            if (isEscape(ch)) {
                out.writeBytes(s.substring(runStart, k).getBytes(StandardCharsets.UTF_8));
                out.write(ch & 0xFF);
                runStart = k + 1;
            }
        }
        out.writeBytes(s.substring(runStart).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Whether {@code s} names something only {@link #decode} can produce (an escaped byte). */
    public static boolean hasEscapes(String s) {
        for (int k = 0; k < s.length(); k++) {
            if (isEscape(s.charAt(k))) {
                return true;
            }
        }
        return false;
    }

    /** The name for messages: valid UTF-8 as is, other bytes as {@code \xNN}. */
    public static String display(byte[] b) {
        String s = decode(b);
        if (!hasEscapes(s)) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            if (isEscape(ch)) {
                sb.append(String.format("\\x%02x", ch & 0xFF));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static boolean isEscape(char ch) {
        return ch >= FIRST_ESCAPE && ch <= LAST_ESCAPE;
    }

    /**
     * Length of the well-formed UTF-8 sequence starting at {@code b[i]} (a byte ≥ 0x80), or 0
     * when it is not one: RFC 3629 table 3.7, which excludes overlong forms, surrogates and
     * code points past U+10FFFF, the same rules as Java's own decoder.
     */
    private static int sequenceLength(byte[] b, int i, int end) {
        int c = b[i] & 0xFF;
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0) {
                lo = 0xA0;
            } else if (c == 0xED) {
                hi = 0x9F;
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0) {
                lo = 0x90;
            } else if (c == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return 0;
        }
        if (i + n > end) {
            return 0;
        }
        int second = b[i + 1] & 0xFF;
        if (second < lo || second > hi) {
            return 0;
        }
        for (int k = 2; k < n; k++) {
            int cont = b[i + k] & 0xFF;
            if (cont < 0x80 || cont > 0xBF) {
                return 0;
            }
        }
        return n;
    }
}
