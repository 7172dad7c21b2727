package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Member names that are not UTF-8 (Latin-1, stray bytes), in every place a tar keeps a name: the
 * header (ustar, with its prefix field), GNU long-name and long-link records, and PAX path and
 * linkpath records (GNU tar writes those raw, hdrcharset=BINARY). The image must hold exactly
 * the bytes {@code tar -x} puts on disk. The tree is made and listed by the shell so that no Java
 * String ever stands between the bytes and the comparison.
 */
class TarNameBytesTest {
    @TempDir
    static Path dir;
    private static Path source;

    @BeforeAll
    static void makeTree() throws Exception {
        source = dir.resolve("src");
        sh("set -e; mkdir -p \"$1\"; cd \"$1\"\n"
                + "printf latin > \"$(printf 'caf\\351')\"\n"
                + "mkdir \"$(printf '\\377\\376dir')\"; printf x > \"$(printf '\\377\\376dir/na\\303\\257ve')\"\n"
                + "long=$(printf 'l%.0s' $(seq 1 120))$(printf '\\351')\n"
                + "printf long > \"$long\"\n"
                + "ln -s \"$(printf 'caf\\351')\" \"$(printf 'link\\351')\"\n"
                + "ln -s \"$long\" longlink\n"
                + "ln \"$(printf 'caf\\351')\" \"$(printf 'hard\\351')\"\n",
                source.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "pax", "oldgnu"})
    void imageHoldsTheArchivesNameBytes_forEveryTarFormat(String format) throws Exception {
        Path tar = dir.resolve(format + ".tar");
        sh("tar --format=\"$1\" -C \"$2\" -cf \"$3\" .", format, source.toString(), tar.toString());
        Path ref = Files.createDirectory(dir.resolve("ref-" + format));
        sh("tar -C \"$1\" -xf \"$2\"", ref.toString(), tar.toString());

        Path image = dir.resolve(format + ".sqsh");
        try (InputStream in = Files.newInputStream(tar)) {
            SquashfsWriter.builder(Map.of()).threads(2).build().writeTar(in, image);
        }
        Path out = dir.resolve("out-" + format);
        sh("unsquashfs -q -n -d \"$1\" \"$2\" >/dev/null", out.toString(), image.toString());

        byte[] want = listing(ref);
        assertArrayEquals(want, listing(out), new String(listing(out), StandardCharsets.ISO_8859_1));
        // the Latin-1 byte itself, not its UTF-8 form or a replacement character
        assertTrue(new String(want, StandardCharsets.ISO_8859_1).contains("caf\u00e9\tf\t\t2"), format);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "pax"})
    void layerWhiteoutOfANonUtf8Name_hidesThatName(String format) throws Exception {
        Path layer = dir.resolve("layer-" + format);
        sh("set -e; mkdir -p \"$1\"; printf '' > \"$1/$(printf '.wh.caf\\351')\"", layer.toString());
        Path tar = dir.resolve("layer-" + format + ".tar");
        sh("tar --format=\"$1\" -C \"$2\" -cf \"$3\" .", format, layer.toString(), tar.toString());
        Path image = dir.resolve("layer-" + format + ".sqsh");
        try (InputStream in = Files.newInputStream(tar)) {
            SquashfsWriter.builder(Map.of()).threads(2).build().writeLayer(in, image);
        }
        String ls = new String(sh("unsquashfs -lln \"$1\"", image.toString()), StandardCharsets.ISO_8859_1);
        List<String> whiteouts = ls.lines().filter(l -> l.startsWith("c")).toList();
        assertEquals(1, whiteouts.size(), ls);
        assertTrue(whiteouts.get(0).endsWith("/caf\u00e9") && whiteouts.get(0).contains(" 0,  0 "), ls);
    }

    /** Every entry below root as "path TAB type TAB link target TAB link count", sorted bytewise. */
    private static byte[] listing(Path root) throws Exception {
        return sh("cd \"$1\" && find . -mindepth 1 -printf '%P\\t%y\\t%l\\t%n\\n' | LC_ALL=C sort", root.toString());
    }

    private static byte[] sh(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c", script, "sh"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        if (status != 0) {
            throw new IOException(cmd + " exited " + status + ": " + new String(out, StandardCharsets.ISO_8859_1));
        }
        return out;
    }
}
