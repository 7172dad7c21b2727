package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fuse mode, as root: the image mounted in place under a copy-on-write overlay served by the
 * launcher; private upper for images, a persistent one for named containers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuseModeTest {
    private Sandbox box;
    private Path image;

    @BeforeAll
    void setUp() throws IOException {
        box = new Sandbox(null);
        image = TestImages.busybox(box.base, "fz", Map.of("/etc/motd", "image motd\n"));
    }

    @AfterAll
    void tearDown() throws IOException {
        box.close();
    }

    @Test
    void start_image_mountsInPlace_andLeavesNothingBehind() throws Exception {
        Sandbox.Result r = box.run("start", image.toString(), "sh", "-c",
                "cat /etc/os-release; awk '$5 == \"/\"' /proc/self/mountinfo");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("ID=busybox"), r.toString());
        assertTrue(r.out().contains(" - fuse.squashroot " + image), "root is our FUSE mount: " + r);
        assertTrue(Files.readString(Path.of("/proc/self/mountinfo")).lines().noneMatch(l -> l.contains(box.base.toString())),
                "unmounted after the start");
        try (var s = Files.list(box.runtimePath())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("squashroot.")), "runtime dir removed");
        }
    }

    @Test
    void writes_vanishInUnnamedStarts() throws Exception {
        Sandbox.Result r = box.run("start", "--rw", image.toString(), "sh", "-c",
                "echo changed > /etc/motd; echo new > /new; rm /etc/os-release; cat /etc/motd /new");
        assertEquals(0, r.status(), r.toString());
        assertEquals("changed\nnew\n", r.out());
        r = box.run("start", image.toString(), "sh", "-c", "cat /etc/motd; ls /new /etc/os-release 2>&1 | wc -l");
        assertEquals(List.of("image motd", "2"), r.out().lines().map(String::trim).toList(), r.toString());
    }

    @Test
    void namedFuseContainer_keepsItsWrites_inItsUpperOnly() throws Exception {
        Sandbox.Result r = box.run("create", "-n", "keep", image.toString());
        assertEquals(0, r.status(), r.toString());
        r = box.run("start", "--rw", "keep", "sh", "-c", "echo kept > /etc/motd; mkdir -p /work && echo w > /work/f; rm /etc/os-release");
        assertEquals(0, r.status(), r.toString());
        r = box.run("start", "keep", "sh", "-c", "cat /etc/motd /work/f; ls /etc/os-release 2>&1 | grep -c 'No such'");
        assertEquals("kept\nw\n1\n", r.out(), r.toString());
        assertTrue(Files.exists(box.dataPath().resolve("keep/work/f")), "upper layer in $ENROOT_DATA_PATH/NAME");
        assertFalse(Files.exists(box.dataPath().resolve("keep/bin")), "the image is not copied");
        assertEquals("image motd\n", box.run("start", image.toString(), "cat", "/etc/motd").out(), "image untouched");
        r = box.run("list", "-f");
        String row = r.out().lines().filter(l -> l.startsWith("keep ")).findFirst().orElseThrow();
        assertTrue(row.contains(" fuse ") && !row.contains("(changed)"), row);
        assertEquals(0, box.run("remove", "-f", "keep").status());
        assertFalse(Files.exists(box.dataPath().resolve("keep")));
    }

    @Test
    void listF_flagsContainersWhoseImageChanged() throws Exception {
        Path img = box.base.resolve("changing.sqsh");
        Files.copy(image, img, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(0, box.run("create", "-n", "chg", img.toString()).status());
        Path other = TestImages.busybox(box.base, "other", Map.of("/etc/motd", "other\n"));
        Files.move(other, img, StandardCopyOption.REPLACE_EXISTING);
        Sandbox.Result r = box.run("list", "-f");
        String row = r.out().lines().filter(l -> l.startsWith("chg ")).findFirst().orElseThrow();
        assertTrue(row.contains(img + " (changed)"), row);
        r = box.run("start", "chg", "cat", "/etc/motd");
        assertEquals("other\n", r.out(), r.toString());
        assertTrue(r.err().contains("changed since container chg was created"), r.toString());
        assertEquals(0, box.run("remove", "-f", "chg").status());
    }

    @Test
    void concurrentStart_ofNamedFuseContainer_isRefused() throws Exception {
        assertEquals(0, box.run("create", "-n", "once", image.toString()).status());
        Process first = box.start(Map.of(), "start", "once", "sh", "-c", "echo up; sleep 60");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream()));
            assertEquals("up", out.readLine());
            Sandbox.Result second = box.run("start", "once", "true");
            assertEquals(1, second.status(), second.toString());
            assertTrue(second.err().contains("Container is in use: once"), second.toString());
            Sandbox.Result rm = box.run("remove", "-f", "once");
            assertEquals(1, rm.status(), rm.toString());
            assertTrue(rm.err().contains("Container is in use: once"), rm.toString());
        } finally {
            first.destroy();
            first.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(143, first.exitValue(), "SIGTERM reached the command");
        assertEquals(0, box.run("start", "once", "true").status(), "free again");
        assertEquals(0, box.run("remove", "-f", "once").status());
    }

    @Test
    void killedLauncher_leavesDeadMount_thatGcDetaches() throws Exception {
        Process p = box.start(Map.of(), "start", image.toString(), "sh", "-c", "echo up; exec sleep 300");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertEquals("up", out.readLine());
        List<ProcessHandle> inside = p.descendants().toList();
        p.destroyForcibly();
        p.waitFor();
        Sandbox.awaitTrue(Duration.ofSeconds(10), () -> inside.stream().noneMatch(ProcessHandle::isAlive),
                "container processes to die with the launcher");
        Sandbox.Result r = box.run("gc");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("removed mount " + box.runtimePath()), r.toString());
        assertTrue(r.out().contains("removed runtime dir " + box.runtimePath()), r.toString());
        assertTrue(Files.readString(Path.of("/proc/self/mountinfo")).lines().noneMatch(l -> l.contains(box.base.toString())),
                "no mount left");
        try (var s = Files.list(box.runtimePath())) {
            assertTrue(s.noneMatch(d -> d.getFileName().toString().startsWith("squashroot.")));
        }
    }

    @Test
    void export_writesWhatTheContainerSees_inBothModes() throws Exception {
        for (String mode : new String[] {"fuse", "extract"}) {
            String name = "exp-" + mode;
            assertEquals(0, box.run("create", "--mount-mode=" + mode, "-n", name, image.toString()).status());
            assertEquals(0, box.run("start", "--rw", name, "sh", "-c", "echo exported > /etc/motd; rm /etc/os-release").status());
            Path out = box.base.resolve(name + ".sqsh");
            Sandbox.Result r = box.run("export", name, out.toString());
            assertEquals(0, r.status(), r.toString());
            r = box.run("export", name, out.toString());
            assertEquals(1, r.status(), "exists: " + r);
            assertTrue(r.err().contains("File already exists: " + out), r.toString());
            r = box.run("start", out.toString(), "sh", "-c", "cat /etc/motd; ls /etc/os-release 2>&1 | grep -c 'No such'");
            Sandbox.Result started = r;
            assertEquals("exported\n1\n", r.out(), () -> mode + ": " + started + exportedImageDiagnosis(out));
            assertTrue(Sandbox.sh("unsquashfs", "-s", out.toString()).contains("Compression lzo"), "ENROOT_SQUASH_OPTIONS used");
            assertEquals(0, box.run("remove", "-f", name).status());
        }
    }

    /**
     * Once seen in CI (1 run of 4, not reproduced in 120 more): the exported image's busybox
     * sh died of SIGSEGV (status 139, "segfault at 2" in the kernel log) before printing. Says
     * whether the image's busybox matches the source image's and what the kernel logged, so a
     * recurrence tells a bad image from a bad read. The cause found: the fuse-mode export read
     * busybox through the container's mount, whose readahead buffer pool could hand one buffer
     * to two blocks, and wrote a neighbouring block in place of one (fixed in BlockPrefetch;
     * fuse-squashfs PrefetchedReadsMountTest).
     */
    private String exportedImageDiagnosis(Path exported) {
        StringBuilder b = new StringBuilder("\n--- diagnosis");
        for (Path img : List.of(image, exported)) {
            try {
                b.append("\n").append(img.getFileName()).append(" bin/busybox md5: ")
                        .append(Sandbox.sh("sh", "-c", "unsquashfs -cat \"$1\" bin/busybox | md5sum", "sh", img.toString()).trim());
            } catch (IOException e) {
                b.append("\n").append(img).append(": ").append(e.getMessage());
            }
        }
        try {
            b.append("\nkernel log: ").append(Sandbox.sh("sh", "-c", "dmesg 2>&1 | grep -i segfault | tail -3"));
        } catch (IOException e) {
            b.append("\nkernel log: ").append(e.getMessage());
        }
        return b.toString();
    }
}
