package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay's logic called directly as an FsTree, without a mount: what the mount suite
 * cannot reach (recorded ownership while the test runs as root, the upper's on-disk markers).
 */
class OverlayTreeTest {
    private static final Caller ROOT = new Caller(0, 0, 1);

    @TempDir
    Path tmp;

    private Path lower() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Files.createDirectories(lower.resolve("d"));
        Files.writeString(lower.resolve("d/g"), "g");
        return lower;
    }

    private Overlay overlay(boolean privileged) throws Exception {
        return Overlay.open(List.of(DirectoryTree.of(lower())), Files.createDirectories(tmp.resolve("upper")),
                privileged);
    }

    private static String read(Overlay o, String path) throws FsException {
        long h = o.open(path, 0, ROOT);
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        int n = o.read(path, h, b, 0);
        o.release(path, h);
        return new String(b.array(), 0, n, StandardCharsets.UTF_8);
    }

    private static List<String> list(Overlay o, String path) throws FsException {
        List<String> names = new ArrayList<>();
        o.readdir(path, (n, a) -> names.add(n));
        return names;
    }

    @Test
    void mknod_createsFifo() throws Exception {
        Overlay o = overlay(true);
        o.mknod("/p", FileAttr.S_IFIFO | 0644, 0, ROOT);
        assertEquals(FileAttr.S_IFIFO | 0644, o.getattr("/p").mode());
    }

    @Test
    void unlink_lowerFile_leavesWhiteoutDeviceInUpper() throws Exception {
        Overlay o = overlay(true);
        o.unlink("/f");
        assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> o.getattr("/f")).errno());
        HostStat st = HostFs.lstat(tmp.resolve("upper/f").toString());
        assertTrue(st.isWhiteoutDevice(), "upper/f is a 0:0 character device");
        assertEquals(List.of(".", "..", "d"), list(o, "/"));
    }

    @Test
    void whiteoutFile_hidesLowerName_andAStaleOneStaysBesideANewEntry() throws Exception {
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createFile(upper.resolve(".wh.f")); // hides the lower f
        Files.createFile(upper.resolve(".wh.x")); // no lower x below it: hides nothing
        Overlay o = overlay(true);
        assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> o.getattr("/f")).errno());
        assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> o.getattr("/x")).errno());
        assertEquals(List.of(".", "..", "d"), list(o, "/"));
        o.release("/x", o.create("/x", 0644, 0301, ROOT)); // O_CREAT|O_EXCL|O_WRONLY
        o.release("/f", o.create("/f", 0600, 0301, ROOT));
        assertEquals(FileAttr.S_IFREG | 0644, o.getattr("/x").mode());
        assertEquals(FileAttr.S_IFREG | 0600, o.getattr("/f").mode());
        assertEquals("", read(o, "/f"), "the new f, not the lower one");
        assertEquals(List.of(".", "..", "f", "x", "d"), list(o, "/"));
        o.unlink("/x");
        assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> o.getattr("/x")).errno());
        o.destroy();
        Overlay again = overlay(true); // the same state after a remount
        assertEquals(List.of(".", "..", "f", "d"), list(again, "/"));
        assertEquals("", read(again, "/f"));
    }

    @Test
    void chown_unprivileged_recordsOwnerAndServesIt() throws Exception {
        Overlay o = overlay(false);
        o.chown("/f", 1234, 5678);
        FileAttr a = o.getattr("/f");
        assertEquals(1234, a.uid());
        assertEquals(5678, a.gid());
        String hp = tmp.resolve("upper/f").toString();
        assertEquals("1234 5678 100644 0", new String(HostFs.getxattr(hp, RecordedStat.XATTR), StandardCharsets.US_ASCII));
        assertEquals("lower", read(o, "/f"));
    }

    @Test
    void mknod_unprivilegedDevice_recordsTypeAndNumbers() throws Exception {
        Overlay o = overlay(false);
        o.mknod("/null", FileAttr.S_IFCHR | 0666, HostFs.makedev(1, 3), new Caller(0, 0, 1));
        FileAttr a = o.getattr("/null");
        assertEquals(FileAttr.S_IFCHR | 0666, a.mode());
        assertEquals(HostFs.makedev(1, 3), a.rdev());
        assertTrue(Files.isRegularFile(tmp.resolve("upper/null"), LinkOption.NOFOLLOW_LINKS),
                "a placeholder regular file stands in for the device");
        Overlay again = Overlay.open(List.of(DirectoryTree.of(tmp.resolve("lower"))), tmp.resolve("upper"), false);
        assertEquals(FileAttr.S_IFCHR | 0666, again.getattr("/null").mode());
    }

    @Test
    void chmod_unprivilegedWithoutOwnerBits_keepsHostFileUsable() throws Exception {
        Overlay o = overlay(false);
        o.chmod("/f", 0);
        assertEquals(FileAttr.S_IFREG, o.getattr("/f").mode());
        assertEquals(0600, HostFs.lstat(tmp.resolve("upper/f").toString()).mode() & 07777);
        o.chmod("/f", 0644);
        assertEquals(FileAttr.S_IFREG | 0644, o.getattr("/f").mode());
        assertEquals(null, HostFs.getxattr(tmp.resolve("upper/f").toString(), RecordedStat.XATTR),
                "nothing left to record once the host mode is the requested one");
    }

    @Test
    void setxattr_trustedUnprivileged_isStoredEscapedAndListedByItsName() throws Exception {
        Overlay o = overlay(false);
        o.setxattr("/f", "trusted.app", "v".getBytes(StandardCharsets.US_ASCII), 0);
        assertArrayEquals("v".getBytes(StandardCharsets.US_ASCII), o.getxattr("/f", "trusted.app"));
        assertTrue(o.listxattr("/f").contains("trusted.app"));
        assertFalse(o.listxattr("/f").stream().anyMatch(n -> n.startsWith("user.squashroot.")));
    }

    @Test
    void setxattr_overlayMarker_isRefused() throws Exception {
        Overlay o = overlay(true);
        FsException e = assertThrows(FsException.class,
                () -> o.setxattr("/d", "trusted.overlay.opaque", new byte[] {'y'}, 0));
        assertEquals(Errno.EPERM, e.errno());
    }

    @Test
    void create_reservedWhiteoutName_isRefused() throws Exception {
        Overlay o = overlay(true);
        FsException e = assertThrows(FsException.class, () -> o.create("/.wh.f", 0644, 1, ROOT));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void rename_lowerDirectory_copiesSubtreeUpAndMarksItOpaque() throws Exception {
        Overlay o = overlay(true);
        o.rename("/d", "/e", 0);
        assertEquals("g", read(o, "/e/g"));
        assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> o.getattr("/d")).errno());
        String hp = tmp.resolve("upper/e").toString();
        assertTrue(Whiteout.isYes(HostFs.getxattr(hp, Whiteout.TRUSTED_OPAQUE)));
        assertTrue(HostFs.lstat(tmp.resolve("upper/d").toString()).isWhiteoutDevice());
    }

    @Test
    void inode_staysTheSameAcrossCopyUp() throws Exception {
        Overlay o = overlay(true);
        long before = o.getattr("/f").ino();
        o.chmod("/f", 0600);
        assertEquals(before, o.getattr("/f").ino());
    }

    @Test
    void open_workDirLeftovers_areRemovedAtMount() throws Exception {
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path work = Files.createDirectories(upper.resolve(Whiteout.WORK_DIR));
        Files.writeString(work.resolve("17"), "half a copy-up");
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower())), upper, true);
        assertFalse(Files.exists(work.resolve("17")));
        assertEquals(List.of(".", "..", "d", "f"), list(o, "/").stream().sorted().toList());
    }
}
