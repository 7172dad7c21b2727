package io.squashroot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A mode that unpacks the image to a local directory: unsquashfs, squashroot's extract mode.
 *
 * <p>The tool runs under a one-line {@code sh} wrapper that, after the tool exits and is reaped,
 * prints the shell's own /proc/PID/io and stat: the kernel adds a reaped child's I/O counters and
 * CPU time (cutime, cstime) to its parent's, so this gives the tool's exact totals, including
 * every helper process it started, without sampling.
 */
final class Extraction implements Mode {

    private static final long TIMEOUT_S = 6 * 3600;
    private static final String WRAPPER = "\"$@\"; rc=$?; cat /proc/$$/io /proc/$$/stat >\"$SQUASHROOT_BENCH_STATS\"; exit $rc";

    private final String name;
    private final BiFunction<Path, Path, List<String>> argv;
    private final Optional<String> unavailable;

    Extraction(String name, BiFunction<Path, Path, List<String>> argv, Optional<String> unavailable) {
        this.name = name;
        this.argv = argv;
        this.unavailable = unavailable;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> unavailable() {
        return unavailable;
    }

    @Override
    public Session open(Path image, Path workDir, Commands commands) throws IOException {
        Path dir = workDir.resolve(name + "-root");
        Path statsFile = workDir.resolve(name + "-extract.stats");
        List<String> tool = argv.apply(image, dir);
        commands.record(tool);
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "sh"));
        cmd.addAll(tool);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("SQUASHROOT_BENCH_STATS", statsFile.toString());
        Process p = pb.start();
        ProcStats stats;
        try (ProcessWatch watch = new ProcessWatch(p.pid())) {
            Commands.Result r = Commands.finish(p, tool, TIMEOUT_S);
            if (r.exit() != 0) {
                delete(dir);
                throw new IOException(tool.get(0) + " failed to extract (exit " + r.exit() + "): " + r.firstErrorLine());
            }
            String text = Files.readString(statsFile, StandardCharsets.US_ASCII);
            int statStart = text.indexOf("\n", text.indexOf("cancelled_write_bytes:")) + 1;
            ProcStats exact = ProcStats.parse(text.substring(0, statStart), text.substring(statStart), "");
            long peak = watch.total().peakRssBytes();
            stats = new ProcStats(exact.rchar(), exact.readBytes(), exact.cpuTicks(), peak);
        } finally {
            Files.deleteIfExists(statsFile);
        }
        return new Extracted(dir, stats);
    }

    static void delete(Path dir) throws IOException {
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // rm copes with read-only directories that the extraction recreated (chmod first).
            new ProcessBuilder("chmod", "-R", "u+rwX", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().onExit().join();
            Process rm = new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (rm.onExit().join().exitValue() != 0) {
                throw new IOException(dir + ": could not remove the extracted tree");
            }
        }
    }

    /** An extracted tree; closing deletes it. */
    static final class Extracted extends Session {
        private final ProcStats stats;

        Extracted(Path root, ProcStats stats) {
            super(root);
            this.stats = stats;
        }

        @Override
        ProcStats stats() {
            return stats;
        }

        @Override
        List<Path> localDirs() {
            return List.of(root());
        }

        @Override
        public void close() throws IOException {
            delete(root());
        }
    }
}
