package io.squashroot.squashfs.write;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the test classes that compare against {@link SampleTree}: one tree per class, built
 * once, with its {@link Snapshot} as the expected listing.
 */
abstract class SampleTreeTests {
    @TempDir
    static Path dir;
    static Path source;
    static String expected;

    @BeforeAll
    static void makeSampleTree() throws Exception {
        source = dir.resolve("src");
        SampleTree.create(source);
        expected = Snapshot.of(source, true);
    }
}
