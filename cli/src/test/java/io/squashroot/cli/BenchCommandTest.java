package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of {@code squashroot bench}: the whole harness on a small image built by
 * testdata/make-bench-image.sh, with every mode this node has (real FUSE mounts, real tools).
 * No timing is asserted; the outputs are parsed by Python's json and csv modules (real parsers,
 * not ours) and must hold every figure each mode can measure, with the counts the image implies.
 */
class BenchCommandTest {

    /** Every column the harness writes, in order. */
    static final List<String> METRICS = List.of("setup_s", "start_to_first_output_s", "workload_wall_s",
            "workload_exit", "start_storage_read_bytes", "start_requested_read_bytes", "start_device_read_bytes",
            "start_cpu_s", "metadata_walk_s", "walk_entries", "cold_read_s", "warm_read_s", "file_bytes",
            "full_storage_read_bytes", "disk_used_bytes", "daemon_cpu_s", "peak_rss_bytes", "backing_read_bytes",
            "backing_read_requests");

    /** Figures only some modes or nodes have: per-mount metrics, block-device counters, process accounting. */
    static final Set<String> OPTIONAL = Set.of("start_device_read_bytes", "backing_read_bytes", "backing_read_requests");
    static final Set<String> PROCESS_ONLY = Set.of("start_cpu_s", "daemon_cpu_s", "peak_rss_bytes");

    @TempDir
    static Path dir;
    static Path image;
    static long expectedFileBytes;
    static long expectedEntries;

    @BeforeAll
    static void buildImage() throws Exception {
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("testdata/make-bench-image.sh");
        Process p = new ProcessBuilder("sh", script.toString(), dir.toString()).inheritIO().start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "make-bench-image.sh failed");
        image = dir.resolve("bench.sqsh");
        try (Stream<Path> s = Files.walk(dir.resolve("src"))) {
            for (Path f : (Iterable<Path>) s::iterator) {
                expectedEntries++;
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    expectedFileBytes += Files.size(f);
                }
            }
        }
    }

    @Test
    void writesEveryFigure_forEveryModeOnSmallImage() throws Exception {
        Path out = dir.resolve("report");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = runQuietly(err, "bench", "--image", image.toString(), "--runs", "1", "--peers",
                "--workload", "cat /etc/hello", "--out", out.toString());
        assertEquals(0, exit, err.toString());

        Map<String, Map<String, String>> json = parse(out, "json");
        Map<String, Map<String, String>> csv = parse(out, "csv");
        assertEquals(json, csv, "runs.csv and runs.json disagree");
        assertFalse(json.isEmpty(), "no runs recorded: " + err);

        List<String> header = List.of(Files.readAllLines(out.resolve("runs.csv")).get(0).split(","));
        assertEquals(Stream.concat(Stream.of("round", "mode", "error"), METRICS.stream()).toList(), header);

        Set<String> modes = new HashSet<>();
        for (Map.Entry<String, Map<String, String>> run : json.entrySet()) {
            Map<String, String> v = run.getValue();
            String mode = v.get("mode");
            modes.add(mode);
            assertEquals("", v.get("error"), run.getKey() + " failed");
            for (String m : METRICS) {
                boolean mayMiss = OPTIONAL.contains(m) || (mode.equals("kernel") && PROCESS_ONLY.contains(m))
                        // started in one command (squashroot start): setup is not separable
                        || (m.equals("setup_s") && (mode.equals("fuse") || mode.equals("extract")));
                // squashroot's own mount reports its exact reads of the image file.
                mayMiss &= !(mode.equals("fuse") && m.startsWith("backing_read"));
                if (!mayMiss) {
                    assertFalse(v.get(m).isEmpty(), run.getKey() + ": no " + m);
                }
            }
            assertEquals(expectedFileBytes, (long) Double.parseDouble(v.get("file_bytes")), run.getKey() + " file_bytes");
            assertEquals(expectedEntries, (long) Double.parseDouble(v.get("walk_entries")), run.getKey() + " walk_entries");
            assertEquals(0, (long) Double.parseDouble(v.get("workload_exit")), run.getKey() + " workload_exit");
            assertTrue(Double.parseDouble(v.get("start_to_first_output_s")) > 0, run.getKey());
            if (mode.equals("unsquashfs") || mode.equals("extract")) {
                // An extraction reads the whole image and its tree takes local disk.
                assertTrue((long) Double.parseDouble(v.get("start_requested_read_bytes")) >= Files.size(image) / 2, run.getKey());
                assertTrue((long) Double.parseDouble(v.get("disk_used_bytes")) >= expectedFileBytes, run.getKey());
            }
        }
        // squashfuse and unsquashfs are installed by install-deps.sh; rotation is HarnessOrderTest's.
        assertTrue(modes.containsAll(Set.of("fuse", "extract", "squashfuse", "unsquashfs")), modes.toString());

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg"), "no chart");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "report.html refers to the network");
        assertFalse(html.contains("<script"), "report.html has scripts");
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("| start_to_first_output_s |") && md.contains("unsquashfs -no-progress"), md);
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertFalse(mounts.anyMatch(l -> l.contains(out.toString())), "a mount was left behind");
        }
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(Set.of("runs.csv", "runs.json", "summary.md", "report.html"),
                    left.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void failsWithOneLine_whenImageIsMissing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = runQuietly(err, "bench", "--image", dir.resolve("nope.sqsh").toString(), "--out",
                dir.resolve("r2").toString());
        assertEquals(1, exit);
        assertEquals("squashroot: " + dir.resolve("nope.sqsh") + ": no such image file", err.toString().strip());
    }

    private static int runQuietly(ByteArrayOutputStream err, String... args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    /** Runs Python's own parser over runs.json or runs.csv; returns "round/mode" → column → text. */
    private static Map<String, Map<String, String>> parse(Path out, String kind) throws IOException, InterruptedException {
        String py = kind.equals("json")
                ? "import json,sys\nd=json.load(open(sys.argv[1]+'/runs.json'))\n"
                        + "assert d['schema']==1 and d['machine']['kernel']\n"
                        + "for r in d['runs']:\n"
                        + "  v=dict(r['values']); v['mode']=r['mode']; v['error']=r['error'] or ''\n"
                        + "  assert r['commands'], 'no commands recorded'\n"
                        + "  for k,x in v.items():\n"
                        + "    x='' if x is None else (x if isinstance(x,str) else repr(float(x)))\n"
                        + "    print('%d/%s\\t%s\\t%s' % (r['round'], r['mode'], k, x))\n"
                : "import csv,sys\n"
                        + "for r in csv.DictReader(open(sys.argv[1]+'/runs.csv')):\n"
                        + "  for k,x in r.items():\n"
                        + "    if k=='round': continue\n"
                        + "    x=x if k in ('mode','error') or x=='' else repr(float(x))\n"
                        + "    print('%s/%s\\t%s\\t%s' % (r['round'], r['mode'], k, x))\n";
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", py, out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), kind + " did not parse: " + text);
        Map<String, Map<String, String>> runs = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            assertEquals(3, f.length, line);
            runs.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], f[2]);
        }
        for (Map<String, String> r : runs.values()) {
            assertNotNull(r.get("mode"));
        }
        return runs;
    }
}
