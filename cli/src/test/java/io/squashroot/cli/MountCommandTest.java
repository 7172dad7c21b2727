package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.fuse.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code squashroot mount/umount} end to end: separate JVMs, real FUSE mounts, real signals,
 * as root and as the ordinary user sqtest (through fusermount).
 */
class MountCommandTest {

    private Sandbox box;

    @AfterEach
    void cleanUp() throws IOException {
        if (box != null) {
            box.close(); // detaches anything a failed test left mounted
        }
    }

    private Path image() throws IOException {
        Path src = box.base.resolve("src");
        Files.createDirectories(src.resolve("etc"));
        Files.writeString(src.resolve("etc/hostname"), "node01\n");
        Files.writeString(src.resolve("data"), "x".repeat(300_000));
        Path img = box.base.resolve("image.sqsh");
        Sandbox.sh("mksquashfs", src.toString(), img.toString(), "-noappend", "-quiet", "-no-progress", "-comp", "zstd");
        Sandbox.sh("chmod", "-R", "a+rX", box.base.toString());
        return img;
    }

    private Path mountpoint() throws IOException {
        Path mp = Files.createDirectories(box.base.resolve("mnt"));
        if (box.user != null) {
            Sandbox.chown(mp, box.user);
        }
        return mp;
    }

    private long serverPid() throws IOException {
        try (Stream<Path> s = Files.list(box.base.resolve("run/squashroot"))) {
            Path pid = s.filter(p -> p.toString().endsWith(".pid")).findFirst().orElseThrow();
            return Long.parseLong(Files.readString(pid).trim());
        }
    }

    private static boolean mounted(Path mp) {
        try {
            return MountTable.isFuseMount(mp);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void mountReturnsOnceServing_andUmountStopsTheServer() throws Exception {
        box = new Sandbox(null);
        Path img = image();
        Path mp = mountpoint();
        Sandbox.Result r = box.run("mount", img.toString(), mp.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("node01\n", Files.readString(mp.resolve("etc/hostname")));
        assertEquals(0, Files.getAttribute(mp.resolve("data"), "unix:uid"), "root keeps stored owners");
        long pid = serverPid();
        assertTrue(ProcessHandle.of(pid).isPresent());

        r = box.run("umount", mp.toString());
        assertEquals(0, r.status(), r.toString());
        assertFalse(mounted(mp));
        Sandbox.awaitTrue(Duration.ofSeconds(20), () -> ProcessHandle.of(pid).isEmpty(), "server exit");
    }

    @Test
    void unprivilegedMount_presentsFilesAsTheCallersOwn() throws Exception {
        Path dev = Path.of("/dev/fuse");
        String oldMode = Sandbox.sh("stat", "-c", "%a", dev.toString()).trim();
        Sandbox.sh("chmod", "0666", dev.toString());
        try {
            box = new Sandbox(Sandbox.TEST_USER);
            Path img = image();
            Path mp = mountpoint();
            long uid = Long.parseLong(Sandbox.sh("id", "-u", Sandbox.TEST_USER).trim());
            long gid = Long.parseLong(Sandbox.sh("id", "-g", Sandbox.TEST_USER).trim());
            Sandbox.Result r = box.run("mount", img.toString(), mp.toString());
            assertEquals(0, r.status(), r.toString());
            // Without allow_other only the mounting user gets in (root too is refused).
            String asUser = Sandbox.sh("setpriv", "--reuid=" + Sandbox.TEST_USER, "--regid=" + Sandbox.TEST_USER,
                    "--init-groups", "sh", "-c", "stat -c '%u %g' " + mp + "/etc/hostname; cat " + mp + "/etc/hostname");
            assertEquals(uid + " " + gid + "\nnode01\n", asUser);
            assertTrue(Files.readString(Path.of("/proc/self/mountinfo")).contains("user_id=" + uid));

            r = box.run("umount", mp.toString());
            assertEquals(0, r.status(), r.toString());
            assertFalse(mounted(mp));
        } finally {
            Sandbox.sh("chmod", oldMode, dev.toString());
        }
    }

    @Test
    void killedServer_leavesStaleMount_thatMountAndUmountRecover() throws Exception {
        box = new Sandbox(null);
        Path img = image();
        Path mp = mountpoint();
        assertEquals(0, box.run("mount", img.toString(), mp.toString()).status());
        killServerAndAwaitStale(mp);

        Sandbox.Result r = box.run("mount", img.toString(), mp.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.err().contains("stale mount"), r.toString());
        assertEquals("node01\n", Files.readString(mp.resolve("etc/hostname")));

        killServerAndAwaitStale(mp);
        r = box.run("umount", mp.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.err().contains("stale mount"), r.toString());
        assertFalse(mounted(mp));
    }

    @Test
    void sigterm_unmountsAForegroundServer() throws Exception {
        box = new Sandbox(null);
        Path img = image();
        Path mp = mountpoint();
        Process p = box.start(Map.of(), "mount", "--foreground", img.toString(), mp.toString());
        try {
            Sandbox.awaitTrue(Duration.ofSeconds(60), () -> mounted(mp), "mount");
            assertEquals("node01\n", Files.readString(mp.resolve("etc/hostname")));
            Sandbox.sh("kill", "-TERM", Long.toString(p.pid()));
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertFalse(mounted(mp));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void missingLibfuse_isOneLineSayingWhatToInstall() throws Exception {
        box = new Sandbox(null);
        Path img = image();
        Path mp = mountpoint();
        Sandbox.Result r = box.run(Map.of("SQUASHROOT_LIBFUSE", "/nonexistent/libfuse.so.2"), null,
                "mount", img.toString(), mp.toString());
        assertEquals(1, r.status(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith("squashroot: libfuse2 not found at /nonexistent/libfuse.so.2"), r.toString());
        assertTrue(lines.get(0).contains("apt-get install libfuse2"), r.toString());
        assertFalse(mounted(mp));
    }

    @Test
    void badImage_isOneLineNamingTheImage() throws Exception {
        box = new Sandbox(null);
        Path bad = Files.writeString(box.base.resolve("bad.sqsh"), "not an image at all, but long enough to be read as a superblock"
                + "x".repeat(100));
        Path mp = mountpoint();
        Sandbox.Result r = box.run("mount", bad.toString(), mp.toString());
        assertEquals(1, r.status(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains(bad.toString()), r.toString());
        assertFalse(mounted(mp));
    }

    @Test
    void umount_refusesAPathThatIsNotMounted() throws Exception {
        box = new Sandbox(null);
        Path mp = mountpoint();
        Sandbox.Result r = box.run("umount", mp.toString());
        assertEquals(1, r.status(), r.toString());
        assertEquals("squashroot: " + mp + ": not a FUSE mount", r.err().trim());
    }
    /** SIGKILLs the mount's server and waits until the kernel reports the mount stale. */
    private void killServerAndAwaitStale(Path mp) throws Exception {
        Sandbox.sh("kill", "-KILL", Long.toString(serverPid()));
        Sandbox.awaitTrue(Duration.ofSeconds(20), () -> {
            try {
                return MountTable.isStale(mp);
            } catch (IOException e) {
                return false;
            }
        }, "stale mount");
    }

}
