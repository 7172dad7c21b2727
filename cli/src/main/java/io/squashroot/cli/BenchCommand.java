package io.squashroot.cli;

import io.squashroot.bench.BenchOptions;
import io.squashroot.bench.Harness;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code squashroot bench}: the admins' end-to-end comparison of fuse, extract and peer tools. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Measure an image under squashroot's fuse and extract modes (and, with --peers, the tools "
                + "installed here: squashfuse, squashfuse_ll, unsquashfs, fuse-overlayfs, the kernel's squashfs "
                + "when root), and write summary.md, report.html, runs.csv and runs.json to --out.",
                "Each run: launch + workload (time to first output and to exit), then a fresh launch for a "
                + "metadata walk and a cold and a warm full read. Modes alternate every round."})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--image", required = true, paramLabel = "IMAGE",
            description = "Image file (.sqsh) or docker://REFERENCE (imported first).")
    String image;

    @Option(names = "--workload", paramLabel = "COMMAND",
            description = "Shell command run inside the image at every start: through 'squashroot start' for"
                    + " fuse and extract, with chroot (no /dev, /proc) for the peers; default: list /.")
    String workload;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--drop-caches", description = "Drop the page cache before every session (root only).")
    boolean dropCaches;

    @Option(names = "--peers", description = "Also measure the peer tools installed on this node.")
    boolean peers;

    @Option(names = "--mode", paramLabel = "NAME", split = ",",
            description = "Only these modes (fuse, extract, squashfuse, squashfuse_ll, unsquashfs, fuse-overlayfs, kernel).")
    List<String> modes = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Report directory (default: ./squashroot-bench-DATE).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (out == null) {
            out = Path.of("squashroot-bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        BenchOptions o = new BenchOptions(image, workload, runs, dropCaches, peers, out, selfCommand(),
                Main.subcommandNames(), VersionCommand.VERSION, modes);
        Path summary = new Harness(o, System.err).run();
        System.out.println(summary.getParent().resolve("report.html"));
        System.out.println(summary);
        return 0;
    }

    /** The command line that runs this squashroot again: same JVM, same class path. */
    static List<String> selfCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }
}
