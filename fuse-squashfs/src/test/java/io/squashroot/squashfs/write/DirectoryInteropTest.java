package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Images written from a directory, read back by the real readers: unsquashfs (listing and
 * extracted bytes), compared with the source and with what mksquashfs makes of the same tree.
 */
class DirectoryInteropTest extends SampleTreeTests {

    static SquashfsWriter.Builder writer() {
        return SquashfsWriter.builder(Map.of()).mkfsTime(SampleTree.TIME).threads(2);
    }

    private static void assertExtractsToSource(Path image, String name) throws Exception {
        Path out = dir.resolve("x-" + name);
        Tools.unsquashfs(image, out);
        assertEquals(expected, Snapshot.of(out, true), "unsquashfs extraction of " + image);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void unsquashfsExtractsSourceTree_withEachCompressor(Compression c) throws Exception {
        Path image = dir.resolve("c-" + c + ".sqsh");
        writer().compression(c).build().writeDirectory(source, image);
        assertExtractsToSource(image, c.name());
    }

    @Test
    void listingEqualsMksquashfs_withDefaults() throws Exception {
        Path ours = dir.resolve("ours.sqsh");
        Path theirs = dir.resolve("theirs.sqsh");
        writer().build().writeDirectory(source, ours);
        Tools.mksquashfs(source, theirs, List.of());
        // Directory sizes (listing bytes + 3) depend on where runs are split, which depends on
        // inode placement; both are valid, so they are masked.
        assertEquals(Tools.maskDirectorySizes(Tools.listing(theirs)), Tools.maskDirectorySizes(Tools.listing(ours)));
    }

    @Test
    void unsquashfsExtractsSourceTree_withRawTablesAndTailPackingAndSmallBlocks() throws Exception {
        Path image = dir.resolve("raw.sqsh");
        writer().blockSize(4096).alwaysUseFragments(true).uncompressedInodes(true).uncompressedData(true)
                .uncompressedFragments(true).uncompressedXattrs(true).duplicates(false).build()
                .writeDirectory(source, image);
        assertExtractsToSource(image, "raw");
    }

    @Test
    void unsquashfsExtractsSourceTree_withoutFragmentsOrSparse_and1MiBBlocks() throws Exception {
        Path image = dir.resolve("nofrag.sqsh");
        writer().blockSize(1 << 20).fragments(false).sparse(false).exportTable(false).build()
                .writeDirectory(source, image);
        assertExtractsToSource(image, "nofrag");
    }

    @Test
    void imageIsSmallerThanSource_whenDuplicatesShareBlocks() throws Exception {
        Path dedup = dir.resolve("dedup.sqsh");
        Path nodedup = dir.resolve("nodedup.sqsh");
        writer().pad(false).build().writeDirectory(source, dedup);
        writer().pad(false).duplicates(false).build().writeDirectory(source, nodedup);
        assertTrue(Files.size(dedup) < Files.size(nodedup), Files.size(dedup) + " vs " + Files.size(nodedup));
    }
}
