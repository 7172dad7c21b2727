package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReaderSmokeTest {
    @Test
    void listsLikeUnsquashfs_defaultImage() throws Exception {
        Path img = TestImages.image();
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(1 << 20))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Listing.write(image, "", out, ZoneId.systemDefault());
            String expected = new String(TestImages.run(List.of("unsquashfs", "-lln", img.toString())), StandardCharsets.ISO_8859_1);
            assertEquals(expected, out.toString(StandardCharsets.ISO_8859_1));
        }
    }
}
