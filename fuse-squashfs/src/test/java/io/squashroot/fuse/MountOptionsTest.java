package io.squashroot.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {

    private static final MountOptions BASE = MountOptions.builder().threads(4).build();

    @Test
    void parsesSquashfuseSpelling_intoOptions() {
        MountOptions o = MountOptions.parse("uid=1000,gid=100,allow_other,threads=6,entry_timeout=5,nokernel_cache,"
                + "readahead=256K,fsname=/img/a b.sqsh", BASE);
        assertEquals(1000, o.uid());
        assertEquals(100, o.gid());
        assertTrue(o.allowOther());
        assertEquals(6, o.threads());
        assertEquals(5.0, o.entryTimeout());
        assertFalse(o.kernelCache());
        assertEquals(256 * 1024, o.readaheadBytes());
        assertEquals("/img/a_b.sqsh", o.fsname(), "blanks would split the mount table line");
    }

    @Test
    void workers_defaultOnePerCpu_andOptionsParsed() {
        int cpus = Runtime.getRuntime().availableProcessors();
        MountOptions auto = MountOptions.builder().build();
        assertEquals(Math.max(2, Math.min(16, cpus)), auto.workers());
        assertEquals(4, BASE.workers(), "an explicit threads= wins");
        MountOptions parsed = MountOptions.parse("writeback_cache,backend=libfuse", auto);
        assertTrue(parsed.writebackCache());
        assertEquals("libfuse", parsed.backend());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("backend=fuse3", auto))
                .getMessage().contains("backend 'fuse3'"));
    }

    @Test
    void rejectsUnknownOption_namingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MountOptions.parse("ro,bogus=1", BASE));
        assertTrue(e.getMessage().startsWith("unknown mount option 'bogus=1'"), e.getMessage());
    }

    @Test
    void rejectsBadNumbers_namingTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("uid=abc", BASE))
                .getMessage().contains("uid=abc"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("threads=0", BASE))
                .getMessage().contains("threads=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MountOptions.parse("gid", BASE))
                .getMessage().contains("needs a value"));
    }

    @Test
    void fuseArgs_useLongTimeoutsForReadOnlyTrees_andShortForWritable() {
        String ro = MountOptions.parse("", BASE).fuseArgs(true).get(1);
        assertTrue(ro.contains("entry_timeout=86400.0") && ro.contains("attr_timeout=86400.0"), ro);
        assertTrue(ro.contains("kernel_cache") && ro.contains("use_ino") && ro.contains("nosuid") && ro.contains("nodev"), ro);
        assertTrue(ro.startsWith("ro,"), ro);
        String rw = MountOptions.parse("rw", BASE).fuseArgs(false).get(1);
        assertTrue(rw.contains("entry_timeout=1.0") && rw.contains("negative_timeout=0.0"), rw);
        assertFalse(rw.startsWith("ro,"), rw);
        assertTrue(rw.contains("big_writes"), rw);
        assertEquals("-o", MountOptions.parse("", BASE).fuseArgs(true).get(0));
        assertTrue(MountOptions.parse("allow_other", BASE).fuseArgs(true).get(1).contains("default_permissions"));
        assertEquals(List.of("-o"), MountOptions.parse("", BASE).fuseArgs(true).subList(0, 1));
    }

    @Test
    void sizes_acceptSuffixes_andRejectJunk() {
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(64L << 10, Sizes.parse("64K"));
        assertEquals(256L << 20, Sizes.parse("256m"));
        assertEquals(2L << 30, Sizes.parse("2G"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("lots")).getMessage().contains("lots"));
    }

    @Test
    void mountinfoEscapes_areDecoded() {
        assertEquals("/mnt/a b\\c", MountTable.unescape("/mnt/a\\040b\\134c"));
        assertEquals("/plain", MountTable.unescape("/plain"));
    }
}
