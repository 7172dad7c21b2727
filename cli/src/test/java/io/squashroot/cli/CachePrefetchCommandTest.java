package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachePrefetchCommandTest {

    @TempDir
    Path dir;

    @Test
    void fetchesEveryChunkOnce_thenFindsThemCached() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        byte[] b = new byte[3_000_000];
        new Random(1).nextBytes(b);
        Files.write(src.resolve("blob"), b);
        Path img = dir.resolve("img.sqsh");
        Process p = new ProcessBuilder("mksquashfs", src.toString(), img.toString(), "-quiet", "-no-progress").inheritIO().start();
        assertEquals(0, p.waitFor());
        long chunks = (Files.size(img) + (1 << 20) - 1) >> 20;
        Path cache = dir.resolve("cache");

        String[] first = run(0, "cache", "prefetch", "--node-cache", cache.toString(), img.toString());
        assertEquals(img + ": " + chunks + " chunks fetched", first[0].substring(0, first[0].indexOf(" (")));
        try (Stream<Path> s = Files.walk(cache)) {
            assertEquals(chunks, s.filter(f -> f.toString().endsWith(".chunk")).count());
        }
        String[] second = run(0, "cache", "prefetch", "--node-cache", cache.toString(), img.toString());
        assertTrue(second[0].startsWith(img + ": 0 chunks fetched"), second[0]);
        assertTrue(second[0].strip().endsWith(", " + chunks + " already cached"), second[0]);
    }

    @Test
    void failsWithOneLine_withoutNodeCache() {
        String[] out = run(2, "cache", "prefetch", dir.resolve("x.sqsh").toString());
        assertEquals("squashroot: cache prefetch: no node cache; set SQUASHROOT_NODE_CACHE=DIR or pass --node-cache DIR",
                out[1].strip());
    }

    @Test
    void namesImage_whenMissing() {
        String[] out = run(1, "cache", "prefetch", "--node-cache", dir.toString(), dir.resolve("x.sqsh").toString());
        assertEquals("squashroot: " + dir.resolve("x.sqsh") + ": no such file or directory", out[1].strip());
    }

    /** Runs the CLI, checks the exit status, returns {stdout, stderr}. */
    private static String[] run(int expectedExit, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String[] r = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        assertEquals(expectedExit, exit, r[0] + r[1]);
        return r;
    }
}
