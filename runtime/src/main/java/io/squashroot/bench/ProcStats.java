package io.squashroot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One reading of a process's accounting from /proc: storage reads, CPU time and peak memory.
 *
 * <p>{@code read_bytes} counts bytes the process caused to be fetched from a block device (page
 * cache hits count nothing); {@code rchar} counts bytes returned by read-like system calls, cached
 * or not, which is what a network file system would be asked for when its client cache is cold.
 * CPU is {@code utime+stime} (fields 14 and 15 of /proc/PID/stat) plus the waited-for children's
 * ({@code cutime+cstime}, fields 16 and 17), converted from clock ticks. Peak RSS is VmHWM.
 *
 * @param rchar bytes returned by read system calls
 * @param readBytes bytes read from storage
 * @param cpuTicks CPU time of the process and its reaped children, in clock ticks
 * @param peakRssBytes VmHWM in bytes (0 when the kernel reports none, e.g. a zombie)
 */
record ProcStats(long rchar, long readBytes, long cpuTicks, long peakRssBytes) {

    /** USER_HZ on Linux is 100 on every architecture the JDK runs on; it is a fixed ABI value. */
    static final double TICKS_PER_SECOND = 100.0;

    static final ProcStats ZERO = new ProcStats(0, 0, 0, 0);

    double cpuSeconds() {
        return cpuTicks / TICKS_PER_SECOND;
    }

    /** Reads the current figures of {@code pid}; throws if the process is gone. */
    static ProcStats read(long pid) throws IOException {
        Path dir = Path.of("/proc", Long.toString(pid));
        return parse(Files.readString(dir.resolve("io"), StandardCharsets.US_ASCII),
                Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII),
                Files.readString(dir.resolve("status"), StandardCharsets.US_ASCII));
    }

    /** Like {@link #read} but returns null when the process has exited or cannot be read. */
    static ProcStats tryRead(long pid) {
        try {
            return read(pid);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static ProcStats parse(String io, String stat, String status) {
        long rchar = field(io, "rchar:");
        long readBytes = field(io, "read_bytes:");
        // The command name (field 2) is in parentheses and may contain spaces: count from the
        // last ')'. After it, field 3 (state) is index 0, so utime (14) is index 11.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("/proc stat: no command name in '" + first(stat) + "'");
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        if (f.length < 15) {
            throw new IllegalArgumentException("/proc stat: " + f.length + " fields, expected at least 15");
        }
        long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        long hwmKib = status.contains("VmHWM:") ? field(status, "VmHWM:") : 0;
        return new ProcStats(rchar, readBytes, cpu, hwmKib * 1024);
    }

    /** Figures accumulated between {@code before} and this reading; the peak is this reading's. */
    ProcStats minus(ProcStats before) {
        return new ProcStats(rchar - before.rchar, readBytes - before.readBytes,
                cpuTicks - before.cpuTicks, peakRssBytes);
    }

    ProcStats plus(ProcStats other) {
        return new ProcStats(rchar + other.rchar, readBytes + other.readBytes,
                cpuTicks + other.cpuTicks, peakRssBytes + other.peakRssBytes);
    }

    private static long field(String text, String key) {
        int i = text.indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("/proc: no '" + key + "' field");
        }
        int s = i + key.length();
        while (s < text.length() && (text.charAt(s) == ' ' || text.charAt(s) == '\t')) {
            s++;
        }
        int e = s;
        while (e < text.length() && Character.isDigit(text.charAt(e))) {
            e++;
        }
        return Long.parseLong(text.substring(s, e));
    }

    private static String first(String s) {
        return s.length() > 40 ? s.substring(0, 40) : s;
    }
}
