package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.squashroot.squashfs.SquashfsImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Written by us, read by our reader: same tree, same bytes; and reproducible builds. */
class RoundTripTest extends SampleTreeTests {

    @ParameterizedTest
    @EnumSource(Compression.class)
    void readerSeesSourceTree_withEachCompressor(Compression c) throws Exception {
        Path image = dir.resolve("rt-" + c + ".sqsh");
        SquashfsWriter.builder(Map.of()).compression(c).threads(2).build().writeDirectory(source, image);
        try (SquashfsImage img = SquashfsImage.open(image)) {
            assertEquals(expected, ImageSnapshot.of(img));
        }
    }

    @Test
    void twoBuildsAreByteIdentical_withSourceDateEpoch_andDifferentThreadCounts() throws Exception {
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1600000000");
        Path a = dir.resolve("a.sqsh");
        Path b = dir.resolve("b.sqsh");
        SquashfsWriter.builder(env).threads(1).build().writeDirectory(source, a);
        SquashfsWriter.builder(env).threads(2).build().writeDirectory(source, b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        // SOURCE_DATE_EPOCH clamps later times, as mksquashfs does.
        try (SquashfsImage img = SquashfsImage.open(a)) {
            assertEquals(1600000000L, img.root().attributes().mtime());
            assertEquals(1600000000L, img.superblock().modTime());
        }
    }

    @Test
    void twoTarConversionsAreByteIdentical() throws Exception {
        Path tar = dir.resolve("rep.tar");
        Tools.run("tar", "--format=pax", "--xattrs", "--xattrs-include=*", "-C", source.toString(), "-cf",
                tar.toString(), ".");
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1800000000");
        Path a = dir.resolve("ta.sqsh");
        Path b = dir.resolve("tb.sqsh");
        try (InputStream in = Files.newInputStream(tar)) {
            SquashfsWriter.builder(env).threads(2).build().writeLayer(in, a);
        }
        try (InputStream in = Files.newInputStream(tar)) {
            SquashfsWriter.builder(env).threads(1).build().writeLayer(in, b);
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }
}
