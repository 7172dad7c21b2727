package io.squashroot.cli.slurm;

import io.squashroot.cli.ExitException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code squashroot slurm-task -- [container options] -- COMMAND...}: what every task of a
 * squashroot-srun step runs on its node. The first task of the node to arrive starts the container
 * (importing and creating it if needed) and becomes its holder; the others find it running and
 * join it; every task runs its command in the container's namespaces with its own environment and
 * exits with the command's status. The holder stops the container when the last member has left.
 * See {@link InstanceState} for the locking and docs/user-guide-slurm.md for the behaviour.
 */
@Command(name = "slurm-task", hidden = true,
        description = "Run one Slurm task in the step's container (internal; used by squashroot-srun).")
public final class SlurmTaskCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "ARG")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        int split = args.indexOf("--");
        if (split < 0 || split == args.size() - 1) {
            throw new ExitException(2, "slurm-task: usage: slurm-task -- [container options] -- COMMAND...");
        }
        // The task's own environment, as the user had it (bin/squashroot gave this JVM C.UTF-8).
        Map<String, String> env = io.squashroot.runtime.HostLocale.callerEnvironment(System.getenv());
        ContainerOptions options;
        SlurmJob job;
        try {
            options = ContainerOptionParser.parse(args.subList(0, split), Map.of());
            job = SlurmJob.fromEnvironment(env);
        } catch (OptionException e) {
            throw new ExitException(2, e.getMessage());
        }
        List<String> command = args.subList(split + 1, args.size());
        SlurmSettings settings = SlurmSettings.load(env);
        Path stateRoot = UserStateDir.resolve(settings, env);
        TaskRun run = new TaskRun(options, job, settings, env, stateRoot,
                new RuntimeCommands(SrunArgvCommand.taskLauncher(), runtimeEnvironment(env, options)));
        return run.execute(command);
    }

    /** The environment of runtime commands: the task's, plus the settings pyxis passes to enroot. */
    static Map<String, String> runtimeEnvironment(Map<String, String> task, ContainerOptions o) {
        Map<String, String> out = new LinkedHashMap<>(task);
        if (o.mountHome() != null) {
            out.put("ENROOT_MOUNT_HOME", o.mountHome() ? "y" : "n");
        }
        if (o.remapRoot() != null) {
            out.put("ENROOT_REMAP_ROOT", o.remapRoot() ? "y" : "n");
        }
        if (o.writable() != null) {
            out.put("ENROOT_ROOTFS_WRITABLE", o.writable() ? "y" : "n");
        }
        if (o.mountMode() != null) {
            out.put("SQUASHROOT_MOUNT_MODE", o.mountMode());
        }
        if (o.insecureRegistry() && o.image() != null && !o.imageIsFile()) {
            // Only the image's registry may use plain HTTP or unverified TLS, not every registry.
            String prior = task.getOrDefault("SQUASHROOT_INSECURE_REGISTRIES", "");
            out.put("SQUASHROOT_INSECURE_REGISTRIES", (prior.isBlank() ? "" : prior + ",") + o.registry());
        }
        return out;
    }
}
