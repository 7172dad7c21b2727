package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.overlay.IdMap;
import io.squashroot.runtime.config.Subids;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceIdsTest {
    private static final List<String> SUBUID = List.of("other:100000:65536", "sqtest:165536:65536", "sqtest:900000:5");
    private static final List<String> SUBGID = List.of("1001:200000:1000");

    private static NamespaceIds.Host host(List<String> subuid, List<String> subgid, boolean tools, boolean allowOther) {
        return new NamespaceIds.Host(1001, 1002, "sqtest", subuid, subgid, tools, tools, allowOther);
    }

    @Test
    void auto_mapsFirstBlocks_whenEverythingIsThere() throws IOException {
        NamespaceIds ids = NamespaceIds.decide(Subids.AUTO, host(SUBUID, SUBGID, true, true));
        assertTrue(ids.ranged());
        assertEquals(List.of("--map-root-user", "--map-users=165536,1,65536", "--map-groups=200000,1,1000"),
                ids.unshareArgs());
        assertEquals(new IdMap(List.of(new IdMap.Range(0, 1001, 1), new IdMap.Range(1, 165536, 65536)),
                List.of(new IdMap.Range(0, 1002, 1), new IdMap.Range(1, 200000, 1000))), ids.map());
        assertEquals(NamespaceIds.decide(Subids.YES, host(SUBUID, SUBGID, true, true)), ids);
    }

    @Test
    void auto_fallsBackToSingleMapping_withoutAnyOnePiece() throws IOException {
        for (NamespaceIds.Host h : List.of(host(SUBUID, SUBGID, true, false), host(SUBUID, SUBGID, false, true),
                host(SUBUID, null, true, true), host(List.of("other:1:1"), SUBGID, true, true))) {
            NamespaceIds ids = NamespaceIds.decide(Subids.AUTO, h);
            assertEquals(NamespaceIds.single(), ids, h.toString());
            assertFalse(ids.ranged());
            assertEquals(List.of("--map-root-user"), ids.unshareArgs());
        }
    }

    @Test
    void no_andRoot_keepTheSingleMapping() throws IOException {
        assertEquals(NamespaceIds.single(), NamespaceIds.decide(Subids.NO, host(SUBUID, SUBGID, true, true)));
        NamespaceIds.Host root = new NamespaceIds.Host(0, 0, "root", List.of("root:100000:65536"),
                List.of("root:100000:65536"), true, true, true);
        assertEquals(NamespaceIds.single(), NamespaceIds.decide(Subids.YES, root), "root needs no range");
    }

    @Test
    void yes_failsInOneLine_namingWhatIsMissing() {
        IOException e = assertThrows(IOException.class,
                () -> NamespaceIds.decide(Subids.YES, host(List.of(), SUBGID, true, false)));
        assertEquals("SQUASHROOT_SUBIDS=yes: no subordinate uid range for sqtest in /etc/subuid;"
                + " user_allow_other is not set in /etc/fuse.conf", e.getMessage());
        e = assertThrows(IOException.class, () -> NamespaceIds.decide(Subids.YES, host(SUBUID, null, false, true)));
        assertEquals("SQUASHROOT_SUBIDS=yes: /etc/subgid does not exist; newuidmap not found on PATH (package uidmap);"
                + " newgidmap not found on PATH (package uidmap)", e.getMessage());
    }

    @Test
    void rangeHoldingTheCallersOwnId_isNotUsed() throws IOException {
        NamespaceIds.Host h = host(List.of("sqtest:1000:10"), SUBGID, true, true);
        assertEquals(NamespaceIds.single(), NamespaceIds.decide(Subids.AUTO, h));
        IOException e = assertThrows(IOException.class, () -> NamespaceIds.decide(Subids.YES, h));
        assertTrue(e.getMessage().startsWith("SQUASHROOT_SUBIDS=yes: the subordinate range of sqtest overlaps its own id"),
                e.getMessage());
    }

    @Test
    void userAllowOther_mustBeALineOfItsOwn() {
        assertTrue(NamespaceIds.allowsOther(List.of("# comment", "  user_allow_other  ", "mount_max = 10")));
        assertTrue(NamespaceIds.allowsOther(List.of("user_allow_other # admins said yes")));
        assertFalse(NamespaceIds.allowsOther(List.of("#user_allow_other")));
        assertFalse(NamespaceIds.allowsOther(List.of("user_allow_other_not")));
        assertFalse(NamespaceIds.allowsOther(null), "no fuse.conf");
    }
}
