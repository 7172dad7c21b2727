package io.squashroot.overlay;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text of a sidecar file (docs/overlay-format.md): a header line {@value Sidecar#HEADER},
 * then one line per xattr, {@code ENTRY NAME VALUE}, each field percent-encoded (every byte
 * outside {@code !}..{@code ~}, and {@code %} itself, as {@code %XX}), so names and values
 * may hold any bytes and the file stays one record per line.
 */
final class SidecarFormat {
    private SidecarFormat() {
    }

    static byte[] encode(Map<String, Map<String, byte[]>> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Sidecar.HEADER + "\n").getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, Map<String, byte[]>> e : entries.entrySet()) {
            for (Map.Entry<String, byte[]> x : e.getValue().entrySet()) {
                escape(out, e.getKey().getBytes(StandardCharsets.UTF_8));
                out.write(' ');
                escape(out, x.getKey().getBytes(StandardCharsets.UTF_8));
                out.write(' ');
                escape(out, x.getValue());
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    private static void escape(ByteArrayOutputStream out, byte[] b) {
        for (byte c : b) {
            int u = c & 0xff;
            if (u > ' ' && u < 0x7f && u != '%') {
                out.write(u);
            } else {
                out.write('%');
                out.write(Character.toUpperCase(Character.forDigit(u >> 4, 16)));
                out.write(Character.toUpperCase(Character.forDigit(u & 15, 16)));
            }
        }
    }

    /** The entries of the sidecar {@code file}; empty when there is none. */
    static Map<String, Map<String, byte[]>> read(String file) throws FsException {
        byte[] raw;
        try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Sidecar.MAX_BYTES) {
                throw new FsException(Errno.EIO, file + ": sidecar of " + size + " bytes, more than the "
                        + Sidecar.MAX_BYTES + " allowed");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // read it whole
            }
            raw = b.array();
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw HostFs.fromIo(e, "read " + file);
        }
        return parse(raw, file);
    }

    static Map<String, Map<String, byte[]>> parse(byte[] raw, String file) throws FsException {
        String text = new String(raw, StandardCharsets.ISO_8859_1); // bytes 1:1; fields are escaped ASCII
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(Sidecar.HEADER)) {
            throw bad(file, 1, "header is not '" + Sidecar.HEADER + "'");
        }
        Map<String, Map<String, byte[]>> entries = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] f = lines[i].split(" ", -1);
            if (f.length != 3) {
                throw bad(file, i + 1, "expected 3 fields, found " + f.length);
            }
            String entry = new String(unescape(f[0], file, i + 1), StandardCharsets.UTF_8);
            String name = new String(unescape(f[1], file, i + 1), StandardCharsets.UTF_8);
            entries.computeIfAbsent(entry, k -> new TreeMap<>()).put(name, unescape(f[2], file, i + 1));
        }
        entries.replaceAll((k, v) -> Collections.unmodifiableMap(v));
        return Collections.unmodifiableMap(entries);
    }

    private static byte[] unescape(String s, String file, int line) throws FsException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                out.write(c);
                continue;
            }
            int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw bad(file, line, "bad %-escape at column " + (i + 1));
            }
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toByteArray();
    }

    private static FsException bad(String file, int line, String what) {
        return new FsException(Errno.EIO, file + " line " + line + ": " + what);
    }
}
