package io.squashroot.cli;

import io.squashroot.runtime.Containers;
import io.squashroot.runtime.GcReport;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gc [--older-than DURATION] [--dry-run]}: removes what dead launchers left (runtime
 * directories, their mounts, temporary extracted trees), script libraries of other squashroot
 * builds that no running container uses and, with --older-than, named containers unused for
 * that long; prints what it freed.
 */
@Command(name = "gc", description = {"Remove stale runtime directories and mounts left by killed starts,",
        "launcher scripts of other squashroot builds that no running container uses,",
        "and named containers not used within --older-than."})
final class GcCommand implements Callable<Integer> {
    @Option(names = "--older-than", paramLabel = "DURATION",
            description = "Also remove containers not started for this long: 30d, 12h, 45m, 90s, or ISO-8601 (P7D)")
    String olderThan;

    @Option(names = "--dry-run", description = "Report what would be removed; remove nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        Duration d = olderThan == null ? null : parseDuration(olderThan);
        GcReport r = Containers.open(RuntimeSettings.load()).gc(d, dryRun);
        String verb = r.dryRun() ? "would remove" : "removed";
        for (String item : r.items()) {
            System.out.println(verb + " " + item);
        }
        System.out.println((r.dryRun() ? "would free " : "freed ") + ListCommand.human(r.bytes())
                + " (" + r.items().size() + " item" + (r.items().size() == 1 ? "" : "s") + ")");
        return 0;
    }

    static Duration parseDuration(String s) {
        String t = s.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            Duration d = switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new IllegalArgumentException();
            };
            if (d.isNegative()) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--older-than " + s + ": not a duration (e.g. 30d, 12h, 45m, 90s, P7D)");
        }
    }
}
