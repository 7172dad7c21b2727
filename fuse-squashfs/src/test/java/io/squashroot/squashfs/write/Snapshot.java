package io.squashroot.squashfs.write;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A canonical text listing of a host tree — one line per path with type, permissions, owner,
 * mtime, size, content hash / link target / device, xattrs and hard-link group — so that two
 * trees (a source and what a reader extracted or mounted) compare with one assertEquals whose
 * diff names the path that differs.
 */
final class Snapshot {
    private Snapshot() {
    }

    static String of(Path root, boolean withTimes) throws IOException {
        return of(root, withTimes, true);
    }

    static String of(Path root, boolean withTimes, boolean withLinks) throws IOException {
        List<String> lines = new ArrayList<>();
        Map<Object, String> firstName = new HashMap<>();
        List<Path> paths;
        try (Stream<Path> s = Files.walk(root)) {
            paths = new ArrayList<>(s.toList());
        }
        paths.sort((a, b) -> root.relativize(a).toString().compareTo(root.relativize(b).toString()));
        for (Path p : paths) {
            Map<String, Object> a = Files.readAttributes(p,
                    "unix:mode,uid,gid,nlink,rdev,size,lastModifiedTime,fileKey", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            String rel = "/" + root.relativize(p);
            StringBuilder sb = new StringBuilder(rel).append(' ').append(Integer.toOctalString(mode))
                    .append(' ').append(Integer.toUnsignedLong((Integer) a.get("uid"))).append(':')
                    .append(Integer.toUnsignedLong((Integer) a.get("gid")));
            if (withTimes && (mode & 0170000) != 0120000) {
                sb.append(" t=").append(((FileTime) a.get("lastModifiedTime")).toMillis() / 1000);
            }
            switch (mode & 0170000) {
                case 0100000 -> sb.append(" size=").append(a.get("size")).append(" sha=").append(sha(p));
                case 0120000 -> sb.append(" -> ").append(Files.readSymbolicLink(p));
                case 0020000, 0060000 -> sb.append(" rdev=").append(Long.toHexString((Long) a.get("rdev")));
                default -> { }
            }
            if (withLinks && (mode & 0170000) != 0040000 && (Integer) a.get("nlink") > 1) {
                String first = firstName.putIfAbsent(a.get("fileKey"), rel);
                sb.append(" link=").append(first == null ? rel : first);
            }
            TreeMap<String, byte[]> x = io.squashroot.host.HostXattrs.read(p);
            if (x != null) {
                x.forEach((k, v) -> sb.append(' ').append(k).append('=').append(HexFormat.of().formatHex(v)));
            }
            lines.add(sb.toString());
        }
        return String.join("\n", lines);
    }

    static String sha(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
