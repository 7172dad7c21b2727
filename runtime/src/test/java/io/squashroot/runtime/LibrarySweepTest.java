package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc's removal of old script libraries, on real files in a runtime path: the running code's
 * library and link stay, a running start's recorded library stays, the rest goes and is counted.
 */
class LibrarySweepTest {
    @TempDir
    Path tmp;

    /** A library as an older jar left it: start.sh and some bytes. */
    private static Path oldLibrary(Path run, String name) throws IOException {
        Path d = Files.createDirectories(run.resolve(name));
        Files.writeString(d.resolve("start.sh"), "#!/bin/bash\n");
        Files.write(d.resolve("common.sh"), new byte[64 * 1024]);
        return d;
    }

    /** A run directory whose launcher is long gone (no such pid), recording {@code lib}. */
    private static Path staleRunDir(Path run, String lib) throws IOException {
        Path d = Files.createDirectories(run.resolve(RunDirs.PREFIX + "999999999.0"));
        Files.writeString(d.resolve("owner"), "999999999 ?\n");
        Files.writeString(d.resolve(ScriptLibrary.RECORD), lib + "\n");
        return d;
    }

    /** Above any pid_max: never a running process. */
    private static final long DEAD_PID = 999999999;

    private static LibrarySweep sweep(Path run, Path jar) throws IOException {
        return new LibrarySweep(new RunDirs(run), ScriptLibrary.currentNames(run, jar));
    }

    @Test
    void gc_removesOtherJarsLibrariesAndLinks_keepsCurrentAndRunning() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path jar = Files.writeString(tmp.resolve("squashroot.jar"), "the running jar");
        Path current = ScriptLibrary.unpack(run, jar);
        Path currentLink = jarLink(run);
        Path old = oldLibrary(run, "lib-aaaaaaaaaaaa");
        Files.createSymbolicLink(run.resolve("jar-100-200"), old.getFileName());
        Path running = oldLibrary(run, "lib-bbbbbbbbbbbb");
        Path deadsOnly = oldLibrary(run, "lib-cccccccccccc");
        staleRunDir(run, deadsOnly.getFileName().toString());
        Path notOurs = Files.createDirectories(run.resolve("lib-notahash"));
        RunDirs dirs = new RunDirs(run);
        Path runDir = dirs.create(); // this JVM is its launcher: a running start
        assertEquals(running, ScriptLibrary.claim(running, runDir));
        long expected = Tree.sizeOnDisk(old) + Tree.sizeOnDisk(deadsOnly);

        List<String> items = new ArrayList<>();
        long dry = sweep(run, jar).run(true, items);
        assertEquals(List.of("script library link " + run.resolve("jar-100-200"), "script library " + old,
                "script library " + deadsOnly), items);
        assertEquals(expected, dry);
        assertTrue(Files.isDirectory(old) && Files.isSymbolicLink(run.resolve("jar-100-200")), "dry run removes nothing");

