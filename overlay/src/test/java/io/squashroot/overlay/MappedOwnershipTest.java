package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.squashroot.overlay.IdMap.Range;
import io.squashroot.tree.Caller;
import io.squashroot.tree.FileAttr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay of a container with a subordinate range, called as the FUSE server is: requests
 * carry host ids, the upper records container ids, and every id served is a host id. The
 * "host user" is this test's (root when it runs as root): container 0 is that user, container
 * 1..65536 are host 200000..265535. Both homes of the record (xattr, sidecar) are covered.
 */
class MappedOwnershipTest {
    @TempDir
    Path tmp;

    private static String attr(FileAttr a) {
        return a.uid() + ":" + a.gid();
    }

    @ParameterizedTest(name = "sidecar={0}")
    @ValueSource(booleans = {false, true})
    void recordsContainerIds_servesHostIds(boolean sidecar) throws Exception {
        long me = HostFs.geteuid();
        long myGroup = HostFs.getegid();
        IdMap ids = new IdMap(List.of(new Range(0, me, 1), new Range(1, 200000, 65536)),
                List.of(new Range(0, myGroup, 1), new Range(1, 200000, 65536)));
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Files.writeString(lower.resolve("mine"), "the image's 42");
        Files.setPosixFilePermissions(lower, PosixFilePermissions.fromString("rwxr-x--x"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString("rwx------"));
        // A lower layer's ids are the image's, i.e. container ids. (As root, make one 42.)
        boolean root = me == 0;
        if (root) {
            HostFs.lchown(lower.resolve("mine").toString(), 42, 42);
        }
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, ids);

        assertEquals(me + ":" + myGroup, attr(o.getattr("/f")), "the image's owner (here the test's own ids, "
                + "container " + ids.uidToContainer(me) + ") comes back as the host id");
        if (root) {
            assertEquals("200041:200041", attr(o.getattr("/mine")), "image id 42 is served as the range's 42");
        }
        assertEquals(FileAttr.S_IFDIR | 0751, o.getattr("/").mode(), "the private upper root shows the image root's mode");

        long h = o.create("/new", 0644, 1, new Caller(200999, 200999, 7));
        o.release("/new", h);
        o.mkdir("/d", 0755, new Caller(me, myGroup, 7));
        o.chown("/f", 200041, 0xffffffffL);
        o.chown("/d", 5, 5); // a host id the namespace does not map: recorded as nobody
        assertEquals("200999:200999", attr(o.getattr("/new")));
        assertEquals("200041:" + myGroup, attr(o.getattr("/f")));
        assertEquals((200000 + 65533) + ":" + (200000 + 65533), attr(o.getattr("/d")), "nobody, as the namespace sees it");
        if (!sidecar) {
            assertEquals("1000 1000 100644 0", xattr(upper.resolve("new")), "container ids in the record");
            assertEquals("42 0 100644 0", xattr(upper.resolve("f")), "host 200041 is container 42; container root's group kept as 0");
        }
        o.destroy();

        Overlay again = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, ids);
        assertEquals("200999:200999", attr(again.getattr("/new")), "the record survives a remount");
        assertEquals("200041:" + myGroup, attr(again.getattr("/f")));
        IdMap other = new IdMap(List.of(new Range(0, me, 1), new Range(1, 300000, 65536)),
                List.of(new Range(0, myGroup, 1), new Range(1, 300000, 65536)));
        Overlay moved = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, other);
        assertEquals("300999:300999", attr(moved.getattr("/new")), "a new range serves the same container ids");
        Overlay unmapped = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar);
        assertEquals("1000:1000", attr(unmapped.getattr("/new")), "without a map: the container ids as recorded");
    }

    @ParameterizedTest(name = "mode={0}")
    @ValueSource(strings = {"rwxr-xr-x", "rwx--x---"})
    void upperRoot_thatIsNotPrivate_keepsItsMode(String mode) throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.setPosixFilePermissions(lower, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString(mode));
        IdMap ids = new IdMap(List.of(new Range(0, HostFs.geteuid(), 1)), List.of(new Range(0, HostFs.getegid(), 1)));
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, false, ids);
        int perm = Integer.parseInt(mode.replaceAll("[rwx]", "1").replace('-', '0'), 2);
        assertEquals(FileAttr.S_IFDIR | perm, o.getattr("/").mode(), "the upper root's own mode is served");
        assertEquals(PosixFilePermissions.fromString(mode), Files.getPosixFilePermissions(upper), "host mode untouched");
        assertNull(HostFs.getxattr(upper.toString(), RecordedStat.XATTR));
        o.destroy();
    }

    private static String xattr(Path p) throws Exception {
        return new String(HostFs.getxattr(p.toString(), RecordedStat.XATTR), StandardCharsets.US_ASCII);
    }
}
