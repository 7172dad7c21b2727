package io.squashroot.extract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Permission bits as the creation attribute {@link java.nio.channels.FileChannel#open} takes,
 * and this process's umask, so the extractor can create a file with its final mode and skip the
 * chmod that would otherwise follow (one system call of about seven per file).
 */
final class FileModes {
    /**
     * The process's umask, read once from /proc/self/status (Linux 4.7+); 0777 when it cannot
     * be read, which makes every file take the chmod, as before.
     */
    static final int UMASK = readUmask();

    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };
    private static final FileAttribute<?>[] ATTRIBUTES = new FileAttribute<?>[512];

    private FileModes() {
    }

    /** The creation attribute for permission bits {@code mode} (0..0777). */
    static FileAttribute<?> attribute(int mode) {
        FileAttribute<?> a = ATTRIBUTES[mode];
        if (a == null) {
            Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
            for (int bit = 0; bit < 9; bit++) {
                if ((mode & (1 << bit)) != 0) {
                    set.add(BITS[bit]);
                }
            }
            a = PosixFilePermissions.asFileAttribute(set);
            ATTRIBUTES[mode] = a; // a benign race: equal values
        }
        return a;
    }

    /** The octal value of the "Umask:" line of a /proc/PID/status text; 0777 if there is none. */
    static int parseUmask(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Umask:")) {
                try {
                    return Integer.parseInt(line.substring(6).trim(), 8) & 0777;
                } catch (NumberFormatException e) {
                    return 0777;
                }
            }
        }
        return 0777;
    }

    private static int readUmask() {
        try {
            return parseUmask(Files.readString(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return 0777;
        }
    }
}