        items.clear();
        assertEquals(expected, sweep(run, jar).run(false, items));
        assertEquals(3, items.size(), items.toString());
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(deadsOnly));
        assertFalse(Files.exists(run.resolve("jar-100-200"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(current.resolve("start.sh")), "the running code's library stays");
        assertEquals(current.getFileName(), Files.readSymbolicLink(currentLink), "and its link");
        assertTrue(Files.isRegularFile(running.resolve("start.sh")), "a running start's library stays");
        assertTrue(Files.isDirectory(notOurs), "a name that is not a library's is left alone");
        try (var s = Files.list(run)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".gc-")).toList());
        }

        RunDirs.clean(runDir); // that start ends: its library is an old one like the rest
        items.clear();
        assertTrue(sweep(run, jar).run(false, items) > 0);
        assertEquals(List.of("script library " + running), items);
        assertTrue(Files.isRegularFile(current.resolve("start.sh")));
    }

    @Test
    void runningStartWithoutRecord_keepsEveryLibrary_linksStillGo() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path old = oldLibrary(run, "lib-aaaaaaaaaaaa");
        Files.createSymbolicLink(run.resolve("jar-1-2"), old.getFileName());
        new RunDirs(run).create(); // between its run directory and its claim, or from before records
        List<String> items = new ArrayList<>();
        assertEquals(0, sweep(run, null).run(false, items));
        assertEquals(List.of("script library link " + run.resolve("jar-1-2")), items);
        assertTrue(Files.isRegularFile(old.resolve("start.sh")));
    }

    @Test
    void claim_ofALibraryGcTookMeanwhile_unpacksAgainAndRecordsIt() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path lib = ScriptLibrary.unpack(run, null);
        Path runDir = new RunDirs(run).create();
        Tree.delete(lib); // gc moved it aside after this start found it
        Path claimed = ScriptLibrary.claim(lib, runDir);
        assertEquals(lib, claimed, "the same contents unpack under the same name");
        assertTrue(Files.isRegularFile(claimed.resolve("start.sh")));
        assertEquals(lib.getFileName() + "\n",
                Files.readString(runDir.resolve(ScriptLibrary.RECORD), StandardCharsets.UTF_8));
    }

    @Test
    void leftAsideByAKilledGc_removed() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path aside = oldLibrary(run, ".gc-lib-aaaaaaaaaaaa-999999999");
        Path ownAside = oldLibrary(run, ".gc-lib-aaaaaaaaaaaa-" + ProcessHandle.current().pid());
        List<String> items = new ArrayList<>();
        assertTrue(sweep(run, null).run(false, items) > 0);
        assertEquals(List.of("script library " + aside), items);
        assertTrue(Files.isDirectory(ownAside), "a gc still running (here: this JVM) finishes its own");
    }

    /** What a start killed while unpacking leaves: a temporary directory holding part of the files. */
    private static Path halfUnpacked(Path run, String prefix) throws IOException {
        Path d = Files.createTempDirectory(run, prefix);
        Files.write(d.resolve("start.sh"), new byte[16 * 1024]);
        return d;
    }

    @Test
    void temporariesOfStartsKilledWhileUnpacking_removedOnceTheirPidIsGone_runningOnesKept() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        long self = ProcessHandle.current().pid();
        Path deadDir = halfUnpacked(run, ScriptLibrary.unpackingPrefix(DEAD_PID));
        Path liveDir = halfUnpacked(run, ScriptLibrary.unpackingPrefix(self)); // this JVM is still writing it
        Path deadLink = Files.createSymbolicLink(run.resolve(ScriptLibrary.linkingName(DEAD_PID, 1)),
                Path.of("lib-aaaaaaaaaaaa"));
        Path liveLink = Files.createSymbolicLink(run.resolve(ScriptLibrary.linkingName(self, 1)),
                Path.of("lib-aaaaaaaaaaaa"));
        // older builds named it without a pid: only its age tells
        Path oldNoPid = halfUnpacked(run, ".lib-");
        Files.setLastModifiedTime(oldNoPid, FileTime.from(Instant.now().minus(LibrarySweep.NO_PID_AGE).minusSeconds(60)));
        Path newNoPid = halfUnpacked(run, ".lib-");
        Path notOurs = Files.createDirectories(run.resolve(".lib-notours"));
        long expected = Tree.sizeOnDisk(deadDir) + Tree.sizeOnDisk(oldNoPid);
        List<String> want = new ArrayList<>(List.of("script library " + deadDir, "script library " + oldNoPid));
        want.sort(null);
        want.add(0, "script library link " + deadLink);

        List<String> items = new ArrayList<>();
        assertEquals(expected, sweep(run, null).run(true, items));
        assertEquals(want, items);
        assertTrue(Files.isDirectory(deadDir) && Files.isSymbolicLink(deadLink), "dry run removes nothing");

        items.clear();
        assertEquals(expected, sweep(run, null).run(false, items));
        assertEquals(3, items.size(), items.toString());
        assertFalse(Files.exists(deadDir, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(oldNoPid, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(deadLink, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(liveDir.resolve("start.sh")), "a running start's unpacking stays");
        assertTrue(Files.isSymbolicLink(liveLink), "and its link being made");
        assertTrue(Files.isRegularFile(newNoPid.resolve("start.sh")), "a recent one without a pid stays");
        assertTrue(Files.isDirectory(notOurs), "a name that is not a temporary's is left alone");
    }

    @Test
    void currentNames_jarLinkItsTargetAndContentName() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path jar = Files.writeString(tmp.resolve("squashroot.jar"), "jar");
        Path lib = ScriptLibrary.unpack(run, null);
        assertEquals(Set.of(lib.getFileName().toString()), ScriptLibrary.currentNames(run, null));
        ScriptLibrary.unpack(run, jar);
        assertEquals(Set.of(lib.getFileName().toString(), jarLink(run).getFileName().toString()),
                ScriptLibrary.currentNames(run, jar));
    }

    private static Path jarLink(Path run) throws IOException {
        try (var s = Files.list(run)) {
            List<Path> l = s.filter(p -> p.getFileName().toString().startsWith("jar-")).toList();
            assertEquals(1, l.size(), l.toString());
            return l.get(0);
        }
    }
}
