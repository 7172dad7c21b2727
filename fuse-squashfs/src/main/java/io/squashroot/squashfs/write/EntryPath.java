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

    static List<byte[]> parse(byte[] name, String what) throws IOException {
        if (name.length > 0 && name[0] == '/') {
            throw new IOException(what + ": absolute path refused");
        }
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= name.length; i++) {
            if (i < name.length && name[i] != '/') {
                continue;
            }
            int len = i - start;
            byte[] part = java.util.Arrays.copyOfRange(name, start, i);
            start = i + 1;
            if (len == 0 || (len == 1 && part[0] == '.')) {
                continue;
            }
            if (len == 2 && part[0] == '.' && part[1] == '.') {
                if (out.isEmpty()) {
                    throw new IOException(what + ": path escapes the root with '..'");
                }
                out.remove(out.size() - 1);
                continue;
            }
            if (len > MAX_NAME) {
                throw new IOException(what + ": a name is longer than " + MAX_NAME + " bytes");
            }
            for (byte b : part) {
                if (b == 0) {
                    throw new IOException(what + ": a name contains a NUL byte");
                }
            }
            out.add(part);
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
