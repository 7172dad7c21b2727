package io.squashroot.squashfs.write;

import io.squashroot.squashfs.DirEntry;
import io.squashroot.squashfs.Inode;
import io.squashroot.squashfs.SquashfsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The {@link Snapshot} listing of an image as our own reader sees it (round-trip tests). */
final class ImageSnapshot {
    private ImageSnapshot() {
    }

    static String of(SquashfsImage img) throws Exception {
        List<String> lines = new ArrayList<>();
        walk(img, img.root(), "", lines, new HashMap<>());
        lines.sort((a, b) -> a.substring(0, a.indexOf(' ')).compareTo(b.substring(0, b.indexOf(' '))));
        return String.join("\n", lines);
    }

    private static void walk(SquashfsImage img, Inode node, String path, List<String> out, Map<Long, String> links)
            throws Exception {
        String rel = path.isEmpty() ? "/" : path;
        Inode.Attributes a = node.attributes();
        StringBuilder sb = new StringBuilder(rel).append(' ').append(Integer.toOctalString(node.mode()))
                .append(' ').append(a.uid()).append(':').append(a.gid());
        if (!(node instanceof Inode.Symlink)) {
            sb.append(" t=").append(a.mtime());
        }
        if (node instanceof Inode.RegularFile f) {
            sb.append(" size=").append(f.size()).append(" sha=").append(sha(img, f));
        } else if (node instanceof Inode.Symlink s) {
            sb.append(" -> ").append(new String(img.readlink(s), StandardCharsets.UTF_8));
        } else if (node instanceof Inode.CharDevice d) {
            sb.append(" rdev=").append(Long.toHexString(hostDev(d.major(), d.minor())));
        } else if (node instanceof Inode.BlockDevice d) {
            sb.append(" rdev=").append(Long.toHexString(hostDev(d.major(), d.minor())));
        }
        if (!(node instanceof Inode.Directory) && a.linkCount() > 1) {
            String first = links.putIfAbsent(a.number(), rel);
            sb.append(" link=").append(first == null ? rel : first);
        }
        TreeMap<String, byte[]> x = new TreeMap<>(img.xattrs(node));
        x.forEach((k, v) -> sb.append(' ').append(k).append('=').append(HexFormat.of().formatHex(v)));
        out.add(sb.toString());
        if (node instanceof Inode.Directory d) {
            for (DirEntry e : img.list(d)) {
                walk(img, img.inode(e), path + "/" + e.name(), out, links);
            }
        }
    }

    /** glibc's makedev, which is what stat(2) reports and {@link Snapshot} prints. */
    static long hostDev(long major, long minor) {
        return ((major & 0xFFF) << 8) | (minor & 0xFF) | ((minor & ~0xFFL) << 12) | ((major & ~0xFFFL) << 32);
    }

    private static String sha(SquashfsImage img, Inode.RegularFile f) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            long off = 0;
            while (off < f.size()) {
                buf.clear();
                int n = img.read(f, off, buf);
                if (n <= 0) {
                    throw new IOException("short read at " + off);
                }
                md.update(buf.array(), 0, n);
                off += n;
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
