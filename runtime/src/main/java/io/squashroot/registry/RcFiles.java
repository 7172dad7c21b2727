package io.squashroot.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The files enroot's {@code docker::configure} writes into the top of every imported image, made
 * here from the image config: {@code /etc/fstab} (volumes as bind mounts of the rootfs),
 * {@code /etc/environment} (Env), {@code /etc/rc} (provenance, labels, working directory,
 * entrypoint and command), an {@code /etc/rc.local} stub, and the working directory itself.
 * The text matches enroot's byte for byte so the runtime and existing hooks read it the same way.
 * They become a small tar, converted like any layer and stacked above the image's layers.
 */
final class RcFiles {

    private RcFiles() {
    }

    /** Path (no leading slash) to content; directories end with '/'. Insertion order = tar order. */
    static Map<String, String> files(ImageConfig c, String uri) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("etc/", null);
        StringBuilder fstab = new StringBuilder();
        for (String v : c.volumes()) {
            fstab.append("${ENROOT_ROOTFS}").append(v).append(' ').append(v)
                    .append(" none x-create=dir,bind,rw,nosuid,nodev\n");
        }
        out.put("etc/fstab", fstab.toString());
        StringBuilder env = new StringBuilder();
        for (String e : c.env()) {
            env.append(e).append('\n');
        }
        out.put("etc/environment", env.toString());
        out.put("etc/rc", rc(c, uri));
        out.put("etc/rc.local", "# This file is sourced by /etc/rc when the container starts.\n"
                + "# It can be used to manipulate the entrypoint or the command of the container.\n");
        String wd = c.workingDir() == null ? "/" : c.workingDir();
        String rel = wd.replaceAll("^/+", "").replaceAll("/+$", "");
        if (!rel.isEmpty() && !rel.equals("etc")) {
            StringBuilder p = new StringBuilder();
            for (String part : rel.split("/+")) {
                if (part.equals(".") || part.equals("..") || part.isEmpty()) {
                    continue;
                }
                p.append(part).append('/');
                out.putIfAbsent(p.toString(), null);
            }
        }
        return out;
    }

    static String rc(ImageConfig c, String uri) {
        StringBuilder b = new StringBuilder();
        b.append("# enroot-provenance: ").append(uri).append('\n');
        for (Map.Entry<String, String> l : c.labels()) {
            b.append("# ").append(l.getKey()).append(' ').append(l.getValue().replace("\n", " ")).append('\n');
        }
        b.append('\n'); // the file is never empty (provenance), so enroot always adds this line
        String wd = c.workingDir() == null ? "/" : c.workingDir();
        List<String> cmd = new ArrayList<>(c.cmd());
        if (c.entrypoint().isEmpty() && cmd.isEmpty()) {
            cmd.add("/bin/sh");
        }
        String entry = quoteAll(c.entrypoint());
        b.append("mkdir -p \"").append(wd).append("\" 2> /dev/null\n");
        b.append("cd \"").append(wd).append("\" && unset OLDPWD || exit 1\n\n");
        b.append("if [ -s /etc/rc.local ]; then\n    . /etc/rc.local\nfi\n\n");
        b.append("if [ $# -gt 0 ]; then\n");
        b.append("    exec ").append(entry).append(" \"$@\"\n");
        b.append("else\n");
        b.append("    exec ").append(entry).append(' ').append(quoteAll(cmd)).append('\n');
        b.append("fi\n");
        return b.toString();
    }

    /** bash's ${array[@]@Q}: each word in single quotes, control characters as $'...'. */
    static String quoteAll(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(quote(w));
        }
        return b.toString();
    }

    static String quote(String w) {
        boolean control = w.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f);
        if (!control) {
            return "'" + w.replace("'", "'\\''") + "'";
        }
        StringBuilder b = new StringBuilder("$'");
        for (char ch : w.toCharArray()) {
            switch (ch) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\'' -> b.append("\\'");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        b.append(String.format("\\%03o", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('\'').toString();
    }

    /** The files as an uncompressed tar (root-owned, 0644 files and 0755 directories). */
    static byte[] tar(Map<String, String> files, long mtime) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setModTime(mtime * 1000);
                e.setIds(0, 0);
                if (f.getValue() == null) {
                    e.setMode(040755);
                    t.putArchiveEntry(e);
                } else {
                    byte[] data = f.getValue().getBytes(StandardCharsets.UTF_8);
                    e.setMode(0100644);
                    e.setSize(data.length);
                    t.putArchiveEntry(e);
                    t.write(data);
                }
                t.closeArchiveEntry();
            }
        }
        return bos.toByteArray();
    }
}
