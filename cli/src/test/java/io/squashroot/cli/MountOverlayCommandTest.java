package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code squashroot mount IMAGE MNT --upper DIR --lower DIR}: the writable overlay from the command line. */
class MountOverlayCommandTest {
    @TempDir
    Path tmp;

    private Path image() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("top.txt"), "from the image");
        Path img = tmp.resolve("top.sqsh");
        Process p = new ProcessBuilder("mksquashfs", src.toString(), img.toString(), "-quiet", "-no-progress")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        return img;
    }

    @Test
    void mountWithUpper_writesLandInUpperAndPersistAcrossRemount() throws Exception {
        Path img = image();
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("below.txt"), "from the lower dir");
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        String[] mount = {"mount", img.toString(), mnt.toString(), "--upper", upper.toString(), "--lower", lower.toString()};
        assertEquals(0, Main.run(mount));
        try {
            assertEquals("from the image", Files.readString(mnt.resolve("top.txt")));
            assertEquals("from the lower dir", Files.readString(mnt.resolve("below.txt")));
            Files.writeString(mnt.resolve("top.txt"), "changed");
            Files.delete(mnt.resolve("below.txt"));
            assertEquals("changed", Files.readString(upper.resolve("top.txt")));
        } finally {
            assertEquals(0, Main.run("umount", mnt.toString()));
        }
        assertEquals(0, Main.run(mount));
        try {
            assertEquals("changed", Files.readString(mnt.resolve("top.txt")));
            assertFalse(Files.exists(mnt.resolve("below.txt")));
            assertTrue(Files.exists(lower.resolve("below.txt")), "the lower directory is never written");
        } finally {
            assertEquals(0, Main.run("umount", mnt.toString()));
        }
    }

    @Test
    void lowerWithoutUpper_failsWithOneLine() throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        int status;
        try {
            status = Main.run("mount", image().toString(), tmp.toString(), "--lower", tmp.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, status);
        assertEquals("squashroot: --lower needs --upper (a read-only mount serves one image)", err.toString().trim());
    }
}
