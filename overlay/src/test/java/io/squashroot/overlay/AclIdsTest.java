package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.overlay.IdMap.Range;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure translation of POSIX ACL xattr values and its refusals. */
class AclIdsTest {
    /** Container 0 is host 1001; 1..65536 are host 100000.. (uids) and 200000.. (gids, 1000 of them). */
    static final IdMap RANGE = new IdMap(List.of(new Range(0, 1001, 1), new Range(1, 100000, 65536)),
            List.of(new Range(0, 1002, 1), new Range(1, 200000, 1000)));
    private static final long UNDEFINED = 0xffffffffL;

    /** An ACL value of {tag, perm, id} triples, as the kernel lays it out. */
    static byte[] acl(long... tagPermId) {
        ByteBuffer b = ByteBuffer.allocate(4 + tagPermId.length / 3 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        for (int i = 0; i < tagPermId.length; i += 3) {
            b.putShort((short) tagPermId[i]).putShort((short) tagPermId[i + 1]).putInt((int) tagPermId[i + 2]);
        }
        return b.array();
    }

    private static byte[] withUser(long uid, long gid) {
        return acl(AclIds.USER_OBJ, 6, UNDEFINED, AclIds.USER, 7, uid, AclIds.GROUP_OBJ, 4, UNDEFINED,
                AclIds.GROUP, 4, gid, AclIds.MASK, 7, UNDEFINED, AclIds.OTHER, 4, UNDEFINED);
    }

    @Test
    void toContainer_translatesUserAndGroupEntriesOnly() throws Exception {
        // what setfacl -m u:1000:rwx,g:20:r sent from the container reaches the server as
        byte[] fromKernel = withUser(100999, 200019);
        assertArrayEquals(withUser(1000, 20), AclIds.toContainer(fromKernel, RANGE));
        assertArrayEquals(withUser(100999, 200019), fromKernel, "the input is not changed");
    }

    @Test
    void toHost_isTheInverse() throws Exception {
        assertArrayEquals(withUser(100999, 200019), AclIds.toHost(withUser(1000, 20), RANGE));
        assertArrayEquals(withUser(1001, 1002), AclIds.toHost(withUser(0, 0), RANGE), "container root is the user");
    }

    @Test
    void unmappedIds_becomeOverflow() throws Exception {
        assertArrayEquals(withUser(65534, 65534), AclIds.toContainer(withUser(0, 5), RANGE), "host ids outside the map");
        assertArrayEquals(withUser(65534, 65534), AclIds.toHost(withUser(70000, 1001), RANGE),
                "container ids past either range");
    }

    @Test
    void headerAlone_passesThrough() throws Exception {
        assertArrayEquals(acl(), AclIds.toHost(acl(), RANGE));
    }

    @Test
    void identity_changesNothing() throws Exception {
        assertArrayEquals(withUser(100999, 42), AclIds.toHost(withUser(100999, 42), IdMap.identity()));
    }

    @Test
    void malformedValues_einvalNamingWhatIsWrong() {
        byte[] good = withUser(1000, 20);
        byte[] ragged = java.util.Arrays.copyOf(good, good.length - 3);
        byte[] version1 = good.clone();
        version1[0] = 1;
        byte[] badTag = acl(AclIds.USER_OBJ, 6, UNDEFINED, 0x40, 4, 7);
        byte[] badPerm = acl(AclIds.USER_OBJ, 010, UNDEFINED);
        byte[] noId = acl(AclIds.USER, 4, UNDEFINED);
        for (byte[] v : List.of(new byte[0], new byte[3], ragged, version1, badTag, badPerm, noId)) {
            FsException e = assertThrows(FsException.class, () -> AclIds.toHost(v, RANGE), HexFormat.of().formatHex(v));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().startsWith("POSIX ACL xattr: "), e.getMessage());
        }
        FsException tag = assertThrows(FsException.class, () -> AclIds.toContainer(badTag, RANGE));
        assertEquals("POSIX ACL xattr: entry 1: unknown tag 0x40", tag.getMessage());
        assertThrows(FsException.class, () -> AclIds.toContainer(null, RANGE));
    }

    @Test
    void isAcl_onlyTheTwoSystemNames() {
        assertTrue(AclIds.isAcl("system.posix_acl_access"));
        assertTrue(AclIds.isAcl("system.posix_acl_default"));
        assertFalse(AclIds.isAcl("user.posix_acl_access"));
        assertFalse(AclIds.isAcl("trusted.overlay.opaque"));
    }
}
