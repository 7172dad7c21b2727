package io.squashroot.bench;

import java.util.Locale;

/** How figures are printed: exact in CSV/JSON, readable (KiB, ms) in the Markdown and HTML. */
final class Figures {

    private Figures() {
    }

    /** Exact: the CSV and JSON carry the same digits (Java's shortest round-trip form). */
    static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static String human(Metric m, double v) {
        return switch (m.unit) {
            case "B" -> bytes(v);
            case "s" -> v < 1 ? String.format(Locale.ROOT, "%.1f ms", v * 1000) : String.format(Locale.ROOT, "%.2f s", v);
            default -> plain(v);
        };
    }

    static String bytes(double v) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f B", v) : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String ratio(Double r) {
        return r == null ? "" : String.format(Locale.ROOT, "%.2f×", r);
    }
}
