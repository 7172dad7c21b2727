package io.squashroot.cli;

import io.squashroot.registry.Digest;
import io.squashroot.registry.ImportProgress;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Import progress on stderr. On a terminal: one bar per layer, redrawn in place (at most five
 * times a second). Otherwise (logs, Slurm output files): one line per layer state change and one
 * per phase, so a log stays readable and grep-able.
 */
final class ProgressPrinter implements ImportProgress {

    private static final long REDRAW_NANOS = 200_000_000L;

    private static final class Bar {
        final String label;
        final long size;
        long done;
        String state;

        Bar(String label, long size, String state) {
            this.label = label;
            this.size = size;
            this.state = state;
        }
    }

    private final PrintStream out;
    private final boolean tty;
    private final Map<Digest, Bar> bars = new LinkedHashMap<>();
    private int drawnLines;
    private long lastDraw;

    ProgressPrinter(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    static ProgressPrinter forStderr() {
        String term = System.getenv("TERM");
        boolean tty = System.console() != null && term != null && !term.equals("dumb");
        return new ProgressPrinter(System.err, tty);
    }

    @Override
    public synchronized void phase(String message) {
        if (tty && drawnLines > 0) {
            draw(true);
            drawnLines = 0;
            bars.clear();
        }
        out.println((message.startsWith("warning:") ? "[WARN] " + message.substring(9) : "[INFO] " + message));
    }

    @Override
    public synchronized void layer(int index, int count, Digest digest, long size, LayerState state) {
        String label = String.format(Locale.ROOT, "%d/%d %s", index, count, digest.shortHex());
        String s = state.name().toLowerCase(Locale.ROOT);
        Bar b = bars.computeIfAbsent(digest, d -> new Bar(label, size, s));
        b.state = s;
        if (state == LayerState.CACHED || state == LayerState.CONVERTED) {
            b.done = b.size;
        }
        if (tty) {
            draw(true);
        } else if (state != LayerState.DOWNLOADING) {
            out.println("[INFO] layer " + label + " " + human(size) + " " + s);
        }
    }

    @Override
    public synchronized void bytes(Digest digest, long delta) {
        Bar b = bars.get(digest);
        if (b == null) {
            return;
        }
        b.done += delta;
        if (tty && System.nanoTime() - lastDraw > REDRAW_NANOS) {
            draw(false);
        }
    }

    private void draw(boolean force) {
        lastDraw = System.nanoTime();
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) {
            sb.append("\033[").append(drawnLines).append('F');
        }
        for (Bar b : bars.values()) {
            int width = 30;
            int filled = b.size <= 0 ? width : (int) Math.min(width, b.done * width / b.size);
            sb.append("\033[2K  ").append(b.label).append(" [")
                    .append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%9s/%-9s %s", human(b.done), human(b.size), b.state))
                    .append('\n');
        }
        drawnLines = bars.size();
        out.print(sb);
        out.flush();
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
