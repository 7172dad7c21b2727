package io.squashroot.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code squashroot} command. Subcommands live in their own classes and are
 * listed in {@link #SUBCOMMANDS}.
 *
 * <p>Error policy (the project's standard): the user sees one line, {@code squashroot: <what
 * failed and where>}, and a non-zero exit; a stack trace only with SQUASHROOT_DEBUG=1.
 */
@Command(name = "squashroot",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Run container images on HPC nodes by mounting SquashFS images through FUSE.")
public final class Main implements Runnable {

    /**
     * The subcommands, in help order. Registered programmatically rather than in the annotation
     * so that a run of one subcommand builds only that one's model: picocli reads every
     * registered class's annotations by reflection, and its classes (compiled for Java 5) cannot
     * be stored in the class-data-sharing archive, so the full tree cost a container start tens
     * of milliseconds of parsing that it never used.
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(
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
            CommandLine.HelpCommand.class);

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
        CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
        return cl.execute(args);
    }

    /** The names of every subcommand (a run's own command line may hold only one of them). */
    static java.util.Set<String> subcommandNames() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (Class<?> c : SUBCOMMANDS) {
            names.add(nameOf(c));
        }
        return names;
    }

    private static String nameOf(Class<?> subcommand) {
        return subcommand.getAnnotation(Command.class).name();
    }

    /** The command line with every subcommand (help, tests, training). */
    static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command line for a run whose first argument is {@code first}: only that subcommand
     * when it names one (other than help, which describes the others), else all of them, so
     * the root's usage, errors and suggestions see the whole set.
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        Class<?> only = null;
        for (Class<?> c : SUBCOMMANDS) {
            if (nameOf(c).equals(first) && !"help".equals(first)) {
                only = c;
            }
        }
        for (Class<?> c : only != null ? List.<Class<?>>of(only) : SUBCOMMANDS) {
            cl.addSubcommand(c);
        }
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // start and exec pass everything after the container (or pid) to the command, as enroot.
        for (String name : new String[] {"start", "exec"}) {
            CommandLine sub = cl.getSubcommands().get(name);
            if (sub != null) {
                sub.setStopAtPositional(true);
            }
        }
        // Container commands pass user arguments through verbatim ("@file" is an ordinary word).
        cl.setExpandAtFiles(false);
        return cl;
    }
}
