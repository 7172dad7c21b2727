package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.squashroot.runtime.SubordinateIds.Block;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubordinateIdsTest {
    @Test
    void findsBlocks_byNameOrUid_inFileOrder() {
        List<String> lines = List.of("alice:100000:65536", "sqtest:165536:65536", "1001:300000:1000",
                "sqtest:400000:10");
        assertEquals(List.of(new Block(165536, 65536), new Block(300000, 1000), new Block(400000, 10)),
                SubordinateIds.parse(lines, "sqtest", 1001));
        assertEquals(List.of(new Block(100000, 65536)), SubordinateIds.parse(lines, "alice", 1000));
    }

    @Test
    void noBlocks_forAnotherUser() {
        assertEquals(List.of(), SubordinateIds.parse(List.of("alice:100000:65536"), "bob", 1002));
        assertEquals(List.of(), SubordinateIds.parse(List.of("alice:100000:65536"), "alic", 100000),
                "neither a prefix of the name nor the start field matches");
    }

    @Test
    void skipsComments_blankAndMalformedLines() {
        List<String> lines = List.of("# sqtest:1:1", "", "   ", "sqtest:100000", "sqtest:x:10", "sqtest:10:-1",
                "sqtest:10:0", "sqtest:1:2:3", "sqtest:4294967290:10", "sqtest:99999999999:1", "  sqtest:500:5  ");
        assertEquals(List.of(new Block(500, 5)), SubordinateIds.parse(lines, "sqtest", 1001));
    }
}
