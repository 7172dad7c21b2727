package io.squashroot.squashfs.write;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an archive member name into name components below the image root, refusing what could
 * land outside it: absolute names and ".." that climbs above the root. "." components and a
 * leading "./" (what tar writes) are dropped; a ".." inside the tree is resolved lexically — the
 * writer never follows symlinks, so a lexical answer is the real one.
 */
final class EntryPath {
    /** Linux NAME_MAX. */
    static final int MAX_NAME = 255;

    private EntryPath() {
    }

    static List<byte[]> parse(String name, String what) throws IOException {
        if (name.startsWith("/")) {
            throw new IOException(what + ": absolute path refused");
        }
        List<byte[]> out = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (out.isEmpty()) {
                    throw new IOException(what + ": path escapes the root with '..'");
                }
                out.remove(out.size() - 1);
                continue;
            }
            byte[] b = part.getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_NAME) {
                throw new IOException(what + ": a name is longer than " + MAX_NAME + " bytes");
            }
            if (part.indexOf('\0') >= 0) {
                throw new IOException(what + ": a name contains a NUL byte");
            }
            out.add(b);
        }
        return out;
    }

    static String display(List<byte[]> path) {
        StringBuilder sb = new StringBuilder();
        for (byte[] b : path) {
            sb.append('/').append(new String(b, StandardCharsets.UTF_8));
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }
}
