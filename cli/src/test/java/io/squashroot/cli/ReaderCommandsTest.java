package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code squashroot ls | info | extract} as separate processes, as root and as an ordinary user,
 * on an image built by mksquashfs from testdata/make-tree.sh: the listing equals unsquashfs -lln,
 * an unprivileged extraction keeps the caller as owner and counts what it may not create, and a
 * damaged image ends in one line and a non-zero exit.
 */
class ReaderCommandsTest {
    private static Path work;
    private static Path image;

    @BeforeAll
    static void build() throws IOException {
        work = Files.createTempDirectory(Path.of("/tmp"), "sqr-reader-");
        Sandbox.sh("chmod", "755", work.toString());
        Path tree = work.resolve("tree");
        image = work.resolve("tree.sqsh");
        Sandbox.sh("sh", TestImages.repoRoot().resolve("testdata/make-tree.sh").toString(), tree.toString(), "small");
        Sandbox.sh("sh", TestImages.repoRoot().resolve("testdata/build-image.sh").toString(), tree.toString(),
                image.toString(), "-comp", "zstd");
        Sandbox.sh("chmod", "644", image.toString());
    }

    @AfterAll
    static void clean() {
        Sandbox.deleteTree(work);
    }

    @Test
    void ls_printsExactlyWhatUnsquashfsLists() throws Exception {
        try (Sandbox s = new Sandbox(null)) {
            Sandbox.Result all = s.run("ls", image.toString());
            assertEquals(0, all.status(), all.toString());
            assertEquals(unsquashfs("-lln", image.toString()), all.out());
            Sandbox.Result sub = s.run("ls", image.toString(), "/dirs/n257");
            assertEquals(unsquashfs("-lln", image.toString(), "dirs/n257"), sub.out());
            Sandbox.Result missing = s.run("ls", image.toString(), "/no/such");
            assertEquals(1, missing.status());
            assertTrue(missing.err().contains("/no/such: no such file"), missing.err());
        }
    }

    @Test
    void info_printsSuperblockFacts() throws Exception {
        try (Sandbox s = new Sandbox(null)) {
            Sandbox.Result r = s.run("info", image.toString());
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().contains("compression:     zstd"), r.out());
            assertTrue(r.out().contains("block size:      131072"), r.out());
            assertTrue(r.out().contains("created:         2023-11-14T22:13:20Z"), r.out());
        }
    }

    @Test
    void extract_asOrdinaryUser_ownsEverything_andCountsSkippedDevices() throws Exception {
        try (Sandbox s = new Sandbox(Sandbox.TEST_USER)) {
            Path out = s.base.resolve("out");
            Sandbox.Result r = s.run("extract", "--threads", "2", image.toString(), out.toString());
            // Warnings only (exit 0): 4 of the 5 device nodes need CAP_MKNOD; the 0:0 whiteout is
            // allowed to anyone (Linux 5.8+). Names that are not UTF-8 are extracted like the rest.
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.err().contains("warning: 4 device nodes"), r.err());
            assertTrue(r.err().contains("extended attributes not set"), r.err());
            String owners = Sandbox.sh("sh", "-c", "find '" + out + "' -printf '%u\\n' | sort -u");
            assertEquals("sqtest\n", owners);
            assertEquals(Files.readString(work.resolve("tree/links/hl_target")), Files.readString(out.resolve("links/hl_second")));
            assertTrue(Files.exists(out.resolve("special/fifo")));
            assertEquals("hello", Sandbox.sh("getfattr", "--absolute-names", "--only-values", "-n", "user.small", out.resolve("xattrs/plain").toString()));
        }
    }

    @Test
    void extract_ofDamagedImage_failsWithOneLine_andWritesNothingOutside() throws Exception {
        try (Sandbox s = new Sandbox(null)) {
            byte[] b = Files.readAllBytes(image);
            // Wreck the directory table: the listing runs can no longer be decoded.
            long dirStart = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(72);
            for (int i = 0; i < 64; i++) {
                b[(int) dirStart + 2 + i] ^= 0x5A;
            }
            Path bad = s.base.resolve("bad.sqsh");
            Files.write(bad, b);
            Path out = s.base.resolve("dest/out");
            Sandbox.Result r = s.run("extract", bad.toString(), out.toString());
            assertEquals(1, r.status(), r.toString());
            assertTrue(r.err().startsWith("squashroot: " + bad + ": "), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            try (Stream<Path> l = Files.list(s.base.resolve("dest"))) {
                assertEquals(List.of(out), l.toList());
            }
        }
    }

    private static String unsquashfs(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Stream.concat(Stream.of("unsquashfs"), Stream.of(args)).toList())
                .redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
