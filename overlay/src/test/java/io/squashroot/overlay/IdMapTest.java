package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.overlay.IdMap.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdMapTest {
    /** sqtest's container: 0 is host 1001, 1..65536 are host 100000..165535. */
    private final IdMap rootless = new IdMap(List.of(new Range(0, 1001, 1), new Range(1, 100000, 65536)),
            List.of(new Range(0, 1002, 1), new Range(1, 200000, 1000)));

    @Test
    void translatesBothWays_throughEachRange() {
        assertEquals(1001, rootless.uidToHost(0));
        assertEquals(100000, rootless.uidToHost(1));
        assertEquals(100999, rootless.uidToHost(1000));
        assertEquals(165535, rootless.uidToHost(65536));
        assertEquals(0, rootless.uidToContainer(1001));
        assertEquals(1000, rootless.uidToContainer(100999));
        assertEquals(65536, rootless.uidToContainer(165535));
        assertEquals(1002, rootless.gidToHost(0));
        assertEquals(42, rootless.gidToContainer(200041));
        assertEquals(200041, rootless.gidToHost(42));
    }

    @Test
    void unmappedIds_becomeOverflow() {
        assertEquals(IdMap.OVERFLOW, rootless.uidToHost(65537), "past the range");
        assertEquals(IdMap.OVERFLOW, rootless.uidToContainer(0), "host root is not in a rootless namespace");
        assertEquals(IdMap.OVERFLOW, rootless.uidToContainer(165536));
        assertEquals(IdMap.OVERFLOW, rootless.gidToHost(1001), "gids have their own, shorter range");
        assertEquals(IdMap.OVERFLOW, rootless.gidToContainer(1001), "the uid's host id means nothing for gids");
    }

    @Test
    void identity_translatesNothing() {
        IdMap id = IdMap.identity();
        assertTrue(id.isIdentity());
        assertFalse(rootless.isIdentity());
        for (long v : new long[] {0, 1, 1000, 65534, 100999, 0xfffffffeL}) {
            assertEquals(v, id.uidToHost(v));
            assertEquals(v, id.uidToContainer(v));
            assertEquals(v, id.gidToHost(v));
            assertEquals(v, id.gidToContainer(v));
        }
        assertEquals(IdMap.OVERFLOW, id.uidToHost(0xffffffffL), "(uid_t) -1 is never an id");
        assertTrue(new IdMap(id.uids(), id.gids()).isIdentity(), "an equal map is the identity too");
    }

    @Test
    void rejectsOverlappingRanges_onEitherSide() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdMap(
                List.of(new Range(0, 1001, 1), new Range(1, 1001, 10)), List.of(new Range(0, 1, 1))));
        assertTrue(e.getMessage().startsWith("uid ranges overlap"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IdMap(List.of(new Range(0, 1, 1)),
                List.of(new Range(0, 100, 10), new Range(5, 200, 10))));
        assertTrue(e.getMessage().startsWith("gid ranges overlap"), e.getMessage());
    }

    @Test
    void rejectsRange_pastThe32BitIds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Range(1, 0xfffffff0L, 16));
        assertEquals("id range 1 4294967280 16: outside 0..4294967294", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Range(0, 5, 0));
    }
}
