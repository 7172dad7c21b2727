package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Named containers (create, list, remove, concurrent starts) and gc after a killed launcher, as root. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerLifecycleTest {
    private Sandbox box;
    private Path image;

    @BeforeAll
    void setUp() throws IOException {
        box = new Sandbox(null);
        image = TestImages.busybox(box.base, "life", Map.of());
    }

    @AfterAll
    void tearDown() throws IOException {
        box.close();
    }

    @Test
    void createListRemove_extractMode() throws Exception {
        Sandbox.Result r = box.run("create", "--mount-mode=extract", "--name", "c1", image.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(Files.isRegularFile(box.dataPath().resolve("c1/etc/os-release")), "extracted as enroot does");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(box.dataPath())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(box.runtimePath())));

        r = box.run("create", "--mount-mode=extract", "--name", "c1", image.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("File already exists: " + box.dataPath().resolve("c1")), r.toString());
        assertEquals(0, box.run("create", "--mount-mode=extract", "-f", "-n", "c1", image.toString()).status());

        r = box.run("list");
        assertEquals("c1\n", r.out());
        r = box.run("list", "-f");
        assertEquals(0, r.status(), r.toString());
        String row = r.out().lines().filter(l -> l.startsWith("c1 ")).findFirst().orElseThrow();
        assertTrue(row.contains(" extract ") && row.contains(image.toRealPath().toString()) && row.contains("sha256:"), row);
        assertFalse(row.contains("(changed)"), row);

        assertEquals(0, box.run("start", "c1", "true").status());
        r = box.run("list", "-f");
        row = r.out().lines().filter(l -> l.startsWith("c1 ")).findFirst().orElseThrow();
        assertEquals(2, java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT").matcher(row).results().count(),
                "created and last start: " + row);

        r = box.run(Map.of(), "n\n", "remove", "c1");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.err().contains("Do you really want to delete"), r.toString());
        assertTrue(Files.isDirectory(box.dataPath().resolve("c1")), "answered no");
        assertEquals(0, box.run(Map.of(), "y\n", "remove", "c1").status());
        assertFalse(Files.exists(box.dataPath().resolve("c1")));
        assertEquals("", box.run("list").out());
    }

    @Test
    void errors_nameTheThing_andExit1() throws Exception {
        Sandbox.Result r = box.run("start", "no-such-container", "true");
        assertEquals(1, r.status());
        assertEquals("squashroot: No such file or directory: " + box.dataPath().resolve("no-such-container") + "\n", r.err());
        r = box.run("create", box.base.resolve("missing.sqsh").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("No such file or directory: " + box.base.resolve("missing.sqsh")), r.toString());
        Path notImage = box.write(box.base.resolve("not.sqsh"), "hello", false);
        r = box.run("create", notImage.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("Invalid image format: " + notImage), r.toString());
        r = box.run("create", "--name", "a/b", image.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("Invalid argument: a/b"), r.toString());
        r = box.run("remove", "-f", "nothing-here");
        assertEquals(1, r.status());
        r = box.run("gc", "--older-than", "soon");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("--older-than soon"), r.toString());
    }

    @Test
    void concurrentStarts_ofExtractContainer_shareIt() throws Exception {
        assertEquals(0, box.run("create", "--mount-mode=extract", "-n", "shared", image.toString()).status());
        Path flag = box.base.resolve("both-running");
        Process a = box.start(Map.of(), "start", "-m", box.base + ":/mnt/b:none:x-create=dir,bind", "shared",
                "sh", "-c", "echo a > /mnt/b/a.started; while [ ! -e /mnt/b/b.started ]; do sleep 0.05; done; echo done");
        Process b = box.start(Map.of(), "start", "-m", box.base + ":/mnt/b:none:x-create=dir,bind", "shared",
                "sh", "-c", "echo b > /mnt/b/b.started; while [ ! -e /mnt/b/a.started ]; do sleep 0.05; done; echo done");
        try {
            assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS), "both ran at once");
            assertEquals(0, a.exitValue(), new String(a.getErrorStream().readAllBytes()));
            assertEquals(0, b.exitValue(), new String(b.getErrorStream().readAllBytes()));
            assertFalse(Files.exists(flag));
        } finally {
            a.destroy();
            b.destroy();
            a.waitFor(30, TimeUnit.SECONDS);
            b.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(0, box.run("remove", "-f", "shared").status());
    }

    @Test
    void killedLauncher_takesContainerDown_andGcCleansUp() throws Exception {
        Process p = box.start(Map.of(), "start", "--mount-mode=extract", image.toString(), "sh", "-c", "echo up; exec sleep 300");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        assertEquals("up", out.readLine());
        List<ProcessHandle> inside = p.descendants().toList();
        assertFalse(inside.isEmpty());
        List<Path> runDirs = listRunDirs();
        assertEquals(1, runDirs.size(), runDirs.toString());
        Path extracted = Path.of(Files.readString(runDirs.get(0).resolve("extracted")).trim());
        assertTrue(Files.isDirectory(extracted));

        p.destroyForcibly();
        p.waitFor();
        Sandbox.awaitTrue(Duration.ofSeconds(10), () -> inside.stream().noneMatch(ProcessHandle::isAlive),
                "container processes to die with the launcher");

        Sandbox.Result r = box.run("gc", "--dry-run");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("would remove runtime dir " + runDirs.get(0)), r.toString());
        assertTrue(Files.isDirectory(runDirs.get(0)), "dry run removes nothing");

        r = box.run("gc");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("removed runtime dir " + runDirs.get(0)), r.toString());
        assertTrue(r.out().matches("(?s).*freed [0-9.]+[KMG] \\(1 item\\).*"), r.toString());
        assertFalse(Files.exists(runDirs.get(0)));
        assertFalse(Files.exists(extracted), "the temporary extracted tree goes too");
    }

    @Test
    void gcOlderThan_removesUnusedContainersOnly() throws Exception {
        assertEquals(0, box.run("create", "--mount-mode=extract", "-n", "old", image.toString()).status());
        Sandbox.Result r = box.run("gc", "--older-than", "1h");
        assertFalse(r.out().contains("container old"), r.toString());
        Thread.sleep(1100);
        r = box.run("gc", "--older-than", "1s", "--dry-run");
        assertTrue(r.out().contains("would remove container old"), r.toString());
        assertTrue(Files.isDirectory(box.dataPath().resolve("old")));
        r = box.run("gc", "--older-than", "1s");
        assertTrue(r.out().contains("removed container old"), r.toString());
        assertFalse(Files.exists(box.dataPath().resolve("old")));
    }

    /**
     * Script libraries of older jars (planted as an upgrade leaves them) go; the one a running
     * container recorded in its run directory stays, and the container ends normally after gc.
     */
    @Test
    void gc_removesOldScriptLibraries_runningContainerKeepsItsOwn() throws Exception {
        Process p = box.start(Map.of(), "start", "--mount-mode=extract", image.toString(), "sh", "-c",
                "echo up; read x; echo done $x");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            assertEquals("up", out.readLine());
            List<Path> recording = listRunDirs().stream().filter(d -> Files.exists(d.resolve("library"))).toList();
            assertEquals(1, recording.size(), recording.toString());
            Path lib = box.runtimePath().resolve(Files.readString(recording.get(0).resolve("library")).trim());
            Path old = Files.createDirectories(box.runtimePath().resolve("lib-0123456789ab"));
            Files.write(old.resolve("start.sh"), new byte[100_000]);
            Path oldLink = Files.createSymbolicLink(box.runtimePath().resolve("jar-1-1"), old.getFileName());

            Sandbox.Result r = box.run("gc", "--dry-run");
            assertTrue(r.out().contains("would remove script library " + old + "\n"), r.toString());
            assertTrue(r.out().contains("would remove script library link " + oldLink + "\n"), r.toString());
            assertFalse(r.out().contains(lib.toString()), r.toString());
            r = box.run("gc");
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().contains("removed script library " + old + "\n"), r.toString());
            assertTrue(r.out().matches("(?s).*freed (9[0-9]|1[0-9][0-9])(\\.[0-9])?K \\(2 items\\).*"), r.toString());
            assertFalse(Files.exists(old));
            assertFalse(Files.exists(oldLink, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.isRegularFile(lib.resolve("start.sh")), "the running container's library stays");

            p.getOutputStream().write("ok\n".getBytes());
            p.getOutputStream().close();
            assertEquals("done ok", out.readLine());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    private List<Path> listRunDirs() throws IOException {
        try (var s = Files.list(box.runtimePath())) {
            return s.filter(d -> d.getFileName().toString().startsWith("squashroot.")).toList();
        }
    }
}
