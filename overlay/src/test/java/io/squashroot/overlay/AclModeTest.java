package io.squashroot.overlay;

import static io.squashroot.overlay.AclIdsTest.acl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import org.junit.jupiter.api.Test;

/** The mode bits an access ACL stands for, and an ACL after chmod (posix_acl_equiv_mode, posix_acl_chmod). */
class AclModeTest {
    private static final long U = 0xffffffffL;

    private static byte[] named(int user, int named, int group, int mask, int other) {
        return acl(AclIds.USER_OBJ, user, U, AclIds.USER, named, 1000, AclIds.GROUP_OBJ, group, U,
                AclIds.MASK, mask, U, AclIds.OTHER, other, U);
    }

    private static byte[] minimal(int user, int group, int other) {
        return acl(AclIds.USER_OBJ, user, U, AclIds.GROUP_OBJ, group, U, AclIds.OTHER, other, U);
    }

    @Test
    void perm_groupBitsAreTheMask_whenThereIsOne() throws Exception {
        assertEquals(0674, AclMode.perm(named(6, 7, 4, 7, 4)));
        assertEquals(0604, AclMode.perm(named(6, 7, 4, 0, 4)), "a mask of --- even though group:: is r--");
        assertEquals(0640, AclMode.perm(minimal(6, 4, 0)));
    }

    @Test
    void equivalentToMode_onlyWithoutNamedEntriesAndMask() throws Exception {
        assertTrue(AclMode.equivalentToMode(minimal(7, 5, 5)));
        assertFalse(AclMode.equivalentToMode(named(6, 7, 4, 7, 4)));
        assertFalse(AclMode.equivalentToMode(acl(AclIds.USER_OBJ, 6, U, AclIds.GROUP_OBJ, 4, U, AclIds.MASK, 4, U,
                AclIds.OTHER, 0, U)), "a mask alone is still an extended ACL");
    }

    @Test
    void chmod_rewritesOwnerMaskAndOther_keepsNamedEntriesAndGroupObj() throws Exception {
        assertArrayEquals(named(7, 7, 4, 5, 0), AclMode.chmod(named(6, 7, 4, 7, 4), 04750));
        assertArrayEquals(minimal(6, 0, 4), AclMode.chmod(minimal(7, 5, 5), 0604), "without a mask: group:: takes it");
    }

    @Test
    void malformed_einval() {
        FsException e = assertThrows(FsException.class, () -> AclMode.perm(new byte[] {2, 0, 0, 0, 1}));
        assertEquals(Errno.EINVAL, e.errno());
        assertThrows(FsException.class, () -> AclMode.chmod(new byte[] {1, 0, 0, 0}, 0644));
        assertThrows(FsException.class, () -> AclMode.equivalentToMode(null));
    }
}
