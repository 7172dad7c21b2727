package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code squashroot slurm-cleanup --job ID [--stale]}: what the Prolog and Epilog we ship run, as
 * the job's user, on each node. Removes the job's container instances (stopping a keeper that
 * outlived its step), its temporary containers, its job-scoped containers, and with --stale the
 * same leftovers of jobs that no longer run on this node (a requeued job's earlier run, a node
 * that went down mid-job); then lets the runtime's gc clear stale mounts. Prints one line per
 * removal, for slurmd's log. Global named containers are never touched.
 */
@Command(name = "slurm-cleanup", hidden = true,
        description = "Remove a job's containers and leftovers on this node (run by the Slurm Prolog/Epilog).")
public final class SlurmCleanupCommand implements Callable<Integer> {

    @Option(names = "--job", required = true, paramLabel = "JOBID")
    String jobId;

    @Option(names = "--stale", description = "Also remove leftovers of jobs no longer running on this node.")
    boolean stale;

    @Override
    public Integer call() throws IOException {
        if (!jobId.matches("[0-9]+")) {
            throw new IllegalArgumentException("--job: not a job id: " + jobId);
        }
        Map<String, String> env = System.getenv();
        SlurmSettings settings = SlurmSettings.load(env);
        int uid = UserStateDir.currentUid();
        Set<String> active = stale ? activeJobs() : Set.of();
        Set<Map<String, String>> configs = new LinkedHashSet<>();
        configs.add(env);
        int failures = 0;
        for (Path root : List.of(UserStateDir.candidate(settings, uid), UserStateDir.fallback(env, uid))) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            UserStateDir.checkPrivate(root, uid);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path dir : ds) {
                    failures += cleanInstance(dir, env, active, configs);
                }
            }
        }
        String launcher = SrunArgvCommand.taskLauncher();
        for (Map<String, String> cfg : configs) {
            RuntimeCommands runtime = new RuntimeCommands(launcher, cfg);
            List<String> names;
            try {
                names = runtime.list();
            } catch (IOException e) {
                System.err.println("squashroot: slurm-cleanup: " + e.getMessage());
                failures++;
                continue;
            }
            for (String name : names) {
                String temporaryOf = ContainerNames.jobOfTemporary(name);
                boolean remove = jobId.equals(temporaryOf)
                        || (stale && temporaryOf != null && !active.contains(temporaryOf))
                        || (settings.jobScope() && ContainerNames.belongsToJob(name, jobId));
                if (remove) {
                    failures += removeContainer(runtime, name);
                }
            }
            try {
                for (String item : runtime.gc()) {
                    System.out.println("squashroot: removed stale " + item);
                }
            } catch (IOException e) {
                System.err.println("squashroot: slurm-cleanup: " + e.getMessage());
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /** Cleans one instance directory if it belongs to this job or to a job gone from the node. */
    private int cleanInstance(Path dir, Map<String, String> env, Set<String> active,
                              Set<Map<String, String>> configs) throws IOException {
        String name = dir.getFileName().toString();
        String container = read(dir.resolve("container"));
        String owner;
        int at = name.indexOf('@');
        if (at >= 0) {
            String step = name.substring(at + 1);
            owner = step.contains(".") ? step.substring(0, step.indexOf('.')) : null;
        } else {
            owner = ContainerNames.jobOfTemporary(container != null ? container : name);
            if (owner == null && "job".equals(read(dir.resolve("scope")))) {
                owner = ContainerNames.jobOf(container != null ? container : name);
            }
        }
        boolean mine = jobId.equals(owner);
        boolean gone = stale && owner != null && !active.contains(owner);
        if (!mine && !gone) {
            return 0;
        }
        Map<String, String> cfg = new LinkedHashMap<>(env);
        String recorded = read(dir.resolve("env"));
        if (recorded != null) {
            cfg.putAll(TaskEnvironment.parse(recorded));
            configs.add(cfg);
        }
        String keeperText = read(dir.resolve("keeper"));
        Keeper keeper = keeperText == null ? null : Keeper.parse(keeperText);
        if (keeper != null && keeper.alive()) {
            ProcessHandle.of(keeper.pid()).ifPresent(ProcessHandle::destroyForcibly);
            System.out.println("squashroot: stopped container process " + keeper.pid() + " of job " + owner);
        }
        int failures = 0;
        boolean removable = container != null && (ContainerNames.jobOfTemporary(container) != null
                || "job".equals(read(dir.resolve("scope"))));
        if (removable) {
            failures += removeContainer(new RuntimeCommands(SrunArgvCommand.taskLauncher(), cfg), container);
        }
        deleteTree(dir);
        return failures;
    }

    private static int removeContainer(RuntimeCommands runtime, String name) {
        try {
            if (!runtime.list().contains(name)) {
                return 0;
            }
            runtime.remove(name);
            System.out.println("squashroot: removed container " + name);
            return 0;
        } catch (IOException e) {
            System.err.println("squashroot: slurm-cleanup: " + e.getMessage());
            return 1;
        }
    }

    /** Ids of the jobs with a step daemon on this node ("slurmstepd: [JOB.STEP]" process titles). */
    static Set<String> activeJobs() throws IOException {
        Set<String> out = new HashSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
                String cmd;
                try {
                    cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue;
                }
                if (cmd.startsWith("slurmstepd: [")) {
                    String id = cmd.substring("slurmstepd: [".length());
                    int end = 0;
                    while (end < id.length() && Character.isDigit(id.charAt(end))) {
                        end++;
                    }
                    if (end > 0) {
                        out.add(id.substring(0, end));
                    }
                }
            }
        }
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return null;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
