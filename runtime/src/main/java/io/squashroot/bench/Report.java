package io.squashroot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's results and the four files written from them: runs.csv and runs.json (every
 * run, every figure), summary.md and report.html (medians, extremes, ratios, charts). Every file
 * is written to a temporary name and renamed, so an interrupted run leaves no half report.
 */
final class Report {

    static final int SCHEMA = 1;

    final MachineInfo machine;
    final BenchOptions options;
    final List<String> modes;
    final Map<String, String> skipped;
    final List<RunRecord> runs;
    final String baseline;
    final List<Summary.Stat> stats;

    Report(MachineInfo machine, BenchOptions options, List<String> modes, Map<String, String> skipped,
            List<RunRecord> runs) {
        this.machine = machine;
        this.options = options;
        this.modes = List.copyOf(modes);
        this.skipped = Map.copyOf(skipped);
        this.runs = List.copyOf(runs);
        this.baseline = modes.contains("fuse") ? "fuse" : modes.get(0);
        this.stats = Summary.of(runs, modes, baseline);
    }

    Path write(Path dir) throws IOException {
        put(dir.resolve("runs.csv"), csv());
        put(dir.resolve("runs.json"), Json.write(json()));
        put(dir.resolve("report.html"), new HtmlReport(this).render());
        Path md = dir.resolve("summary.md");
        put(md, new MarkdownReport(this).render());
        return md;
    }

    private static void put(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    String csv() {
        StringBuilder sb = new StringBuilder("round,mode,error");
        for (Metric m : Metric.values()) {
            sb.append(',').append(m.column);
        }
        sb.append('\n');
        for (RunRecord r : runs) {
            sb.append(r.round()).append(',').append(csvField(r.mode())).append(',')
                    .append(r.error() == null ? "" : csvField(r.error()));
            for (Metric m : Metric.values()) {
                Double v = r.get(m);
                sb.append(',').append(v == null ? "" : Figures.plain(v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("machine", machine.facts());
        root.put("modes", modes);
        root.put("baseline", baseline);
        root.put("skipped", new LinkedHashMap<>(skipped));
        List<Object> metrics = new ArrayList<>();
        for (Metric m : Metric.values()) {
            metrics.add(Map.of("name", m.column, "unit", m.unit, "description", m.description));
        }
        root.put("metrics", metrics);
        List<Object> rs = new ArrayList<>();
        for (RunRecord r : runs) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("round", r.round());
            o.put("mode", r.mode());
            o.put("error", r.error());
            Map<String, Object> vals = new LinkedHashMap<>();
            for (Metric m : Metric.values()) {
                vals.put(m.column, r.get(m));
            }
            o.put("values", vals);
            o.put("commands", r.commands());
            rs.add(o);
        }
        root.put("runs", rs);
        List<Object> ss = new ArrayList<>();
        for (Summary.Stat s : stats) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mode", s.mode());
            o.put("metric", s.metric().column);
            o.put("n", s.n());
            o.put("median", s.median());
            o.put("min", s.min());
            o.put("max", s.max());
            o.put("ratio_vs_baseline", s.ratio());
            ss.add(o);
        }
        root.put("summary", ss);
        return root;
    }

    /** The commands of a mode's first successful run (or first run), for the report. */
    List<String> commandsOf(String mode) {
        return runs.stream().filter(r -> r.mode().equals(mode)).sorted((a, b) -> Boolean.compare(
                a.error() != null, b.error() != null)).findFirst().map(RunRecord::commands).orElse(List.of());
    }

    List<Summary.Stat> statsOf(Metric m) {
        return stats.stream().filter(s -> s.metric() == m).toList();
    }
}
