package io.squashroot.cli.slurm;

import io.squashroot.cli.ExitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One task of a squashroot-srun step on its node: find or start the container instance, run the
 * command in it, leave, and (for the task that started it) stop it after the last member.
 *
 * <p>Names follow pyxis: the instance of a named container is the container's name, so concurrent
 * steps that name the same container share it (as pyxis's tasks enter a running named container's
 * namespaces), except with {@code :no_exec}, which starts a separate instance; an unnamed step's
 * instance is its temporary container, created from the image and removed when the step ends.
 */
final class TaskRun {

    private final ContainerOptions options;
    private final SlurmJob job;
    private final SlurmSettings settings;
    private final Map<String, String> env;
    private final Path stateRoot;
    private final RuntimeCommands runtime;

    TaskRun(ContainerOptions options, SlurmJob job, SlurmSettings settings, Map<String, String> env,
            Path stateRoot, RuntimeCommands runtime) {
        this.options = options;
        this.job = job;
        this.settings = settings;
        this.env = env;
        this.stateRoot = stateRoot;
        this.runtime = runtime;
    }

    String containerName() {
        return options.name() != null
                ? ContainerNames.named(options.name(), job.jobId(), settings.jobScope())
                : ContainerNames.temporary(job.jobId(), job.stepId(), settings.jobScope());
    }

    String instanceName() {
        String c = containerName();
        return options.name() != null && options.nameMode() == NameMode.NO_EXEC ? c + "@" + job.step() : c;
    }

