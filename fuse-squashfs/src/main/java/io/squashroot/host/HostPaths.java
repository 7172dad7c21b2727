package io.squashroot.host;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Host paths from and to their exact bytes, whatever the JVM's file-name encoding.
 *
 * <p>Why: java.nio turns a {@code String} into path bytes with {@code sun.jnu.encoding}, which
 * Java 17 takes from the locale and ignores on the command line; under {@code LANG=C} it is
 * ASCII, and even under UTF-8 a name that is not valid UTF-8 has no String that encodes back to
 * it. But the default file system keeps a path as bytes, and its {@code file:} URIs carry those
 * bytes percent-escaped in both directions ({@link Path#of(URI)} unescapes into the path's
 * bytes, {@link Path#toUri()} escapes them). Going through a URI therefore names any file
 * exactly, and every java.nio operation on the resulting {@code Path} (open, create, link,
 * list, walk: children of a listed directory keep their bytes too) uses those bytes.
 */
public final class HostPaths {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private HostPaths() {
    }

    /** {@code dir}'s child called {@code name} (one component: no '/' or NUL). */
    public static Path child(Path dir, byte[] name) {
        return dir.resolve(name(name));
    }

    /** A relative one-component path whose bytes are {@code name}. */
    public static Path name(byte[] name) {
        if (isAscii(name)) {
            // Every charset a Linux locale can use spells ASCII as ASCII.
            return Path.of(new String(name, StandardCharsets.ISO_8859_1));
        }
        StringBuilder uri = new StringBuilder(8 + name.length * 3).append("file:///");
        for (byte b : name) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                uri.append((char) c);
            } else {
                uri.append('%').append(HEX[c >>> 4]).append(HEX[c & 15]);
            }
        }
        return Path.of(URI.create(uri.toString())).getFileName();
    }

    /**
     * The exact bytes of {@code p} made absolute. Names that are not ASCII cost a stat (the
     * URI of a directory gets a trailing slash): fine per file, not per block.
     */
    public static byte[] bytes(Path p) {
        Path abs = p.toAbsolutePath();
        String s = abs.toString();
        // A lossy decoding never yields ASCII for a byte that is not ASCII, so all-ASCII is exact.
        if (isAscii(s)) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        String raw = abs.toUri().getRawPath();
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        byte[] b = out.toByteArray();
        int len = b.length;
        while (len > 1 && b[len - 1] == '/') {
            len--;
        }
        return len == b.length ? b : java.util.Arrays.copyOf(b, len);
    }

    /** The bytes of {@code p}'s last component (of {@code p} made absolute). */
    public static byte[] nameBytes(Path p) {
        String s = p.getFileName() == null ? "" : p.getFileName().toString();
        if (isAscii(s)) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        byte[] all = bytes(p);
        int slash = all.length - 1;
        while (slash >= 0 && all[slash] != '/') {
            slash--;
        }
        return java.util.Arrays.copyOfRange(all, slash + 1, all.length);
    }

    /**
     * The exact bytes of the symlink {@code link}'s target (java.nio's readSymbolicLink gives a
     * Path whose String form is lossy for bytes the locale cannot spell).
     */
    public static byte[] readLink(Path link) throws java.io.IOException {
        byte[] buf = new byte[4097]; // PATH_MAX + 1: a longer result means truncation
        long n = HostXattrs.Holder.LIBC.readlink(cString(link), buf, buf.length);
        if (n < 0 || n >= buf.length) {
            throw new java.io.IOException(link + ": cannot read symlink" + (n < 0 ? "" : ": target longer than PATH_MAX"));
        }
        return java.util.Arrays.copyOf(buf, (int) n);
    }

    /** {@code p}'s bytes NUL-terminated, for libc. */
    public static byte[] cString(Path p) {
        byte[] b = bytes(p);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
