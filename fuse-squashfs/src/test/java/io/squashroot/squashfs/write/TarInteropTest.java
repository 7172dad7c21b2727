package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tar streams made by GNU tar (GNU and PAX formats, sparse members, xattrs, gzip and zstd)
 * converted in one pass; the image must extract to exactly what {@code tar -x} extracts.
 */
class TarInteropTest extends SampleTreeTests {
    static String tarExpected;

    @BeforeAll
    static void extractWithTar() throws Exception {
        // The socket is dropped by tar ("socket ignored"), so compare with what tar extracts.
        Path tar = dir.resolve("ref.tar");
        Tools.run("tar", "--xattrs", "--xattrs-include=*", "--format=pax", "-C", source.toString(), "-cf",
                tar.toString(), ".");
        Path ref = Files.createDirectory(dir.resolve("ref"));
        Tools.run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-p", "-C", ref.toString(), "-xf",
                tar.toString());
        tarExpected = Snapshot.of(ref, true);
    }

    @ParameterizedTest
    @CsvSource({
        "pax,,",
        "gnu,-S,",
        "pax,-S,gzip",
        "gnu,,zstd",
    })
    void imageExtractsLikeTar_forFormatAndCompression(String format, String sparse, String compress) throws Exception {
        String name = format + (sparse == null ? "" : "-sparse") + (compress == null ? "" : "-" + compress);
        Path tar = dir.resolve(name + ".tar");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("tar", "--format=" + format,
                "-C", source.toString(), "-cf", tar.toString()));
        if (format.equals("pax")) {
            cmd.addAll(java.util.List.of("--xattrs", "--xattrs-include=*"));
        }
        if (sparse != null) {
            cmd.add(sparse);
        }
        if (compress != null) {
            cmd.add(compress.equals("gzip") ? "--gzip" : "--zstd");
        }
        cmd.add(".");
        Tools.run(cmd.toArray(new String[0]));
        Path image = dir.resolve(name + ".sqsh");
        try (InputStream in = Files.newInputStream(tar)) {
            SquashfsWriter.builder(Map.of()).mkfsTime(SampleTree.TIME).threads(2).build().writeTar(in, image);
        }
        Path out = dir.resolve("x-" + name);
        Tools.unsquashfs(image, out);
        String got = Snapshot.of(out, true);
        if (format.equals("gnu")) {
            // GNU format cannot carry xattrs: tar drops them; compare without.
            assertEquals(tarExpected.replaceAll(" (user|trusted|security)\\.[^ \n]*", ""), got);
        } else {
            assertEquals(tarExpected, got);
        }
    }
}
