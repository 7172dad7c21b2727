package io.squashroot.cli;

import io.squashroot.runtime.ContainerInfo;
import io.squashroot.runtime.ContainerRecord;
import io.squashroot.runtime.Containers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code list [-f]}: the container names, one per line, as {@code enroot list}; with
 * {@code -f} a table of mode, size on disk, last start, running launchers and image (marked
 * {@code (changed)} when it no longer matches the digest recorded at creation; for a container
 * created from an image URI, the URI and its manifest digest).
 */
@Command(name = "list", description = "List all the containers on the system.")
final class ListCommand implements Callable<Integer> {
    @Option(names = {"-f", "--fancy"}, description = "Display more information in tabular format")
    boolean fancy;

    @Override
    public Integer call() throws Exception {
        Containers c = Containers.open(RuntimeSettings.load());
        if (!fancy) {
            c.names().forEach(System.out::println);
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "MODE", "SIZE", "CREATED", "LAST-START", "PID", "IMAGE", "DIGEST"});
        for (ContainerInfo i : c.describe()) {
            ContainerRecord r = i.record();
            String pids = i.launcherPids().isEmpty() ? "-"
                    : i.launcherPids().stream().map(String::valueOf).collect(Collectors.joining(","));
            if (r == null) {
                rows.add(new String[] {i.name(), "extract", human(i.sizeBytes()), "-", "-", pids, "-", "-"});
            } else {
                rows.add(new String[] {i.name(), r.mode().word(), human(i.sizeBytes()), r.created().toString(),
                        r.lastStart() == null ? "-" : r.lastStart().toString(), pids,
                        image(r, i.imageChanged()), r.digest()});
            }
        }
        print(rows);
        return 0;
    }

    /**
     * The image column: the file, or for a container made from an image URI the URI (its
     * DIGEST is then the manifest digest), marked when it no longer matches what was recorded.
     */
    private static String image(ContainerRecord r, boolean changed) {
        if (r.layered()) {
            return r.source() + (changed ? " (layers not in cache)" : "");
        }
        return r.image() + (changed ? " (changed)" : "");
    }

    static String human(long bytes) {
        String[] units = {"B", "K", "M", "G", "T"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u]);
    }

    private static void print(List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int k = 0; k < r.length; k++) {
                w[k] = Math.max(w[k], r[k].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < r.length; k++) {
                b.append(r[k]);
                if (k < r.length - 1) {
                    b.append(" ".repeat(w[k] - r[k].length() + 2));
                }
            }
            System.out.println(b.toString().stripTrailing());
        }
    }
}
