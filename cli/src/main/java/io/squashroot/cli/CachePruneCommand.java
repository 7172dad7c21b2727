package io.squashroot.cli;

import io.squashroot.registry.ImageStore;
import io.squashroot.registry.LayerCache;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cache prune [--older-than DURATION]}: drops layer-cache entries no recent import used. */
@Command(name = "prune", description = {"Remove layer-cache entries not used within DURATION (every entry",
        "without --older-than). The layers of existing fuse-mode containers made",
        "from an image URI are kept. An import running meanwhile finishes first."})
final class CachePruneCommand implements Callable<Integer> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)([smhdw])");

    @Option(names = "--older-than", paramLabel = "DURATION", description = "e.g. 30d, 12h, 45m, 90s, 2w or PT1H")
    String olderThan;

    @Override
    public Integer call() throws Exception {
        Instant cutoff = olderThan == null ? Instant.now().plusSeconds(1) : Instant.now().minus(parse(olderThan));
        LayerCache c = ImageStore.open(RegistryCommands.settings()).cache();
        long freed = c.prune(cutoff);
        System.out.println("freed " + ProgressPrinter.human(freed) + " in " + c.root());
        return 0;
    }

    static Duration parse(String s) {
        Matcher m = SIMPLE.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        }
        try {
            return Duration.parse(s.trim().toUpperCase(Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid duration: " + s + " (use e.g. 30d, 12h, 45m or PT1H)");
        }
    }
}
