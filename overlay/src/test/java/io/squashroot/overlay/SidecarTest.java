package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar files that hold user.* xattrs where the upper's file system stores none: their
 * text format, and an unprivileged overlay forced to use them (called directly, no mount; the
 * mounted suite over ramfs is in OverlayPosixSuiteTest).
 */
class SidecarTest {
    private static final Caller ROOT = new Caller(0, 0, 1);

    @TempDir
    Path tmp;

    private Path lower() throws Exception {
        Path lower = tmp.resolve("lower");
        if (!Files.exists(lower)) {
            Files.createDirectories(lower.resolve("d"));
            Files.writeString(lower.resolve("f"), "lower");
            Files.writeString(lower.resolve("d/g"), "g");
        }
        return lower;
    }

    private Overlay overlay() throws Exception {
        return Overlay.open(List.of(DirectoryTree.of(lower())), Files.createDirectories(tmp.resolve("upper")),
                false, true);
    }

    private String sidecar(String dir) throws Exception {
        Path p = tmp.resolve("upper").resolve(dir).resolve(Sidecar.FILE);
        return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : null;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void format_oddNamesAndBinaryValues_roundTrip() throws Exception {
        Map<String, Map<String, byte[]>> in = Map.of("a b\n%c", Map.of("user.x y", new byte[] {0, 10, 32, 37, -1}),
                ".", Map.of("user.squashroot.stat", b("0 0 40755 0"), "user.empty", new byte[0]));
        byte[] text = SidecarFormat.encode(in);
        String s = new String(text, StandardCharsets.ISO_8859_1);
        assertEquals(Sidecar.HEADER, s.lines().findFirst().orElseThrow());
        assertTrue(s.contains("a%20b%0A%25c user.x%20y %00%0A%20%25%FF\n"), s);
        assertEquals(4, s.lines().count(), "one line per xattr: " + s);
        Map<String, Map<String, byte[]>> out = SidecarFormat.parse(text, "f");
        assertEquals(in.keySet(), out.keySet());
        assertArrayEquals(new byte[] {0, 10, 32, 37, -1}, out.get("a b\n%c").get("user.x y"));
        assertArrayEquals(new byte[0], out.get(".").get("user.empty"));
    }

    @Test
    void format_badLine_failsNamingFileAndLine() {
        byte[] text = b(Sidecar.HEADER + "\nf user.squashroot.stat 0%2\n");
        FsException e = assertThrows(FsException.class, () -> SidecarFormat.parse(text, "/u/d/" + Sidecar.FILE));
        assertEquals(Errno.EIO, e.errno());
        assertTrue(e.getMessage().contains("/u/d/" + Sidecar.FILE + " line 2"), e.getMessage());
        FsException h = assertThrows(FsException.class, () -> SidecarFormat.parse(b("junk\n"), "x"));
        assertTrue(h.getMessage().contains("x line 1"), h.getMessage());
    }

    @Test
    void chown_withSidecar_recordsInParentsFileAndNotOnHost() throws Exception {
        Overlay o = overlay();
        o.chown("/d/g", 1234, 5678);
        assertEquals(1234, o.getattr("/d/g").uid());
        assertEquals(5678, o.getattr("/d/g").gid());
        assertNull(HostFs.getxattr(tmp.resolve("upper/d/g").toString(), RecordedStat.XATTR));
        assertTrue(sidecar("d").contains("g user.squashroot.stat 1234%205678%20100644%200\n"), sidecar("d"));
        assertEquals(List.of(), Files.list(tmp.resolve("upper").resolve(Whiteout.WORK_DIR)).toList(),
                "no temp file left behind");
    }

    @Test
    void chown_directoryWithSidecar_recordIsInItsOwnFileAndMovesWithIt() throws Exception {
        Overlay o = overlay();
        o.mkdir("/n", 0755, ROOT);
        o.chown("/n", 42, 43);
        assertTrue(sidecar("n").contains(". user.squashroot.stat 42%2043%2040755%200\n"), sidecar("n"));
        o.rename("/n", "/m", 0);
        assertEquals(42, o.getattr("/m").uid());
        assertEquals(FileAttr.S_IFDIR | 0755, o.getattr("/m").mode());
    }

    @Test
    void rename_fileWithSidecarRecord_movesRecordAndReplacesTarget() throws Exception {
        Overlay o = overlay();
        o.chown("/f", 7, 8);
        o.mkdir("/n", 0755, ROOT);
        long h = o.create("/n/t", 0600, 1, new Caller(9, 9, 1));
        o.release("/n/t", h);
        assertEquals(9, o.getattr("/n/t").uid());
        o.rename("/f", "/n/t", 0);
        assertEquals(7, o.getattr("/n/t").uid());
        assertEquals(8, o.getattr("/n/t").gid());
        assertNull(sidecar(""), "the old name's record is gone with the root's last record");
        long h2 = o.create("/f", 0644, 1, ROOT);
        o.release("/f", h2);
        assertEquals(0, o.getattr("/f").uid(), "a new file at the old name does not inherit the record");
    }

    @Test
    void unlinkAndLink_withSidecar_dropAndCopyRecords() throws Exception {
        Overlay o = overlay();
        o.chown("/f", 5, 6);
        o.link("/f", "/f2");
        assertEquals(5, o.getattr("/f2").uid());
        o.unlink("/f2");
        assertFalse(sidecar("").contains("f2 "), sidecar(""));
        o.unlink("/f");
        assertEquals(null, sidecar(""), "no record left: the sidecar file is removed");
    }

    @Test
    void xattrs_withSidecar_userAndTrustedStoredListedRemovedAndSurviveRemount() throws Exception {
        Overlay o = overlay();
        o.setxattr("/f", "user.app", b("1"), 0);
        o.setxattr("/f", "trusted.app", b("2"), 0);
        assertEquals(Errno.EEXIST, assertThrows(FsException.class,
                () -> o.setxattr("/f", "user.app", b("3"), 1)).errno());
        assertEquals(List.of("trusted.app", "user.app"), o.listxattr("/f").stream().sorted().toList());
        Overlay again = overlay();
        assertArrayEquals(b("1"), again.getxattr("/f", "user.app"));
        assertArrayEquals(b("2"), again.getxattr("/f", "trusted.app"));
        again.removexattr("/f", "user.app");
        assertEquals(Errno.ENODATA, assertThrows(FsException.class, () -> again.getxattr("/f", "user.app")).errno());
        assertEquals(List.of("trusted.app"), again.listxattr("/f"));
    }

    @Test
    void readdir_withSidecar_hidesTheSidecarFile() throws Exception {
        Overlay o = overlay();
        o.chown("/f", 1, 1);
        List<String> names = new java.util.ArrayList<>();
        o.readdir("/", (n, a) -> names.add(n));
        assertEquals(List.of(".", "..", "d", "f"), names.stream().sorted().toList());
        assertTrue(Files.exists(tmp.resolve("upper").resolve(Sidecar.FILE)));
    }
}
