package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The normal case on a cluster: an ordinary user (sqtest) runs containers; nothing setuid. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnprivilegedStartTest {
    private Sandbox box;
    private Path image;
    private String uid;

    @BeforeAll
    void setUp() throws IOException {
        box = new Sandbox(Sandbox.TEST_USER);
        box.env.put("SQUASHROOT_MOUNT_MODE", "extract");
        image = TestImages.busybox(box.base, "user", Map.of());
        Sandbox.chown(box.base, Sandbox.TEST_USER);
        uid = Sandbox.sh("id", "-u", Sandbox.TEST_USER).trim();
    }

    @AfterAll
    void tearDown() throws IOException {
        box.close();
    }

    @Test
    void start_asOrdinaryUser_keepsUid_orRemapsToRootWithRoot() throws Exception {
        Sandbox.Result r = box.run("start", image.toString(), "sh", "-c", "id -u; cat /etc/os-release | grep ^ID=");
        assertEquals(0, r.status(), r.toString());
        assertEquals(List.of(uid, "ID=busybox"), r.out().lines().toList());
        r = box.run("start", "--root", image.toString(), "sh", "-c", "id -u; touch /tmp/x && ls -n /tmp/x | awk '{print $3}'");
        assertEquals(0, r.status(), r.toString());
        assertEquals(List.of("0", "0"), r.out().lines().toList());
        r = box.run(Map.of("ENROOT_REMAP_ROOT", "y"), null, "start", image.toString(), "id", "-u");
        assertEquals("0\n", r.out(), r.toString());
    }

    @Test
    void perUserDirectories_are0700_andOwnedByUser() throws Exception {
        assertEquals(0, box.run("create", "-n", "mine", image.toString()).status());
        for (Path p : List.of(box.dataPath(), box.runtimePath(), box.base.resolve("cache/enroot"))) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            assertEquals(Sandbox.TEST_USER, Files.getOwner(p).getName(), p.toString());
        }
        Sandbox.Result r = box.run("start", "--rw", "mine", "sh", "-c", "echo kept > /etc/kept; exit 5");
        assertEquals(5, r.status(), r.toString());
        assertEquals("kept\n", box.run("start", "mine", "cat", "/etc/kept").out());
        assertEquals(0, box.run("remove", "-f", "mine").status());
    }

    @Test
    void exec_joinsRunningContainer() throws Exception {
        Process p = box.start(Map.of(), "start", image.toString(), "sh", "-c", "echo $$ > /tmp/me; echo up; sleep 60");
        var stdout = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        assertEquals("up", stdout.readLine());
        // "up" is printed before the shell forks sleep: wait for the process to appear.
        ProcessHandle sleep = null;
        for (long end = System.nanoTime() + 20_000_000_000L; sleep == null && System.nanoTime() < end; ) {
            sleep = p.descendants().filter(h -> h.info().arguments().map(a -> List.of(a).contains("60")).orElse(false))
                    .findFirst().orElse(null);
            if (sleep == null) {
                Thread.sleep(50);
            }
        }
        assertTrue(sleep != null, "the container's sleep never appeared");
        Sandbox.Result r = box.run(Map.of("FROM_HOST", "h"), null, "exec", "-e", "FROM_HOST", "-e", "X=1",
                Long.toString(sleep.pid()), "sh", "-c", "cat /tmp/me; echo $X $FROM_HOST; id -u; pwd");
        p.destroyForcibly();
        p.waitFor();
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("1 h", uid, "/"), lines.subList(1, 4), r.toString());
        Sandbox.Result bad = box.run("exec", "999999999", "true");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("Process not found: 999999999"), bad.toString());
    }
}