    int execute(List<String> command) throws IOException {
        String container = containerName();
        InstanceState state = InstanceState.openLocked(stateRoot.resolve(instanceName()));
        Holder holder = null;
        Keeper keeper;
        try {
            keeper = state.keeper();
            if (keeper == null && options.name() != null && options.nameMode() == NameMode.EXEC) {
                throw new ExitException(1, "\"exec\" flag was passed to --container-name but the container "
                        + container + " is not running");
            }
            if (keeper != null) {
                String startedBy = readOr(state.dir().resolve("step"), "");
                if (!startedBy.equals(job.step()) && !options.mounts().isEmpty()) {
                    System.err.println("squashroot: ignoring --container-mounts when attaching to a running container");
                }
            } else {
                holder = startInstance(state, container);
                keeper = holder.running.keeper();
                state.recordKeeper(keeper);
                state.writeAtomically("step", job.step());
                state.writeAtomically("container", container);
                state.writeAtomically("scope", options.name() != null && settings.jobScope() ? "job" : "global");
                state.writeAtomically("env", RuntimeCommands.configOf(SlurmTaskCommand.runtimeEnvironment(env, options)));
            }
            state.join(job.taskId());
        } catch (IOException | RuntimeException e) {
            if (holder != null) {
                holder.stop(state);
                state.clearKeeper();
            }
            state.close();
            throw e;
        }
        state.unlockSetup();

        Thread hook = null;
        if (holder != null) {
            // scancel/time limit: slurmstepd signals every task; stop the container on the way out.
            Holder h = holder;
            hook = new Thread(() -> h.running.stopQuietly(), "squashroot-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        int status;
        try {
            status = runCommand(keeper, command);
        } finally {
            state.leave();
            if (holder != null) {
                state.lockSetup();
                state.awaitLastMember();
                holder.stop(state);
                state.clearKeeper();
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            state.close();
        }
        return status;
    }

    private int runCommand(Keeper keeper, List<String> command) throws IOException {
        Map<String, String> containerEnv = TaskEnvironment.ofProcess(keeper.pid());
        Map<String, String> taskEnv = TaskEnvironment.forTask(env, containerEnv, options.env());
        ProcessBuilder pb = new ProcessBuilder(NamespaceEntry.argv(NamespaceEntry.nsenter(), keeper.pid(), options.workdir(), command))
                .inheritIO();
        pb.environment().clear();
        pb.environment().putAll(taskEnv);
        Process p = pb.start();
        int rc = RuntimeCommands.waitFor(p);
        return rc;
    }

    /** Creates the container if needed and starts it; the caller becomes its holder. */
    private Holder startInstance(InstanceState state, String container) throws IOException {
        boolean named = options.name() != null;
        boolean exists = runtime.list().contains(container);
        if (named && options.nameMode() == NameMode.CREATE && exists) {
            throw new ExitException(1, "\"create\" flag was passed to --container-name but the container "
                    + container + " already exists");
        }
        if (!named && exists) {
            runtime.remove(container); // left by an earlier run of this step id (requeue, node failure)
        }
        boolean created = false;
        try {
            if (!exists || !named) {
                if (options.image() == null) {
                    throw new ExitException(1, "a container with name \"" + container
                            + "\" does not exist, and --container-image is not set");
                }
                if (options.imageIsFile()) {
                    runtime.create(container, Path.of(System.getProperty("user.dir")).resolve(options.image()).normalize());
                } else {
                    // The runtime imports into its layer cache (once per image digest on the node) and
                    // creates the container from the cached image: nothing to delete afterwards.
                    announce("importing docker image: " + options.image());
                    runtime.createFromUri(container, options.imageUri());
                    announce("imported docker image: " + options.image());
                }
                created = true;
            }
            List<String> startOptions = new ArrayList<>();
            for (MountEntry m : options.mounts()) {
                startOptions.add("--mount");
                startOptions.add(m.source() + ":" + m.target() + ":" + m.flags());
            }
            String pmix = env.get("PMIX_SERVER_TMPDIR");
            if (pmix != null && pmix.startsWith("/")) {
                // The PMIx server's rendezvous directory, as enroot's PMI hook mounts it.
                startOptions.add("--mount");
                startOptions.add(pmix + ":" + pmix + ":x-create=dir,bind,rw,nosuid,noexec,nodev,private,nofail");
            }
            for (String name : options.env()) {
                startOptions.add("--env");
                startOptions.add(name);
            }
            boolean entrypoint = options.entrypoint() != null ? options.entrypoint() : settings.executeEntrypoint();
            if (!entrypoint) {
                // Pyxis's way around the image's entrypoint: a command script that only runs the command.
                Path rc = state.dir().resolve("rc");
                java.nio.file.Files.writeString(rc, "exec \"$@\"\n");
                startOptions.add("--rc");
                startOptions.add(rc.toString());
            }
            Map<String, String> keeperEnv = TaskEnvironment.forKeeper(
                    SlurmTaskCommand.runtimeEnvironment(env, options), options.env());
            boolean showOutput = entrypoint && Boolean.TRUE.equals(options.entrypointLog());
            RunningContainer running = RunningContainer.start(runtime, startOptions, container, keeperEnv, showOutput);
            return new Holder(running, container, named);
        } catch (IOException | RuntimeException e) {
            if (created && !named) {
                runtime.remove(container);
            }
            throw e;
        }
    }

    /** Pyxis shows import progress when the step has one task (it may be interactive). */
    private void announce(String what) {
        String ntasks = env.getOrDefault("SLURM_NTASKS", env.getOrDefault("SLURM_NPROCS", "1"));
        if (ntasks.equals("1") || ntasks.equals("0")) {
            System.err.println("squashroot: " + what);
        }
    }

    private static String readOr(Path p, String fallback) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return fallback;
        }
    }

    /** What the task that started the instance must undo. */
    private final class Holder {
        final RunningContainer running;
        final String container;
        final boolean named;

        Holder(RunningContainer running, String container, boolean named) {
            this.running = running;
            this.container = container;
            this.named = named;
        }

        void stop(InstanceState state) throws IOException {
            running.stop();
            IOException failure = null;
            if (options.save() != null) {
                Path target = Path.of(System.getProperty("user.dir")).resolve(options.save()).normalize();
                try {
                    runtime.export(container, target);
                    System.err.println("squashroot: exported container " + container + " to " + options.save());
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (!named) {
                try {
                    runtime.remove(container);
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
