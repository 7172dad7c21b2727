package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code squashroot mksquashfs}, checked against unsquashfs. */
class MksquashfsCommandTest {
    @TempDir
    Path dir;
    Path src;

    @BeforeEach
    void tree() throws Exception {
        src = Files.createDirectories(dir.resolve("src/etc"));
        Files.writeString(src.resolve("hostname"), "node1\n");
        Files.write(src.resolve("blob"), new byte[200_000]);
        src = dir.resolve("src");
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private record Outcome(int status, String err) {
    }

    private static Outcome squashroot(InputStream stdin, String... args) {
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        if (stdin != null) {
            System.setIn(stdin);
        }
        try {
            return new Outcome(Main.run(args), err.toString());
        } finally {
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    @Test
    void writesImageUnsquashfsReads_withEnrootDefaultOptions() throws Exception {
        Path out = dir.resolve("img.sqsh");
        // enroot: mksquashfs rootfs out -all-root -processors N $ENROOT_SQUASH_OPTIONS (default below)
        Outcome o = squashroot(null, "mksquashfs", src.toString(), out.toString(), "-all-root", "-no-progress",
                "-processors", "2", "-comp", "lzo", "-noI", "-noD", "-noF", "-noX", "-no-duplicates");
        assertEquals(0, o.status(), o.err());
        String listing = run("unsquashfs", "-lln", out.toString());
        assertTrue(listing.contains("squashfs-root/etc/hostname"), listing);
        assertTrue(run("unsquashfs", "-s", out.toString()).contains("Compression lzo"));
        Path x = dir.resolve("x");
        run("unsquashfs", "-d", x.toString(), out.toString());
        assertEquals("node1\n", Files.readString(x.resolve("etc/hostname")));
    }

    @Test
    void convertsTarFromStdin_withZstdLevelAndBlockSize() throws Exception {
        Path tar = dir.resolve("t.tar.gz");
        run("tar", "-C", src.toString(), "-czf", tar.toString(), ".");
        Path out = dir.resolve("stdin.sqsh");
        Outcome o = squashroot(Files.newInputStream(tar), "mksquashfs", "-", out.toString(), "-comp", "zstd",
                "-Xcompression-level", "3", "-b", "64K");
        assertEquals(0, o.status(), o.err());
        String sb = run("unsquashfs", "-s", out.toString());
        assertTrue(sb.contains("Block size 65536"), sb);
        assertTrue(sb.contains("Compression zstd"), sb);
        assertTrue(run("unsquashfs", "-lln", out.toString()).contains("squashfs-root/etc/blob"));
    }

    @Test
    void rejectsUnsupportedFlag_withOneLine() {
        Path out = dir.resolve("no.sqsh");
        Outcome o = squashroot(null, "mksquashfs", src.toString(), out.toString(), "-sort", "file");
        assertEquals(2, o.status());
        assertEquals("squashroot: mksquashfs option -sort is not supported (see squashroot mksquashfs --help)",
                o.err().trim());
        assertFalse(Files.exists(out));
    }

    @Test
    void rejectsLevel_thatCompressorDoesNotHave() {
        Outcome o = squashroot(null, "mksquashfs", src.toString(), dir.resolve("n.sqsh").toString(), "-comp", "gzip",
                "-Xcompression-level", "12");
        assertEquals(1, o.status());
        assertEquals("squashroot: compression level 12 is not valid for gzip (levels: 1..9)", o.err().trim());
    }

    @Test
    void rejectsMissingSource_namingIt() {
        Outcome o = squashroot(null, "mksquashfs", dir.resolve("nope").toString(), dir.resolve("n.sqsh").toString());
        assertEquals(1, o.status());
        assertEquals("squashroot: " + dir.resolve("nope") + ": no such file or directory", o.err().trim());
    }
}
