package io.squashroot.bench;

import java.util.List;
import java.util.Map;

/** summary.md: the figures an admin reads first, then where and how they were taken. */
final class MarkdownReport {

    private final Report r;

    MarkdownReport(Report r) {
        this.r = r;
    }

    String render() {
        StringBuilder sb = new StringBuilder("# squashroot bench: ")
                .append(r.machine.facts().getOrDefault("image", "")).append("\n\n");
        sb.append("Medians of ").append(r.options.runs()).append(" run(s) per mode, [min – max], and the ratio of each "
                + "median to the `").append(r.baseline).append("` median (below 1× is less than `").append(r.baseline)
                .append("`). Every run is in runs.csv and runs.json; charts in report.html.\n\n");
        sb.append("| metric |");
        for (String m : r.modes) {
            sb.append(' ').append(m).append(" |");
        }
        sb.append("\n|---|").append("---|".repeat(r.modes.size())).append('\n');
        for (Metric m : Metric.values()) {
            List<Summary.Stat> st = r.statsOf(m);
            if (st.isEmpty()) {
                continue;
            }
            sb.append("| ").append(m.column).append(" |");
            for (String mode : r.modes) {
                Summary.Stat s = st.stream().filter(x -> x.mode().equals(mode)).findFirst().orElse(null);
                if (s == null) {
                    sb.append(" – |");
                    continue;
                }
                sb.append(' ').append(Figures.human(m, s.median()));
                if (s.n() > 1) {
                    sb.append(" [").append(Figures.human(m, s.min())).append(" – ").append(Figures.human(m, s.max()))
                            .append(']');
                }
                if (s.ratio() != null && !mode.equals(r.baseline)) {
                    sb.append(" (").append(Figures.ratio(s.ratio())).append(')');
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
        long failed = r.runs.stream().filter(x -> x.error() != null).count();
        if (failed > 0) {
            sb.append("\n## Failed runs\n\n");
            r.runs.stream().filter(x -> x.error() != null).forEach(x -> sb.append("- ").append(x.mode())
                    .append(" round ").append(x.round()).append(": ").append(x.error()).append('\n'));
        }
        if (!r.skipped.isEmpty()) {
            sb.append("\n## Modes not run\n\n");
            r.skipped.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        }
        sb.append("\n## Metrics\n\n");
        for (Metric m : Metric.values()) {
            sb.append("- `").append(m.column).append("`").append(m.unit.isEmpty() ? "" : " (" + m.unit + ")")
                    .append(": ").append(m.description).append('\n');
        }
        sb.append("\n## Machine\n\n| | |\n|---|---|\n");
        for (Map.Entry<String, String> e : r.machine.facts().entrySet()) {
            sb.append("| ").append(e.getKey()).append(" | ").append(e.getValue().replace("|", "\\|")).append(" |\n");
        }
        sb.append("\n## Commands (first run of each mode)\n");
        for (String mode : r.modes) {
            sb.append("\n### ").append(mode).append("\n\n```sh\n");
            r.commandsOf(mode).forEach(c -> sb.append(c).append('\n'));
            sb.append("```\n");
        }
        return sb.toString();
    }
}
