package io.squashroot.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code squashroot bench}: measures one image under every available mode and writes the report.
 *
 * <p>Each run of a mode is two sessions. The <em>start</em> session launches the mode (mount or
 * extraction) and runs the workload, timing its first output and its end from the launch: what a
 * user waits for. The <em>full</em> session launches the mode afresh and walks the tree, then
 * reads every file twice (cold, warm): what a job that touches everything costs. Modes run in
 * rounds, the order rotated every round, so drift on a shared node (other jobs, page cache
 * filling) falls on every mode alike. With --drop-caches the page cache is dropped before every
 * session, so "cold" means cold storage, not just a fresh mount.
 */
public final class Harness {

    private final BenchOptions options;
    private final PrintStream progress;
    private final Commands commands = new Commands();
    private final java.util.Set<String> startable = new java.util.HashSet<>();

    public Harness(BenchOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Runs the benchmark and writes the report; returns the report's Markdown summary path. */
    public Path run() throws IOException {
        refuseDropCachesUnlessRoot(options.dropCaches(), Privileges.isRoot());
        Path out = Files.createDirectories(options.out().toAbsolutePath());
        Path work = Files.createTempDirectory(out, "work-");
        try {
            Path image = resolveImage(work);
            List<Mode> modes = Modes.all(options);
            Map<String, String> skipped = new LinkedHashMap<>();
            List<Mode> active = new ArrayList<>();
            for (Mode m : modes) {
                Optional<String> why = m.unavailable();
                if (why.isPresent()) {
                    skipped.put(m.name(), why.get());
                    progress.println("bench: skipping " + m.name() + ": " + why.get());
                } else {
                    active.add(m);
                }
            }
            if (active.isEmpty()) {
                throw new IOException("no mode can run on this node: " + skipped);
            }
            checkStartCommands(active, image, skipped);
            MachineInfo machine = MachineInfo.collect(image, options);
            List<RunRecord> runs = new ArrayList<>();
            for (int round = 1; round <= options.runs(); round++) {
                for (Mode m : order(active, round)) {
                    progress.println("bench: round " + round + "/" + options.runs() + ": " + m.name());
                    runs.add(runOne(m, round, image, work));
                }
            }
            Report report = new Report(machine, options, active.stream().map(Mode::name).toList(), skipped, runs);
            return report.write(out);
        } finally {
            Extraction.delete(work);
        }
    }

    /** The modes in the order of round {@code round} (from 1): rotated by one each round. */
    static <T> List<T> order(List<T> modes, int round) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < modes.size(); i++) {
            out.add(modes.get((i + round - 1) % modes.size()));
        }
        return out;
    }

    /**
     * Tries each mode's one-command start once with the workload {@code true}. A mode whose start
     * fails (a mode this build cannot start yet) is measured by mounting or extracting and running
     * the workload with chroot instead, and the report says so. The try also warms every mode's
     * code paths alike before the first measured round.
     */
    private void checkStartCommands(List<Mode> modes, Path image, Map<String, String> notes) throws IOException {
        if (new Workload(options.workload()).isProbe()) {
            return;
        }
        for (Mode m : modes) {
            List<String> argv = m.startCommand(image, "true");
            if (argv == null) {
                continue;
            }
            Commands.Result r = commands.run(argv, 600);
            if (r.exit() == 0) {
                startable.add(m.name());
            } else {
                notes.put(m.name() + " (start)", "'" + String.join(" ", argv.subList(argv.indexOf("start"), argv.size()))
                        + "' failed: " + r.firstErrorLine() + "; measured by mount/extract + chroot instead");
            }
        }
        commands.drain();
    }

    static void refuseDropCachesUnlessRoot(boolean dropCaches, boolean root) throws IOException {
        if (dropCaches && !root) {
            throw new IOException("--drop-caches needs root (it writes /proc/sys/vm/drop_caches); "
                    + "run as root, or leave it out to measure with the page cache as it is");
        }
    }

    private Path resolveImage(Path work) throws IOException {
        String img = options.image();
        if (!img.startsWith("docker://")) {
            Path p = Path.of(img).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new IOException(img + ": no such image file");
            }
            return p;
        }
        if (!options.subcommands().contains("import")) {
            throw new IOException(img + ": this squashroot has no 'import' command to fetch it; "
                    + "import it first and pass the .sqsh file");
        }
        Path target = options.out().toAbsolutePath().resolve("image.sqsh");
        if (!Files.exists(target)) {
            progress.println("bench: importing " + img);
            commands.check(Modes.concat(options.squashroot(), "import", "--output", target.toString(), img), 6 * 3600);
        }
        return target;
    }

    private RunRecord runOne(Mode mode, int round, Path image, Path work) {
        Map<Metric, Double> v = new EnumMap<>(Metric.class);
        Workload workload = new Workload(options.workload());
        Optional<DeviceStats> device = DeviceStats.forFile(image);
        try {
            // Start session: launch, workload, first output.
            dropCaches();
            long devBase = device.map(DeviceStats::readBytes).orElse(0L);
            if (startable.contains(mode.name())) {
                // One command, as a user starts a container: the whole tree (server, launcher,
                // workload) is what "start" costs here; setup is not separable.
                long t0 = System.nanoTime();
                Workload.Timing t = workload.time(mode.startCommand(image, options.workload()), commands);
                v.put(Metric.FIRST_OUTPUT_S, seconds(t.firstOutputNanos() - t0));
                v.put(Metric.WORKLOAD_WALL_S, seconds(t.endNanos() - t0));
                v.put(Metric.WORKLOAD_EXIT, (double) t.exit());
                v.put(Metric.START_STORAGE_READ_BYTES, (double) t.tree().readBytes());
                v.put(Metric.START_REQUESTED_BYTES, (double) t.tree().rchar());
                v.put(Metric.START_CPU_S, t.tree().cpuSeconds());
                device.ifPresent(d -> v.put(Metric.START_DEVICE_READ_BYTES, (double) (d.readBytes() - devBase)));
            } else {
                startSession(mode, image, work, workload, device, devBase, v);
            }
            // Full session: walk, cold read, warm read.
            dropCaches();
            try (Session s = mode.open(image, work, commands)) {
                long a = System.nanoTime();
                TreeProbe.Walk walk = TreeProbe.walk(s.root());
                long b = System.nanoTime();
                TreeProbe.Read cold = TreeProbe.readAll(walk.files());
                long c = System.nanoTime();
                TreeProbe.readAll(walk.files());
                long d = System.nanoTime();
                v.put(Metric.WALK_S, seconds(b - a));
                v.put(Metric.WALK_ENTRIES, (double) walk.entries());
                v.put(Metric.COLD_READ_S, seconds(c - b));
                v.put(Metric.WARM_READ_S, seconds(d - c));
                v.put(Metric.FILE_BYTES, (double) cold.bytes());
                ProcStats st = s.stats();
                v.put(Metric.FULL_STORAGE_READ_BYTES, (double) st.readBytes());
                if (s.hasProcesses()) {
                    v.put(Metric.DAEMON_CPU_S, st.cpuSeconds());
                    v.put(Metric.PEAK_RSS_BYTES, (double) st.peakRssBytes());
                }
                v.put(Metric.DISK_USED_BYTES, (double) diskUsed(s.localDirs()));
                s.close();
                s.backingReadBytes().ifPresent(n -> v.put(Metric.BACKING_READ_BYTES, (double) n));
                s.backingReadRequests().ifPresent(n -> v.put(Metric.BACKING_READ_REQUESTS, (double) n));
            }
            return new RunRecord(round, mode.name(), v, commands.drain(), null);
        } catch (IOException | RuntimeException e) {
            progress.println("bench: " + mode.name() + " round " + round + " failed: " + e.getMessage());
            return new RunRecord(round, mode.name(), v, commands.drain(), String.valueOf(e.getMessage()));
        }
    }

    private void startSession(Mode mode, Path image, Path work, Workload workload, Optional<DeviceStats> device,
            long devBase, Map<Metric, Double> v) throws IOException {
        long t0 = System.nanoTime();
        try (Session s = mode.open(image, work, commands)) {
            long ready = System.nanoTime();
            Workload.Timing t = workload.run(s.root(), commands);
            v.put(Metric.SETUP_S, seconds(ready - t0));
            v.put(Metric.FIRST_OUTPUT_S, seconds(t.firstOutputNanos() - t0));
            v.put(Metric.WORKLOAD_WALL_S, seconds(t.endNanos() - t0));
            v.put(Metric.WORKLOAD_EXIT, (double) t.exit());
            ProcStats st = s.stats();
            v.put(Metric.START_STORAGE_READ_BYTES, (double) st.readBytes());
            v.put(Metric.START_REQUESTED_BYTES, (double) st.rchar());
            if (s.hasProcesses()) {
                v.put(Metric.START_CPU_S, st.cpuSeconds());
            }
            device.ifPresent(d -> v.put(Metric.START_DEVICE_READ_BYTES, (double) (d.readBytes() - devBase)));
        }
    }

    private long diskUsed(List<Path> dirs) throws IOException {
        long total = 0;
        for (Path d : dirs) {
            Commands.Result r = commands.check(List.of("du", "-s", "-B1", d.toString()), 3600);
            total += Long.parseLong(r.stdout().trim().split("\\s+")[0]);
        }
        return total;
    }

    private void dropCaches() throws IOException {
        if (!options.dropCaches()) {
            return;
        }
        commands.check(List.of("sync"), 600);
        commands.record(List.of("sh", "-c", "echo 3 > /proc/sys/vm/drop_caches"));
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
