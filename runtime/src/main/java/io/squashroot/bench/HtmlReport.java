package io.squashroot.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html: one page with no external resources (no scripts, fonts or style sheets from the
 * network, so it opens on an air-gapped login node), a bar chart per metric drawn as inline SVG
 * (bar = median, whisker = min to max), then the machine and the exact commands.
 */
final class HtmlReport {

    private static final String[] COLOURS = {"#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#444e86"};
    private static final int WIDTH = 640;
    private static final int LABEL = 130;
    private static final int BAR = 22;

    private final Report r;

    HtmlReport(Report r) {
        this.r = r;
    }

    String render() {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>squashroot bench: ").append(esc(r.machine.facts().getOrDefault("image", "")))
                .append("</title><style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
                        + "pre{background:#f4f4f4;padding:8px;overflow-x:auto}figure{margin:1em 0}"
                        + "figcaption{font-weight:bold}</style></head><body>\n");
        sb.append("<h1>squashroot bench</h1>\n<p>Image <code>").append(esc(r.machine.facts().getOrDefault("image", "")))
                .append("</code>, ").append(r.options.runs()).append(" run(s) per mode. Bars are medians, whiskers span "
                        + "minimum to maximum; ratios are against <code>").append(esc(r.baseline)).append("</code>.</p>\n");
        for (Metric m : Metric.values()) {
            List<Summary.Stat> st = r.statsOf(m);
            if (!st.isEmpty()) {
                chart(sb, m, st);
            }
        }
        if (r.runs.stream().anyMatch(x -> x.error() != null)) {
            sb.append("<h2>Failed runs</h2><ul>");
            r.runs.stream().filter(x -> x.error() != null).forEach(x -> sb.append("<li>").append(esc(x.mode()))
                    .append(" round ").append(x.round()).append(": ").append(esc(x.error())).append("</li>"));
            sb.append("</ul>\n");
        }
        if (!r.skipped.isEmpty()) {
            sb.append("<h2>Modes not run</h2><ul>");
            r.skipped.forEach((k, v) -> sb.append("<li>").append(esc(k)).append(": ").append(esc(v)).append("</li>"));
            sb.append("</ul>\n");
        }
        sb.append("<h2>Machine</h2><table>");
        for (Map.Entry<String, String> e : r.machine.facts().entrySet()) {
            sb.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue())).append("</td></tr>");
        }
        sb.append("</table>\n<h2>Commands (first run of each mode)</h2>\n");
        for (String mode : r.modes) {
            sb.append("<h3>").append(esc(mode)).append("</h3><pre>");
            r.commandsOf(mode).forEach(c -> sb.append(esc(c)).append('\n'));
            sb.append("</pre>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    private void chart(StringBuilder sb, Metric m, List<Summary.Stat> st) {
        double max = st.stream().mapToDouble(Summary.Stat::max).max().orElse(0);
        double scale = max > 0 ? (WIDTH - LABEL - 150) / max : 0;
        int height = st.size() * (BAR + 8) + 10;
        sb.append("<figure><figcaption>").append(esc(m.column)).append("</figcaption><p>").append(esc(m.description))
                .append("</p>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" role=\"img\" aria-label=\"").append(esc(m.column)).append("\">\n");
        int y = 5;
        for (Summary.Stat s : st) {
            int colour = Math.max(0, r.modes.indexOf(s.mode())) % COLOURS.length;
            double w = s.median() * scale;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>",
                    LABEL - 6, y + BAR - 6, esc(s.mode())));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                    LABEL, y, Math.max(w, 1), BAR, COLOURS[colour]));
            if (s.n() > 1) {
                double x1 = LABEL + s.min() * scale;
                double x2 = LABEL + s.max() * scale;
                int ym = y + BAR / 2;
                sb.append(String.format(Locale.ROOT, "<path d=\"M%.1f %dH%.1fM%.1f %dV%dM%.1f %dV%d\" stroke=\"#222\"/>",
                        x1, ym, x2, x1, ym - 5, ym + 5, x2, ym - 5, ym + 5));
            }
            String label = Figures.human(m, s.median())
                    + (s.ratio() != null && !s.mode().equals(r.baseline) ? " (" + Figures.ratio(s.ratio()) + ")" : "");
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s</text>\n",
                    LABEL + Math.max(w, s.max() * scale) + 6, y + BAR - 6, esc(label)));
            y += BAR + 8;
        }
        sb.append("</svg></figure>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
