package io.squashroot.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Medians, extremes and ratios of every metric per mode, over the runs that succeeded. */
final class Summary {

    /**
     * One metric of one mode.
     *
     * @param ratio this mode's median over the baseline mode's median, or null when undefined
     */
    record Stat(String mode, Metric metric, int n, double median, double min, double max, Double ratio) {
    }

    private Summary() {
    }

    static List<Stat> of(List<RunRecord> runs, List<String> modes, String baseline) {
        List<Stat> out = new ArrayList<>();
        for (Metric m : Metric.values()) {
            Double base = median(values(runs, baseline, m));
            for (String mode : modes) {
                double[] v = values(runs, mode, m);
                if (v.length == 0) {
                    continue;
                }
                double med = median(v);
                Double ratio = base == null || base == 0 ? null : med / base;
                out.add(new Stat(mode, m, v.length, med, v[0], v[v.length - 1], ratio));
            }
        }
        return out;
    }

    /** The sorted values of {@code m} over the successful runs of {@code mode}. */
    static double[] values(List<RunRecord> runs, String mode, Metric m) {
        return runs.stream().filter(r -> r.mode().equals(mode) && r.error() == null && r.get(m) != null)
                .mapToDouble(r -> r.get(m)).sorted().toArray();
    }

    static Double median(double[] sorted) {
        if (sorted.length == 0) {
            return null;
        }
        double[] s = sorted.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }
}
