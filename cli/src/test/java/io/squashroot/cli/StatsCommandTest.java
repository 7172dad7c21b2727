package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-mount read metrics from a real mount: what the server sent to the image file, and the caches' hits. */
class StatsCommandTest {

    @TempDir
    Path dir;

    @Test
    void reportsChunkedBackingReads_ofLiveMount() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[r.nextInt(20_000)];
            r.nextBytes(b);
            Files.write(src.resolve("f" + i), b);
        }
        Path img = dir.resolve("img.sqsh");
        Process p = new ProcessBuilder("mksquashfs", src.toString(), img.toString(), "-quiet", "-no-progress").inheritIO().start();
        assertEquals(0, p.waitFor());
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        // An image on a local disk is read without chunks unless asked for; the server takes
        // the setting from its environment, so the mount command runs in a JVM of its own.
        ProcessBuilder mount = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "mount", img.toString(), mnt.toString())
                .inheritIO();
        mount.environment().put("SQUASHROOT_READ_CHUNK", "1M");
        assertEquals(0, mount.start().waitFor());
        try {
            long content = 0;
            for (int i = 0; i < 200; i++) {
                content += Files.readAllBytes(mnt.resolve("f" + i)).length;
            }
            assertTrue(content > 1_000_000);
            Thread.sleep(1500); // the server writes its metrics every second
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, run(out, "stats", mnt.toString()));
            Map<String, String> m = new HashMap<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                String[] kv = line.split(" ", 2);
                m.put(kv[0], kv[1]);
            }
            assertEquals(mnt.toAbsolutePath().toString(), m.get("mountpoint"));
            long chunks = (Files.size(img) + (1 << 20) - 1) >> 20;
            // 200 files' worth of small reads became one request per 1 MiB chunk (+ the superblock).
            assertTrue(Long.parseLong(m.get("backing_requests")) <= chunks + 1, m.toString());
            assertTrue(Long.parseLong(m.get("backing_bytes")) <= Files.size(img) + 96, m.toString());
            assertTrue(Long.parseLong(m.get("chunk_memory_hits")) > 0, m.toString());
            ByteArrayOutputStream table = new ByteArrayOutputStream();
            assertEquals(0, run(table, "stats"));
            assertTrue(table.toString(StandardCharsets.UTF_8).contains(mnt.toAbsolutePath().toString()), table.toString());
        } finally {
            run(new ByteArrayOutputStream(), "umount", mnt.toString());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("stats", mnt.toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("squashroot: " + mnt.toAbsolutePath()
                + ": no squashroot mount of this user here"), err.toString());
    }

    private static int run(ByteArrayOutputStream out, String... args) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setOut(old);
        }
    }
}
