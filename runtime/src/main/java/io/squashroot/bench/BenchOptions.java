package io.squashroot.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What {@code squashroot bench} was asked to do.
 *
 * @param image an image file, or a {@code docker://} reference imported first
 * @param workload a shell command run inside the image, or null to list the root directory
 * @param runs rounds; every mode runs once per round, in an order rotated each round
 * @param dropCaches drop the page cache before every session (root only)
 * @param peers also measure the peer tools installed on the node
 * @param out directory for the report
 * @param squashroot the command line that runs squashroot itself (java, class path, main class)
 * @param subcommands the squashroot subcommands this build has, so modes wire to what exists
 * @param version squashroot's version, for the report
 * @param only if not empty, run only the modes with these names
 */
public record BenchOptions(String image, String workload, int runs, boolean dropCaches, boolean peers, Path out,
        List<String> squashroot, Set<String> subcommands, String version, List<String> only) {

    public BenchOptions {
        if (runs < 1 || runs > 1000) {
            throw new IllegalArgumentException("--runs must be between 1 and 1000, got " + runs);
        }
        squashroot = List.copyOf(squashroot);
        subcommands = Set.copyOf(subcommands);
        only = List.copyOf(only);
    }
}
