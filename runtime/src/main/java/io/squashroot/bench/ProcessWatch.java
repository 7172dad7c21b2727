package io.squashroot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Samples the /proc accounting of a set of processes (and their descendants) every 20 ms, so a
 * session's peak memory is known even for processes that exit before the harness asks, and so
 * processes that daemonize (re-parent to init) are still followed once found.
 *
 * <p>Peak RSS can only be sampled: the kernel keeps VmHWM while a process lives and drops it at
 * exit. Reads and CPU of one-shot commands are taken exactly by {@link Extraction}'s wrapper.
 */
final class ProcessWatch implements AutoCloseable {

    private static final long PERIOD_MS = 20;

    private final Set<Long> roots = new LinkedHashSet<>();
    private final Map<Long, ProcStats> latest = new HashMap<>();
    private final Map<Long, ProcStats> baseline = new HashMap<>();
    private final Map<Long, Long> peak = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    ProcessWatch(long... pids) {
        for (long p : pids) {
            roots.add(p);
        }
        thread = new Thread(this::loop, "bench-proc-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Follows {@code pid} (and its descendants) too. */
    synchronized void add(long pid) {
        roots.add(pid);
    }

    /** Follows every process whose command line names {@code path}: the daemon a tool forked off. */
    void addByArgument(Path path) {
        String needle = path.toAbsolutePath().normalize().toString();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : ds) {
                long pid = Long.parseLong(d.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8);
                    for (String arg : cmd.split("\0")) {
                        if (arg.equals(needle)) {
                            add(pid);
                            break;
                        }
                    }
                } catch (IOException ignored) {
                    // exited or not ours to read
                }
            }
        } catch (IOException ignored) {
            // /proc unreadable: nothing to follow
        }
    }

    /** Takes a sample now and makes it the zero point for reads (CPU keeps counting from process start). */
    synchronized void resetBaseline() {
        sample();
        baseline.clear();
        baseline.putAll(latest);
    }

    /** Takes a sample now: reads since the baseline, CPU since process start, and the summed peaks. */
    synchronized ProcStats total() {
        sample();
        ProcStats sum = ProcStats.ZERO;
        for (Map.Entry<Long, ProcStats> e : latest.entrySet()) {
            ProcStats base = baseline.getOrDefault(e.getKey(), ProcStats.ZERO);
            ProcStats d = e.getValue().minus(base);
            // CPU counts the whole life of the process (a JVM's start-up is part of its cost); reads
            // count from the baseline, so a daemon's loading of its own program is left out.
            sum = sum.plus(new ProcStats(d.rchar(), d.readBytes(), e.getValue().cpuTicks(), 0));
        }
        long peaks = peak.values().stream().mapToLong(Long::longValue).sum();
        return new ProcStats(sum.rchar(), sum.readBytes(), sum.cpuTicks(), peaks);
    }

    private void loop() {
        while (running) {
            synchronized (this) {
                sample();
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        Set<Long> pids = new LinkedHashSet<>();
        for (long r : roots) {
            pids.add(r);
            ProcessHandle.of(r).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        }
        for (long pid : pids) {
            ProcStats s = ProcStats.tryRead(pid);
            if (s != null) {
                latest.put(pid, s);
                peak.merge(pid, s.peakRssBytes(), Math::max);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
