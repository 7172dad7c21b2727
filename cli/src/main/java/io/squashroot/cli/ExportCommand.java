package io.squashroot.cli;

import io.squashroot.runtime.Containers;
import io.squashroot.runtime.config.RuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code export [-o OUT] [-f] NAME [OUT]}, as {@code enroot export}: the container's root
 * filesystem as it sees it (a fuse-mode container: its image with its changes) written as a
 * SquashFS image by the Java writer with {@code -all-root} and $ENROOT_SQUASH_OPTIONS, as
 * enroot runs mksquashfs.
 */
@Command(name = "export", sortOptions = false, description = "Create a container image from a container.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Name of the output image file (defaults to \"NAME.sqsh\")")
    Path output;

    @Option(names = {"-f", "--force"}, description = "Overwrite an existing container image")
    boolean force;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "OUT.sqsh")
    Path positionalOutput;

    @Override
    public Integer call() throws Exception {
        RuntimeConfig cfg = RuntimeSettings.load();
        Path out = (output != null ? output : positionalOutput != null ? positionalOutput : Path.of(name + ".sqsh"))
                .toAbsolutePath().normalize();
        if (Files.exists(out) && !force && !cfg.forceOverride()) {
            throw new java.io.IOException("File already exists: " + out);
        }
        return Containers.open(cfg).withRootfs(name, rootfs -> {
            List<String> args = new ArrayList<>(List.of(rootfs.toString(), out.toString(), "-all-root",
                    "-processors", Integer.toString(cfg.maxProcessors())));
            for (String opt : cfg.get("ENROOT_SQUASH_OPTIONS").trim().split("\\s+")) {
                if (!opt.isEmpty() && !opt.equals("-exit-on-error")) {
                    args.add(opt);
                }
            }
            CommandLine cl = new CommandLine(new MksquashfsCommand());
            cl.setExecutionExceptionHandler(new ErrorReporter());
            return cl.execute(args.toArray(String[]::new));
        });
    }
}
