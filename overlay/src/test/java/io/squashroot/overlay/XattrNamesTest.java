package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay remembers each upper inode's xattr names ({@link XattrNames}) and answers
 * getxattr of non-user names from one listxattr: what it serves must still follow every change
 * made through it (FsTree calls, no mount).
 */
class XattrNamesTest {
    private static final Caller ROOT = new Caller(0, 0, 1);

    @TempDir
    Path tmp;

    private Overlay overlay(boolean privileged) throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        return Overlay.open(List.of(DirectoryTree.of(lower)), Files.createDirectories(tmp.resolve("upper")),
                privileged);
    }

    private static void create(Overlay o, String path) throws FsException {
        o.release(path, o.create(path, 0644, 1, ROOT));
    }

    @Test
    void recordedOwner_shownAtOnce_afterGetattrFoundNoRecord() throws Exception {
        Overlay o = overlay(false);
        create(o, "/a");
        assertEquals(0, o.getattr("/a").uid()); // nothing recorded yet: remembered so
        o.chown("/a", 1234, 5678);
        FileAttr a = o.getattr("/a");
        assertEquals(1234, a.uid());
        assertEquals(5678, a.gid());
        o.chmod("/a", 0600);
        assertEquals(FileAttr.S_IFREG | 0600, o.getattr("/a").mode());
    }

    @Test
    void recordedOwnerAndMode_stayShown_acrossChmodChownAndUtimens() throws Exception {
        Overlay o = overlay(false);
        create(o, "/a");
        o.utimens("/a", 1_000_000_000L, 2_000_000_000L); // new ctime, nothing recorded
        o.chmod("/a", 0644);
        assertEquals(0, o.getattr("/a").uid());
        o.chown("/a", 1234, 5678); // recorded now
        o.utimens("/a", 3_000_000_000L, 4_000_000_000L);
        FileAttr a = o.getattr("/a");
        assertEquals(1234, a.uid());
        assertEquals(4, a.mtimeSec());
        o.chmod("/a", 0); // no owner bits: recorded, the host file keeps 0600
        o.utimens("/a", FileAttr.UTIME_OMIT, 5_000_000_000L);
        assertEquals(FileAttr.S_IFREG, o.getattr("/a").mode());
        assertEquals(1234, o.getattr("/a").uid());
        o.chown("/a", 0, 0); // back to the host owner: the record goes
        o.chmod("/a", 0640);
        FileAttr b = o.getattr("/a");
        assertEquals(0, b.uid());
        assertEquals(FileAttr.S_IFREG | 0640, b.mode());
        assertEquals(5, b.mtimeSec());
    }

    @Test
    void newFile_afterUnlinkOfRecordedOne_hasCallersOwner() throws Exception {
        Overlay o = overlay(false);
        for (int i = 0; i < 20; i++) { // freed inode numbers come back on ext4; whatever the host, no record leaks
            create(o, "/r");
            o.chown("/r", 1234, 5678);
            assertEquals(1234, o.getattr("/r").uid());
            o.unlink("/r");
            create(o, "/n" + i);
            FileAttr n = o.getattr("/n" + i);
            assertEquals(0, n.uid(), "/n" + i);
            assertEquals(0, n.gid(), "/n" + i);
        }
    }

    @Test
    void trustedXattr_setGetRemove_asRootAndRecordedForAUser() throws Exception {
        for (boolean privileged : new boolean[] {true, false}) {
            Overlay o = overlay(privileged);
            String p = privileged ? "/root-file" : "/user-file";
            create(o, p);
            assertEquals(Errno.ENODATA, assertThrows(FsException.class, () -> o.getxattr(p, "trusted.t")).errno());
            o.setxattr(p, "trusted.t", "v1".getBytes(StandardCharsets.UTF_8), 0);
            assertArrayEquals("v1".getBytes(StandardCharsets.UTF_8), o.getxattr(p, "trusted.t"), "privileged=" + privileged);
            o.setxattr(p, "trusted.t", "v2".getBytes(StandardCharsets.UTF_8), 0);
            assertArrayEquals("v2".getBytes(StandardCharsets.UTF_8), o.getxattr(p, "trusted.t"), "privileged=" + privileged);
            o.removexattr(p, "trusted.t");
            assertEquals(Errno.ENODATA, assertThrows(FsException.class, () -> o.getxattr(p, "trusted.t")).errno());
            o.destroy();
            Upper.deleteTree(tmp.resolve("upper"));
            Upper.deleteTree(tmp.resolve("lower"));
        }
    }
}
