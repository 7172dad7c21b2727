package io.squashroot.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's parsers of kernel text (/proc, /sys) and its statistics, on recorded samples. */
class ProcParsingTest {

    static final String IO = "rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 0\nread_bytes: 4096\nwrite_bytes: 0\n"
            + "cancelled_write_bytes: 0\n";
    // A command name with spaces and a parenthesis, as a hostile process could choose.
    static final String STAT = "15950 (my (odd) cmd) R 15947 15947 7200 0 -1 4194304 100 0 0 0 7 3 5 1 20 0 1 0 32820 "
            + "3133440 379 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    static final String STATUS = "Name:\tcat\nVmPeak:\t    5000 kB\nVmHWM:\t    2204 kB\nVmRSS:\t 2000 kB\n";

    @Test
    void parsesReadsCpuAndPeak_fromProcFiles() {
        ProcStats s = ProcStats.parse(IO, STAT, STATUS);
        assertEquals(6976, s.rchar());
        assertEquals(4096, s.readBytes());
        assertEquals(7 + 3 + 5 + 1, s.cpuTicks()); // utime + stime + cutime + cstime
        assertEquals(0.16, s.cpuSeconds(), 1e-9);
        assertEquals(2204 * 1024, s.peakRssBytes());
    }

    @Test
    void peakIsZero_whenStatusHasNoHwm() {
        assertEquals(0, ProcStats.parse(IO, STAT, "").peakRssBytes());
    }

    @Test
    void rejectsStat_withTooFewFields() {
        assertThrows(IllegalArgumentException.class, () -> ProcStats.parse(IO, "1 (x) R 1 2 3", STATUS));
    }

    @Test
    void findsMountPoint_withEscapedSpace() {
        String info = "36 35 98:0 / /mnt/a\\040b rw,noatime master:1 - fuse.squashfuse squashfuse rw\n"
                + "37 35 7:3 / /mnt/k ro - squashfs /dev/loop3 ro\n";
        MountTable.Entry e = MountTable.find(info, "/mnt/a b").orElseThrow();
        assertEquals("fuse.squashfuse", e.fsType());
        assertEquals("/dev/loop3", MountTable.find(info, "/mnt/k").orElseThrow().source());
        assertTrue(MountTable.find(info, "/mnt/a").isEmpty());
    }

    @Test
    void countsSectorsAsBytes_inBlockStat() {
        assertEquals(2194682L * 512, DeviceStats.parseReadBytes("55116 9611 2194682 10266 31106"));
    }

    @Test
    void decodesDevT_likeGlibc() {
        long dev = 0xfe00; // 254:0, /dev/vda on the build machine
        assertEquals(254, DeviceStats.major(dev));
        assertEquals(0, DeviceStats.minor(dev));
        long major = 0x12345;
        long minor = 0x6789a;
        long made = ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
        assertEquals(major, DeviceStats.major(made));
        assertEquals(minor, DeviceStats.minor(made));
    }

    @Test
    void takesMedianAndRatio_overSuccessfulRunsOnly() {
        List<RunRecord> runs = List.of(
                run(1, "fuse", 3.0, null), run(2, "fuse", 1.0, null), run(3, "fuse", 2.0, null),
                run(1, "extract", 10.0, null), run(2, "extract", 6.0, null), run(3, "extract", 99.0, "failed"));
        List<Summary.Stat> st = Summary.of(runs, List.of("fuse", "extract"), "fuse");
        Summary.Stat fuse = st.stream().filter(s -> s.mode().equals("fuse")).findFirst().orElseThrow();
        Summary.Stat ex = st.stream().filter(s -> s.mode().equals("extract")).findFirst().orElseThrow();
        assertEquals(2.0, fuse.median());
        assertEquals(1.0, fuse.min());
        assertEquals(3.0, fuse.max());
        assertEquals(2, ex.n());
        assertEquals(8.0, ex.median());
        assertEquals(4.0, ex.ratio());
        assertNull(Summary.median(new double[0]));
    }

    @Test
    void rotatesModeOrder_everyRound() {
        List<String> m = List.of("fuse", "extract", "squashfuse");
        assertEquals(List.of("fuse", "extract", "squashfuse"), Harness.order(m, 1));
        assertEquals(List.of("extract", "squashfuse", "fuse"), Harness.order(m, 2));
        assertEquals(List.of("squashfuse", "fuse", "extract"), Harness.order(m, 3));
        assertEquals(Harness.order(m, 1), Harness.order(m, 4));
    }

    @Test
    void refusesDropCaches_withoutRoot() {
        IOException e = assertThrows(IOException.class, () -> Harness.refuseDropCachesUnlessRoot(true, false));
        assertTrue(e.getMessage().startsWith("--drop-caches needs root"), e.getMessage());
    }

    @Test
    void escapesJsonAndCsv_controlCharactersAndQuotes() {
        assertEquals("{\n  \"a\\\"b\": \"x\\ny\\u0001\"\n}\n", Json.write(Map.of("a\"b", "x\ny\u0001")));
        assertEquals("\"a,\"\"b\"", Report.csvField("a,\"b"));
        assertEquals("&lt;script&gt;", HtmlReport.esc("<script>"));
    }

    private static RunRecord run(int round, String mode, double v, String error) {
        return new RunRecord(round, mode, Map.of(Metric.SETUP_S, v), List.of("cmd"), error);
    }
}
