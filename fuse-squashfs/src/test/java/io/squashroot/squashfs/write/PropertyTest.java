package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.squashroot.squashfs.SquashfsImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random trees (seeded, so a failure names its seed) under random writer options: our reader and
 * unsquashfs must both see exactly the source tree.
 */
class PropertyTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void readersSeeSourceTree_forRandomTreeAndOptions(long seed) throws Exception {
        Random r = new Random(seed * 7919);
        int bs = 4096 << r.nextInt(3);
        Path src = dir.resolve("src");
        RandomTree.create(src, seed, 90, bs);
        Compression c = Compression.values()[r.nextInt(Compression.values().length)];
        boolean fragments = r.nextBoolean();
        SquashfsWriter w = SquashfsWriter.builder(Map.of()).compression(c).blockSize(bs).fragments(fragments)
                .alwaysUseFragments(fragments && r.nextBoolean()).duplicates(r.nextBoolean()).sparse(r.nextBoolean())
                .uncompressedInodes(r.nextInt(4) == 0).uncompressedData(r.nextInt(4) == 0)
                .threads(1 + r.nextInt(3)).build();
        String options = "seed " + seed + ": " + w.options();
        Path image = dir.resolve("p.sqsh");
        w.writeDirectory(src, image);
        String expected = Snapshot.of(src, true);
        try (SquashfsImage img = SquashfsImage.open(image)) {
            assertEquals(expected, ImageSnapshot.of(img), "our reader, " + options);
        }
        Path out = dir.resolve("x");
        Tools.unsquashfs(image, out);
        assertEquals(expected, Snapshot.of(out, true), "unsquashfs, " + options);
    }
}
