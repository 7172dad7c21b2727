package io.squashroot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code squashroot} command. Subcommands live in their own classes and are
 * registered in the annotation below.
 *
 * <p>Error policy (the project's standard): the user sees one line, {@code squashroot: <what
 * failed and where>}, and a non-zero exit; a stack trace only with SQUASHROOT_DEBUG=1.
 */
@Command(name = "squashroot",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Run container images on HPC nodes by mounting SquashFS images through FUSE.",
        subcommands = {
                VersionCommand.class,
                MountCommand.class,
                UmountCommand.class,
                ExtractCommand.class,
                LsCommand.class,
                InfoCommand.class,
                ImportCommand.class,
                CreateCommand.class,
                StartCommand.class,
                ExecCommand.class,
                ListCommand.class,
                RemoveCommand.class,
                GcCommand.class,
                ExportCommand.class,
                CdsTrainCommand.class,
                BenchCommand.class,
                CacheCommand.class,
                StatsCommand.class,
                MksquashfsCommand.class,
                io.squashroot.cli.slurm.SrunArgvCommand.class,
                io.squashroot.cli.slurm.SrunHelpCommand.class,
                io.squashroot.cli.slurm.SlurmTaskCommand.class,
                io.squashroot.cli.slurm.SlurmCleanupCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {


    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("start") || args[0].equals("export"))) {
            io.squashroot.runtime.Containers.prewarm();
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (used by tests too). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // start and exec pass everything after the container (or pid) to the command, as enroot.
        for (String name : new String[] {"start", "exec"}) {
            cl.getSubcommands().get(name).setStopAtPositional(true);
        }
        // Container commands pass user arguments through verbatim ("@file" is an ordinary word).
        cl.setExpandAtFiles(false);
        return cl;
    }
}
