package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data-sharing training's rehearsal must really do a start's file-system work, or the
 * classes it is there to load stay out of the archive without anyone noticing.
 */
class StartRehearsalTest {
    @TempDir
    Path dir;

    @Test
    void rehearse_answersEveryRequest_butTheMissingXattr() throws Exception {
        List<String> failed = StartRehearsal.rehearse(dir);
        assertEquals(List.of("getxattr /etc/os-release security.capability: errno 61"), failed);
        // the upper took the chmod (copy-up) and the created file is gone again
        assertTrue(Files.exists(dir.resolve("upper/etc/os-release")), "copied up");
        assertTrue(Files.isDirectory(dir.resolve("upper/tmp")) && !Files.exists(dir.resolve("upper/tmp/x")));
    }

    @Test
    void run_leavesNoScratchDirectory() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before;
        try (var s = Files.list(tmp)) {
            before = s.filter(p -> p.getFileName().toString().startsWith("squashroot-rehearsal-")).toList();
        }
        StartRehearsal.run();
        try (var s = Files.list(tmp)) {
            assertEquals(before, s.filter(p -> p.getFileName().toString().startsWith("squashroot-rehearsal-")).toList());
        }
    }
}
