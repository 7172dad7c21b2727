package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Looks up mount points in /proc/self/mountinfo (see proc(5) for the line format). */
final class MountTable {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {
    }

    /** One mounted file system: its type and source as the kernel shows them. */
    record Entry(String mountPoint, String fsType, String source) {
    }

    static Optional<Entry> find(Path mountPoint) throws IOException {
        return find(Files.readString(MOUNTINFO), mountPoint.toAbsolutePath().normalize().toString());
    }

    static Optional<Entry> find(String mountinfo, String mountPoint) {
        Entry found = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 10) {
                continue;
            }
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] tail = line.substring(dash + 3).split(" ");
            if (unescape(f[4]).equals(mountPoint) && tail.length >= 2) {
                // The last matching line wins: it is the mount on top.
                found = new Entry(mountPoint, tail[0], unescape(tail[1]));
            }
        }
        return Optional.ofNullable(found);
    }

    static boolean isMounted(Path mountPoint) throws IOException {
        return find(mountPoint).isPresent();
    }

    /** mountinfo writes space, tab, newline and backslash as 3-digit octal escapes. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(ch -> ch >= '0' && ch <= '7')) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
