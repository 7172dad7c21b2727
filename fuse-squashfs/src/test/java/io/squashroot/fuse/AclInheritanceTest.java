package io.squashroot.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** posix_acl_create's arithmetic on the xattr form, against values worked out by hand. */
class AclInheritanceTest {
    private static final int REG = 0100000;
    private static final int DIR = 0040000;

    /** An ACL value from {tag, perm, id} triples. */
    private static byte[] acl(int version, int[]... entries) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(version);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
        }
        return b.array();
    }

    private static MapTree withDefault(byte[] value) {
        return new MapTree() {
            @Override
            public byte[] getxattr(String path, String name) throws FsException {
                if (value == null || !path.equals("/d") || !name.equals(AclInheritance.DEFAULT)) {
                    throw new FsException(Errno.ENODATA);
                }
                return value;
            }
        };
    }

    @Test
    void noDefaultAcl_appliesTheUmaskOnly() throws Exception {
        AclInheritance a = AclInheritance.of(withDefault(null), "/d", REG | 0666, 022, false);
        assertEquals(REG | 0644, a.mode());
        assertNull(a.access());
        assertNull(a.dflt());
    }

    @Test
    void namedEntriesAndMask_inheritedCutToTheMode_umaskIgnored() throws Exception {
        byte[] dflt = acl(2, new int[] {0x01, 7, -1}, new int[] {0x02, 6, 1000}, new int[] {0x04, 5, -1},
                new int[] {0x10, 7, -1}, new int[] {0x20, 5, -1});
        AclInheritance file = AclInheritance.of(withDefault(dflt), "/d", REG | 0666, 022, false);
        assertEquals(REG | 0664, file.mode());
        assertArrayEquals(acl(2, new int[] {0x01, 6, -1}, new int[] {0x02, 6, 1000}, new int[] {0x04, 5, -1},
                new int[] {0x10, 6, -1}, new int[] {0x20, 4, -1}), file.access());
        assertNull(file.dflt(), "a file takes no default ACL");
        AclInheritance dir = AclInheritance.of(withDefault(dflt), "/d", DIR | 0777, 077, true);
        assertEquals(DIR | 0775, dir.mode());
        assertArrayEquals(dflt, dir.dflt(), "a directory keeps the default ACL as its own");
    }

    @Test
    void baseEntriesOnly_setTheModeAndNoAccessAcl() throws Exception {
        byte[] dflt = acl(2, new int[] {0x01, 7, -1}, new int[] {0x04, 5, -1}, new int[] {0x20, 0, -1});
        AclInheritance a = AclInheritance.of(withDefault(dflt), "/d", DIR | 0777, 022, true);
        assertEquals(DIR | 0750, a.mode(), "the group entry stands in for the mask");
        assertNull(a.access(), "three base entries say no more than the mode");
        assertArrayEquals(dflt, a.dflt());
    }

    @Test
    void malformedDefaultAcl_ignored() throws Exception {
        byte[] wrongVersion = acl(1, new int[] {0x01, 7, -1}, new int[] {0x04, 7, -1}, new int[] {0x20, 7, -1});
        byte[] unknownTag = acl(2, new int[] {0x01, 7, -1}, new int[] {0x04, 7, -1}, new int[] {0x40, 7, -1});
        byte[] namedWithoutMask = acl(2, new int[] {0x01, 7, -1}, new int[] {0x02, 7, 5}, new int[] {0x04, 7, -1},
                new int[] {0x20, 7, -1});
        byte[] truncated = java.util.Arrays.copyOf(acl(2, new int[] {0x01, 7, -1}, new int[] {0x04, 7, -1},
                new int[] {0x20, 7, -1}), 27);
        for (byte[] v : new byte[][] {wrongVersion, unknownTag, namedWithoutMask, truncated}) {
            AclInheritance a = AclInheritance.of(withDefault(v), "/d", REG | 0666, 022, false);
            assertEquals(REG | 0644, a.mode());
            assertNull(a.access());
        }
    }
}
