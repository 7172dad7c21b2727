package io.squashroot.overlay;

import static io.squashroot.overlay.AclIdsTest.acl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.squashroot.overlay.IdMap.Range;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POSIX ACL xattrs through a mapped overlay, called as the FUSE server is: the kernel's value
 * holds host ids, the upper keeps container ids, the image's ACLs are container ids, and every
 * ACL served holds host ids. Both homes of the escaped value (xattr, sidecar) are covered.
 */
class MappedAclTest {
    private static final long U = 0xffffffffL;
    @TempDir
    Path tmp;

    private static byte[] userAcl(long uid, long gid) {
        return acl(AclIds.USER_OBJ, 6, U, AclIds.USER, 7, uid, AclIds.GROUP_OBJ, 4, U, AclIds.GROUP, 5, gid,
                AclIds.MASK, 7, U, AclIds.OTHER, 4, U);
    }

    private static IdMap range(long base) {
        return new IdMap(List.of(new Range(0, HostFs.geteuid(), 1), new Range(1, base, 65536)),
                List.of(new Range(0, HostFs.getegid(), 1), new Range(1, base, 65536)));
    }

    @ParameterizedTest(name = "sidecar={0}")
    @ValueSource(booleans = {false, true})
    void acl_storedAsContainerIds_servedAsHostIds(boolean sidecar) throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Files.writeString(lower.resolve("img"), "the image's ACL");
        Files.createDirectories(lower.resolve("d"));
        // An image's ACL names container ids (here user 1000, group 20 of the image).
        HostFs.setxattr(lower.resolve("img").toString(), AclIds.ACCESS, userAcl(1000, 20), 0);
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, range(200000));

        assertArrayEquals(userAcl(200999, 200019), o.getxattr("/img", AclIds.ACCESS), "the image's 1000 as the range's");
        o.setxattr("/f", AclIds.ACCESS, userAcl(200999, 200019), 0);
        o.setxattr("/d", AclIds.DEFAULT, userAcl(201999, 200000 + 65535), 0);
        assertArrayEquals(userAcl(200999, 200019), o.getxattr("/f", AclIds.ACCESS));
        assertArrayEquals(userAcl(201999, 265535), o.getxattr("/d", AclIds.DEFAULT));
        o.setxattr("/img", "user.copied", new byte[] {1}, 0); // copies the image's ACL up
        if (!sidecar) {
            String escaped = RecordedStat.XATTR_ESCAPE + AclIds.ACCESS;
            assertArrayEquals(userAcl(1000, 20), HostFs.getxattr(upper.resolve("f").toString(), escaped),
                    "the upper holds the container's ids");
            assertArrayEquals(userAcl(2000, 65536), HostFs.getxattr(upper.resolve("d").toString(),
                    RecordedStat.XATTR_ESCAPE + AclIds.DEFAULT));
            assertArrayEquals(userAcl(1000, 20), HostFs.getxattr(upper.resolve("img").toString(), escaped),
                    "a copy-up keeps the image's ids");
        }
        o.setxattr("/f", AclIds.ACCESS, userAcl(5, 5), 0); // host ids the namespace does not map
        assertArrayEquals(userAcl(200000 + 65533, 200000 + 65533), o.getxattr("/f", AclIds.ACCESS),
                "recorded as nobody (65534), served as the range's nobody");
        o.destroy();

        Overlay moved = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, range(300000));
        assertArrayEquals(userAcl(300999, 300019), moved.getxattr("/img", AclIds.ACCESS),
                "another range serves the same container ids");
        assertArrayEquals(userAcl(301999, 365535), moved.getxattr("/d", AclIds.DEFAULT));
        Overlay unmapped = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar);
        assertArrayEquals(userAcl(1000, 20), unmapped.getxattr("/img", AclIds.ACCESS), "without a map: as stored");
    }

    /**
     * The mode follows an access ACL kept under the escaped name, and chmod rewrites the ACL, as
     * on a file system with ACLs; an ACL that says no more than the mode is not kept.
     */
    @ParameterizedTest(name = "sidecar={0}")
    @ValueSource(booleans = {false, true})
    void accessAcl_andMode_keptInStep(boolean sidecar) throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Files.setPosixFilePermissions(lower.resolve("f"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, range(200000));
        o.setxattr("/f", AclIds.ACCESS, userAcl(200999, 200019), 0); // mask rwx, other r--
        assertEquals(0674, o.getattr("/f").mode() & 07777, "group bits are the mask");
        o.chmod("/f", 02640);
        assertEquals(02640, o.getattr("/f").mode() & 07777);
        assertArrayEquals(acl(AclIds.USER_OBJ, 6, U, AclIds.USER, 7, 200999, AclIds.GROUP_OBJ, 4, U, AclIds.GROUP, 5,
                200019, AclIds.MASK, 4, U, AclIds.OTHER, 0, U), o.getxattr("/f", AclIds.ACCESS),
                "chmod set the mask (not group::) and other; named entries kept");
        o.setxattr("/f", AclIds.ACCESS, acl(AclIds.USER_OBJ, 7, U, AclIds.GROUP_OBJ, 5, U, AclIds.OTHER, 1, U), 0);
        assertEquals(02751, o.getattr("/f").mode() & 07777, "the mode, set-id bits kept");
        assertEquals(Errno.ENODATA, assertThrows(FsException.class, () -> o.getxattr("/f", AclIds.ACCESS)).errno(),
                "an ACL equivalent to the mode is not kept");
        o.destroy();
    }

    /**
     * A privileged overlay stores a real ACL on the host, which names host ids and which the host
     * file system keeps in step with the mode.
     */
    @Test
    void privilegedOverlay_realHostAcl_holdsHostIds() throws Exception {
        assumeTrue(HostFs.geteuid() == 0, "a real ACL naming other users' ids: run as root");
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Files.setPosixFilePermissions(lower.resolve("f"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper, true, false, range(200000));
        o.setxattr("/f", AclIds.ACCESS, userAcl(200999, 200019), 0);
        assertArrayEquals(userAcl(200999, 200019), HostFs.getxattr(upper.resolve("f").toString(), AclIds.ACCESS),
                "on the host: the host's ids");
        assertNull(HostFs.getxattr(upper.resolve("f").toString(), RecordedStat.XATTR_ESCAPE + AclIds.ACCESS));
        assertArrayEquals(userAcl(200999, 200019), o.getxattr("/f", AclIds.ACCESS));
        assertEquals(0674, o.getattr("/f").mode() & 07777, "the host kept the mode in step");
        o.destroy();
        Overlay moved = Overlay.open(List.of(DirectoryTree.of(lower)), upper, true, false, range(300000));
        assertArrayEquals(userAcl(300000 + 65533, 300000 + 65533), moved.getxattr("/f", AclIds.ACCESS),
                "host ids, like the owners it sets for real: outside another range they are nobody");
    }

    @ParameterizedTest(name = "sidecar={0}")
    @ValueSource(booleans = {false, true})
    void malformedAcl_einval_nothingStored(boolean sidecar) throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, range(200000));
        byte[] ragged = java.util.Arrays.copyOf(userAcl(200999, 200019), 13);
        FsException set = assertThrows(FsException.class, () -> o.setxattr("/f", AclIds.ACCESS, ragged, 0));
        assertEquals(Errno.EINVAL, set.errno());
        assertThrows(FsException.class, () -> o.getxattr("/f", AclIds.ACCESS), "nothing was set");
        assertNull(HostFs.lstatOrNull(upper.resolve("f").toString()), "a refused value copies nothing up");

        // A bad value already in the upper (written by hand, or through an overlay without a
        // map, which passes ACLs as they are) is refused when a mapped overlay serves it.
        o.setxattr("/f", "user.x", new byte[] {1}, 0);
        o.destroy();
        Overlay unmapped = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar);
        assertEquals(Errno.EINVAL, assertThrows(FsException.class,
                () -> unmapped.setxattr("/f", AclIds.ACCESS, new byte[] {2, 0, 0, 0, 9}, 0)).errno(),
                "an access ACL is read for the mode, so checked even without a map");
        unmapped.setxattr("/f", AclIds.DEFAULT, new byte[] {2, 0, 0, 0, 9}, 0);
        unmapped.destroy();
        Overlay stored = Overlay.open(List.of(DirectoryTree.of(lower)), upper, false, sidecar, range(200000));
        FsException get = assertThrows(FsException.class, () -> stored.getxattr("/f", AclIds.DEFAULT));
        assertEquals(Errno.EINVAL, get.errno());
        assertEquals(java.util.Set.of("user.x", AclIds.DEFAULT), java.util.Set.copyOf(stored.listxattr("/f")),
                "still listed, still removable");
        stored.removexattr("/f", AclIds.DEFAULT);
        assertEquals(List.of("user.x"), stored.listxattr("/f"));
    }
}
