package io.squashroot.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FileModesTest {
    @Test
    void parseUmask_readsTheOctalStatusLine() {
        assertEquals(022, FileModes.parseUmask("Name:\tjava\nUmask:\t0022\nState:\tR (running)\n"));
        assertEquals(077, FileModes.parseUmask("Umask:\t0077\n"));
        assertEquals(0, FileModes.parseUmask("Umask:\t0000"));
    }

    @Test
    void parseUmask_missingOrGarbled_isTheMostCautious() {
        assertEquals(0777, FileModes.parseUmask("Name:\tjava\n"), "no line: every file takes the chmod");
        assertEquals(0777, FileModes.parseUmask("Umask:\tzz\n"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void attribute_holdsExactlyTheModeBits() {
        for (int mode : new int[] {0, 0644, 0755, 0600, 0666, 0777, 0111, 0421}) {
            Set<PosixFilePermission> set = (Set<PosixFilePermission>) FileModes.attribute(mode).value();
            String rwx = PosixFilePermissions.toString(set);
            StringBuilder expected = new StringBuilder();
            for (int bit = 8; bit >= 0; bit--) {
                expected.append((mode & (1 << bit)) == 0 ? '-' : "rwx".charAt((8 - bit) % 3));
            }
            assertEquals(expected.toString(), rwx, Integer.toOctalString(mode));
            assertEquals("posix:permissions", FileModes.attribute(mode).name());
        }
    }
}
