package io.squashroot.cli.slurm;

import io.squashroot.cli.ExitException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code squashroot srun-argv ARGS...}: the submit-side half of squashroot-srun. Reads pyxis's
 * {@code --container-*} options out of an srun command line and prints the argument vector that
 * bin/squashroot-srun then execs as {@code srun}, NUL-separated: srun's own options unchanged, then
 * {@code squashroot slurm-task <container options> -- COMMAND...} so that every task enters the
 * container on its node. Without an image or a container name the command line goes to srun
 * untouched (pyxis warns about the container options it ignores, and so do we).
 */
@Command(name = "srun-argv", hidden = true,
        description = "Print the srun argument vector for squashroot-srun (internal).")
public final class SrunArgvCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "ARG")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        List<String> argv;
        try {
            argv = srunArgv(args, System.getenv(), taskLauncher());
        } catch (OptionException e) {
            System.err.println("squashroot-srun: " + e.getMessage());
            throw new ExitException(2, "");
        }
        OutputStream out = new BufferedOutputStream(System.out);
        for (String a : argv) {
            out.write(a.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        out.flush();
        return 0;
    }

    /** The launcher the tasks run: bin/squashroot of this installation, by absolute path. */
    static String taskLauncher() {
        String home = System.getProperty("squashroot.home");
        if (home == null) {
            throw new ExitException(70, "squashroot-srun: squashroot.home is not set; run through bin/squashroot");
        }
        return Path.of(home, "bin", "squashroot").toAbsolutePath().normalize().toString();
    }

    static List<String> srunArgv(List<String> args, Map<String, String> environ, String launcher) {
        SrunCommandLine line = SrunCommandLine.parse(args);
        ContainerOptions options = ContainerOptionParser.parse(line.containerOptions(), environ);
        List<String> argv = new ArrayList<>(line.srunOptions());
        if (!options.enabled()) {
            for (String ignored : line.containerOptions()) {
                System.err.println("squashroot-srun: ignoring " + ignored.replaceFirst("=.*", "")
                        + " because neither --container-image nor --container-name is set");
            }
            argv.addAll(line.command());
            return argv;
        }
        if (line.command().isEmpty()) {
            throw new OptionException("no command given (usage: squashroot-srun [srun options] "
                    + "[--container-* options] COMMAND [ARGS...])");
        }
        argv.add(launcher);
        argv.add("slurm-task");
        argv.add("--");
        argv.addAll(options.toArguments());
        argv.add("--");
        argv.addAll(line.command());
        return argv;
    }
}
