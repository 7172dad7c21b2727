package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copy-up under failure: a full upper file system, and a SIGKILL in the middle of a copy. */
class CopyUpFailureTest {
    private static final Caller ROOT = new Caller(0, 0, 1);

    @TempDir
    Path tmp;

    private static byte[] readAll(Overlay o, String path, int size) throws FsException {
        long h = o.open(path, 0, ROOT);
        ByteBuffer b = ByteBuffer.allocate(size + 1);
        int n;
        long off = 0;
        while ((n = o.read(path, h, b, off)) > 0) {
            off += n;
        }
        o.release(path, h);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Test
    void copyUp_upperFull_failsWithEnospcAndKeepsLowerView() throws Exception {
        assumeTrue(Sh.isRoot(), "mounting a small tmpfs needs root");
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        byte[] data = new byte[2 << 20];
        new Random(7).nextBytes(data);
        Files.write(lower.resolve("big"), data);
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Sh.ok("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", upper.toString());
        try {
            Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper);
            try {
                upperFull(o, upper, data);
            } finally {
                o.destroy(); // it holds the upper directory open, as a mount does
            }
        } finally {
            Sh.run(List.of("umount", upper.toString()));
        }
    }

    private static void upperFull(Overlay o, Path upper, byte[] data) throws Exception {
        FsException e = assertThrows(FsException.class, () -> o.chmod("/big", 0600));
        assertEquals(Errno.ENOSPC, e.errno());
        assertEquals(data.length, o.getattr("/big").size());
        assertArrayEquals(data, readAll(o, "/big", data.length));
        assertEquals(List.of(Whiteout.WORK_DIR), Sh.ok("ls", "-A", upper.toString()).lines().toList());
        assertEquals("", Sh.ok("ls", "-A", upper.resolve(Whiteout.WORK_DIR).toString()));

        long h = o.create("/new", 0644, 1, ROOT);
        FsException w = assertThrows(FsException.class, () -> o.write("/new", h, ByteBuffer.wrap(data), 0));
        assertEquals(Errno.ENOSPC, w.errno());
        o.release("/new", h);
        o.unlink("/new");
        o.mkdir("/after", 0755, ROOT); // space freed: the upper is usable again
        assertTrue(o.getattr("/after").isDirectory());
    }

    @Test
    void copyUp_squashfsLowerUpperFull_failsWithEnospcAndKeepsHolesWhenItFits() throws Exception {
        assumeTrue(Sh.isRoot(), "mounting a small tmpfs needs root");
        Path src = Files.createDirectories(tmp.resolve("src"));
        byte[] data = new byte[2 << 20];
        new Random(5).nextBytes(data);
        Files.write(src.resolve("big"), data);
        byte[] sparse = new byte[1 << 20];
        System.arraycopy(data, 0, sparse, 0, 4096); // data, then a hole of 1020 KiB
        Files.write(src.resolve("sparse"), sparse);
        Path img = tmp.resolve("lower.sqsh");
        Sh.ok("mksquashfs", src.toString(), img.toString(), "-quiet", "-no-progress", "-b", "65536");
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Sh.ok("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", upper.toString());
        try (io.squashroot.squashfs.SquashfsImage image = io.squashroot.squashfs.SquashfsImage.open(img)) {
            Overlay o = Overlay.open(List.of(new io.squashroot.fuse.SquashfsTree(image, Runnable::run, 0)), upper);
            try {
                FsException e = assertThrows(FsException.class, () -> o.chmod("/big", 0600));
                assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
                assertArrayEquals(data, readAll(o, "/big", data.length));
                assertEquals("", Sh.ok("ls", "-A", upper.resolve(Whiteout.WORK_DIR).toString()));

                o.chmod("/sparse", 0600);
                assertArrayEquals(sparse, Files.readAllBytes(upper.resolve("sparse")));
                assertTrue(HostFs.lstat(upper.resolve("sparse").toString()).blocks() * 512 < 64 * 1024,
                        "the zero blocks stay a hole in the copy");
            } finally {
                o.destroy();
            }
        } finally {
            Sh.run(List.of("umount", upper.toString()));
        }
    }

    @Test
    void copyUp_killedMidway_leavesLowerViewOrCompleteCopy() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        byte[] data = new byte[64 << 20];
        new Random(11).nextBytes(data);
        Files.write(lower.resolve("big"), data);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int delayMs : new int[] {5, 30, 120}) {
            Path upper = Files.createDirectories(tmp.resolve("upper" + delayMs));
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    CopyUpVictim.class.getName(), lower.toString(), upper.toString()).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("copying", out.readLine());
            Thread.sleep(delayMs);
            p.destroyForcibly(); // SIGKILL
            p.waitFor(10, TimeUnit.SECONDS);
            Path copy = upper.resolve("big");
            if (delayMs == 5) {
                assertFalse(Files.exists(copy, LinkOption.NOFOLLOW_LINKS),
                        "64 MiB cannot be copied in 5 ms: the kill must land mid-copy");
            }
            if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                assertArrayEquals(data, Files.readAllBytes(copy), "a copy in the upper layer is complete");
            }
            Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper);
            assertArrayEquals(data, readAll(o, "/big", data.length), "killed after " + delayMs + " ms");
            assertEquals("", Sh.ok("ls", "-A", upper.resolve(Whiteout.WORK_DIR).toString()));
        }
    }
}
