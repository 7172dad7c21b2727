package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.fuse.SquashfsTree;
import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.SquashfsImage;
import io.squashroot.tree.NameBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names that are not UTF-8 in a lower image ({@code caf\xe9}, {@code \xff\xfe}) through the
 * overlay: listed with their bytes, read from the lower layer, copied up by a metadata change and
 * still listed and read with the same bytes afterwards (the upper directory spells them with
 * NameBytes' escapes, which java.nio accepts).
 */
class NameBytesOverlayTest {
    @TempDir
    Path tmp;

    private static final byte[] LATIN1 = {'c', 'a', 'f', (byte) 0xe9};
    private static final byte[] BINARY = {(byte) 0xff, (byte) 0xfe};

    private static List<String> names(Overlay o, String dir) throws Exception {
        List<String> out = new ArrayList<>();
        o.readdir(dir, (n, a) -> out.add(n));
        return out;
    }

    private static String read(Overlay o, String path) throws Exception {
        long h = o.open(path, 0, new io.squashroot.tree.Caller(0, 0, 0));
        ByteBuffer b = ByteBuffer.allocate(100);
        int n = o.read(path, h, b, 0);
        o.release(path, h);
        return new String(b.array(), 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void namesThatAreNotUtf8_keepTheirBytes_acrossCopyUp() throws Exception {
        Path src = tmp.resolve("src");
        Sh.ok("sh", "-c", "mkdir -p \"$1\" && cd \"$1\" && printf one > \"$(printf 'caf\\351')\""
                + " && printf two > \"$(printf '\\377\\376')\"", "sh", src.toString());
        Path img = tmp.resolve("names.sqsh");
        Sh.ok("mksquashfs", src.toString(), img.toString(), "-quiet", "-no-progress");
        try (SquashfsImage image = SquashfsImage.open(img, BlockCache.create(1 << 20))) {
            Overlay o = Overlay.open(List.of(new SquashfsTree(image, Runnable::run, 0)),
                    java.nio.file.Files.createDirectories(tmp.resolve("upper")));
            String latin1 = "/" + NameBytes.decode(LATIN1);
            String binary = "/" + NameBytes.decode(BINARY);
            List<String> before = names(o, "/");
            assertTrue(before.contains(latin1.substring(1)) && before.contains(binary.substring(1)), before.toString());
            assertEquals("one", read(o, latin1));
            o.chmod(latin1, 0600); // copies the file up
            List<String> after = names(o, "/");
            assertEquals(before.stream().sorted().toList(), after.stream().sorted().toList());
            assertArrayEquals(LATIN1, NameBytes.encode(after.stream().filter(n -> n.startsWith("caf")).findFirst().orElseThrow()));
            assertEquals("one", read(o, latin1));
            assertEquals(0600, o.getattr(latin1).mode() & 07777);
            assertEquals("two", read(o, binary));
        }
    }
}
