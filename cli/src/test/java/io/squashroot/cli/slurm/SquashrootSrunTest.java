package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * squashroot-srun on a real single-node Slurm, as the unprivileged user sqtest, with a busybox
 * image squashed at test time and mounted through squashroot's FUSE driver (the default mount
 * mode). The Prolog and Epilog are the shipped scripts.
 */
class SquashrootSrunTest {

    static SlurmTestCluster slurm;
    static String image;
    static Map<String, String> runtimeEnv;
    static Path stateRoot;

    @BeforeAll
    static void startSlurm() throws Exception {
        slurm = SlurmTestCluster.start();
        Path img = slurm.work.resolve("busybox.sqsh");
        SlurmTestCluster.Result made = slurm.runAsUser(List.of(slurm.repo.resolve("testdata/busybox-rootfs.sh").toString(),
                slurm.work.resolve("rootfs").toString(), img.toString()), Map.of(), 120);
        assertEquals(0, made.status(), made::toString);
        image = img.toString();
        runtimeEnv = new LinkedHashMap<>();
        for (String d : List.of("data", "cache", "runtime", "temp")) {
            runtimeEnv.put("ENROOT_" + d.toUpperCase() + "_PATH", slurm.work.resolve("enroot-" + d).toString());
        }
        String uid = slurm.exec(List.of("id", "-u", SlurmTestCluster.USER), Map.of(), 10).stdout().strip();
        stateRoot = Path.of("/run/squashroot", uid);
    }

    @AfterAll
    static void stopSlurm() throws Exception {
        if (slurm != null) {
            slurm.close();
        }
    }

    private static SlurmTestCluster.Result srun(Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(runtimeEnv);
        env.putAll(extraEnv);
        List<String> argv = new java.util.ArrayList<>(List.of("squashroot-srun"));
        argv.addAll(List.of(args));
        return slurm.runAsUser(argv, env, 180);
    }

    private static List<String> containers() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot", "list"), runtimeEnv, 60);
        assertEquals(0, r.status(), r::toString);
        return r.lines();
    }

    @Test
    void passesOptionsAndCommandToSrun_withoutImageOrName() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot-srun", "-n", "2", "-l", "--export=ALL",
                "sh", "-c", "echo task=$SLURM_PROCID of $SLURM_NTASKS user=$(id -un)"), Map.of(), 60);
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("0: task=0 of 2 user=sqtest", "1: task=1 of 2 user=sqtest"),
                r.lines().stream().sorted().toList(), r::toString);
    }

    @Test
    void warnsAboutIgnoredContainerOptions_withoutImageOrName() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot-srun", "--container-remap-root",
                "--container-workdir=/tmp", "sh", "-c", "pwd; exit 3"), Map.of(), 60);
        assertEquals(3, r.status(), r::toString);
        assertEquals(List.of(slurm.work.toString()), r.lines(), r::toString);
        assertTrue(r.stderr().contains("ignoring --container-remap-root because neither --container-image nor "
                + "--container-name is set"), r::toString);
    }

    @Test
    void rejectsBadContainerOption_withOneLineAndStatus2() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot-srun", "--container-image=/x.sqsh",
                "--container-name=a:sometimes", "true"), Map.of(), 60);
        assertEquals(2, r.status(), r::toString);
        assertEquals("squashroot-srun: --container-name: flag must be \"auto\", \"create\", \"exec\" or \"no_exec\": sometimes",
                r.stderr().strip(), r::toString);
    }

    @Test
    void runsTasksInOneContainer_withTwoTasks() throws Exception {
        SlurmTestCluster.Result r = srun(Map.of(), "-n", "2", "-l", "--container-image=" + image,
                "sh", "-c", "grep ^ID= /etc/os-release; readlink /proc/self/ns/mnt; id -u; pwd");
        assertEquals(0, r.status(), r::toString);
        Map<String, List<String>> byTask = r.lines().stream().collect(Collectors.groupingBy(
                l -> l.substring(0, l.indexOf(':')), Collectors.mapping(l -> l.substring(l.indexOf(':') + 2), Collectors.toList())));
        assertEquals(2, byTask.size(), r::toString);
        assertEquals(byTask.get("0"), byTask.get("1"), r::toString);
        assertEquals("ID=busybox", byTask.get("0").get(0), r::toString);
        assertEquals("1001", byTask.get("0").get(2), r::toString);
        assertEquals("/", byTask.get("0").get(3), r::toString);
        assertFalse(containers().stream().anyMatch(c -> c.startsWith("pyxis_")), "temporary container left behind");
    }

    @Test
    void sharesOneImageInstance_withFourTasksOnTheNode() throws Exception {
        CompletableFuture<SlurmTestCluster.Result> step = CompletableFuture.supplyAsync(() -> {
            try {
                return srun(Map.of(), "-n", "4", "--overcommit", "--container-image=" + image,
                        "sh", "-c", "readlink /proc/self/ns/mnt; sleep 4");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int members = 0;
        long mounts = -1;
        List<String> temporary = List.of();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!step.isDone() && System.nanoTime() < deadline && members < 4) {
            List<Path> instances = instanceDirs();
            for (Path d : instances) {
                Path tasks = d.resolve("tasks");
                if (Files.isDirectory(tasks)) {
                    try (var s = Files.list(tasks)) {
                        members = Math.max(members, (int) s.count());
                    }
                }
            }
            if (members == 4) {
                mounts = imageMounts();
                temporary = containers().stream().filter(c -> c.startsWith("pyxis_")).toList();
                assertEquals(1, instances.size(), "instances: " + instances);
            }
            Thread.sleep(200);
        }
        SlurmTestCluster.Result r = step.get();
        assertEquals(0, r.status(), r::toString);
        assertEquals(4, members, "tasks registered on the one instance");
        assertEquals(1, mounts, "FUSE mounts of the image while 4 tasks ran");
        assertEquals(0, imageMounts(), "FUSE mounts left after the step");
        assertEquals(1, temporary.size(), "containers while the step ran: " + temporary);
        assertEquals(4, r.lines().size(), r::toString);
        assertEquals(1, r.lines().stream().distinct().count(), "one mount namespace: " + r);
    }

    /** FUSE mounts (squashroot's) under the runtime path of these tests, from /proc/mounts. */
    private static long imageMounts() throws Exception {
        String runtime = runtimeEnv.get("ENROOT_RUNTIME_PATH") + "/";
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .map(l -> l.split(" "))
                .filter(f -> f[2].startsWith("fuse") && f[1].startsWith(runtime))
                .count();
    }

    private static List<Path> instanceDirs() throws Exception {
        if (!Files.isDirectory(stateRoot)) {
            return List.of();
        }
        try (var s = Files.list(stateRoot)) {
            return s.filter(d -> Files.exists(d.resolve("keeper"))).toList();
        }
    }

    @Test
    void passesSlurmAndUserVariables_andDropsHostLocale() throws Exception {
        SlurmTestCluster.Result r = srun(Map.of("FOO", "bar", "LANG", "xx_YY.UTF-8"), "-n", "2", "-l", "--mpi=pmi2",
                "--container-image=" + image, "sh", "-c",
                "echo FOO=$FOO PROCID=$SLURM_PROCID NTASKS=$SLURM_NTASKS PMI_RANK=$PMI_RANK LANG=${LANG:-unset} JOB=${SLURM_JOB_ID:+set}");
        assertEquals(0, r.status(), r::toString);
        List<String> lines = r.lines().stream().sorted().toList();
        assertEquals(List.of("0: FOO=bar PROCID=0 NTASKS=2 PMI_RANK=0 LANG=unset JOB=set",
                "1: FOO=bar PROCID=1 NTASKS=2 PMI_RANK=1 LANG=unset JOB=set"), lines, r::toString);

        SlurmTestCluster.Result kept = srun(Map.of("LANG", "xx_YY.UTF-8"), "--container-image=" + image,
                "--container-env=LANG", "sh", "-c", "echo LANG=$LANG");
        assertEquals(List.of("LANG=xx_YY.UTF-8"), kept.lines(), kept::toString);
    }

    @Test
    void mountsHostPathsAndTmpfs_withFlags() throws Exception {
        Path data = slurm.work.resolve("data");
        slurm.runAsUser(List.of("sh", "-c", "mkdir -p " + data + " && echo hello > " + data + "/file"), Map.of(), 10);
        SlurmTestCluster.Result r = srun(Map.of(), "--container-image=" + image,
                "--container-mounts=" + data + ":/data:ro,tmpfs:/scratch,./data:/rel",
                "sh", "-c", "cat /data/file; cat /rel/file; touch /data/new 2>/dev/null && echo data-writable; "
                        + "touch /scratch/x && echo scratch-writable");
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("hello", "hello", "scratch-writable"), r.lines(), r::toString);
    }

    @Test
    void setsWorkdirAndRoot_fromOptions() throws Exception {
        SlurmTestCluster.Result r = srun(Map.of(), "--container-image=" + image, "--container-workdir=/tmp",
                "--container-remap-root", "sh", "-c", "pwd; id -u");
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("/tmp", "0"), r.lines(), r::toString);

        SlurmTestCluster.Result missing = srun(Map.of(), "--container-image=" + image, "--container-workdir=/nowhere", "true");
        assertTrue(missing.status() != 0, missing::toString);
        assertTrue(missing.stderr().contains("/nowhere"), missing::toString);
    }

    @Test
    void importsDockerImage_fromInsecureRegistryOnlyWhenAllowed() throws Exception {
        Path regDir = slurm.base.resolve("registry");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path testdata = slurm.repo.resolve("testdata/registry");
        Map<String, String> regEnv = Map.of("REGISTRY_HTTP_PORT", Integer.toString(port),
                "REGISTRY_HTTPS_PORT", Integer.toString(port + 1), "REGISTRY_TOKEN", "0", "PUSH_ONLY", "busybox:latest");
        try {
            SlurmTestCluster.Result up = slurm.exec(List.of(testdata.resolve("registry-up.sh").toString(), regDir.toString()),
                    regEnv, 120);
            assertEquals(0, up.status(), up::toString);
            SlurmTestCluster.Result pushed = slurm.exec(List.of(testdata.resolve("make-test-images.sh").toString(),
                    regDir.resolve("img").toString(), "127.0.0.1:" + port), regEnv, 180);
            assertEquals(0, pushed.status(), pushed::toString);
            String ref = "127.0.0.1:" + port + "#test/busybox:latest";

            SlurmTestCluster.Result refused = srun(Map.of(), "--container-image=" + ref, "true");
            assertTrue(refused.status() != 0, refused::toString);

            SlurmTestCluster.Result r = srun(Map.of(), "-n", "2", "-l", "--container-image=" + ref,
                    "--container-insecure-registry", "sh", "-c", "grep -c busybox /etc/os-release >/dev/null && echo found");
            assertEquals(0, r.status(), r::toString);
            assertEquals(List.of("0: found", "1: found"), r.lines().stream().sorted().toList(), r::toString);
        } finally {
            slurm.exec(List.of(testdata.resolve("registry-down.sh").toString(), regDir.toString()), Map.of(), 60);
        }
    }

    @Test
    void joinsRunningNamedContainer_fromAnotherStep_withExecFlag() throws Exception {
        Path script = slurm.work.resolve("join.sbatch");
        // Step A holds the container until step B, which joins it, leaves a file in their shared /tmp.
        Files.writeString(script, "#!/bin/sh\n#SBATCH -n 2\n"
                + "squashroot-srun -n1 --overlap --container-image=" + image + " --container-name=shared sh -c "
                + "'echo A $(readlink /proc/self/ns/mnt); i=0; while [ ! -e /tmp/joined ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i+1)); done' &\n"
                + "i=0\n"
                + "until squashroot-srun -n1 --overlap --container-name=shared:exec sh -c "
                + "'echo B $(readlink /proc/self/ns/mnt); touch /tmp/joined' 2>/dev/null; do\n"
                + "  i=$((i+1)); [ $i -lt 60 ] || break; sleep 1\ndone\nwait\n");
        Path out = slurm.work.resolve("join.out");
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("sbatch", "--wait", "-o", out.toString(), script.toString()),
                runtimeEnv, 240);
        assertEquals(0, r.status(), r + Files.readString(out));
        List<String> ns = Files.readAllLines(out).stream().filter(l -> l.startsWith("A ") || l.startsWith("B "))
                .sorted().toList();
        assertEquals(2, ns.size(), Files.readString(out));
        assertEquals(ns.get(0).substring(2), ns.get(1).substring(2), "B runs in A's container: " + ns);
    }

    @Test
    void savesContainer_toSquashfsImage() throws Exception {
        SlurmTestCluster.Result saved = srun(Map.of(), "--container-image=" + image, "--container-writable",
                "--container-save=./saved.sqsh", "sh", "-c", "echo kept > /saved-marker");
        assertEquals(0, saved.status(), saved::toString);
        SlurmTestCluster.Result r = srun(Map.of(), "--container-image=./saved.sqsh", "cat", "/saved-marker");
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("kept"), r.lines(), r::toString);
    }

    @Test
    void returnsEachTaskExitStatus_fromFailingCommand() throws Exception {
        SlurmTestCluster.Result r = srun(Map.of(), "-n", "2", "--container-image=" + image, "--container-mount-mode=extract",
                "sh", "-c", "exit $((SLURM_PROCID + 5))");
        assertEquals(6, r.status(), r::toString);
        assertTrue(r.stderr().contains("task 0: Exited with exit code 5"), r::toString);
        assertTrue(r.stderr().contains("task 1: Exited with exit code 6"), r::toString);
    }

    @Test
    void rejectsImageThatIsNotThere_withOneLine() throws Exception {
        SlurmTestCluster.Result r = srun(Map.of(), "--container-image=/no/such.sqsh", "true");
        assertTrue(r.status() != 0, r::toString);
        assertTrue(r.stderr().contains("/no/such.sqsh"), r::toString);
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r);
    }

    @Test
    void reusesNamedContainer_acrossStepsOfOneJob_andEpilogRemovesJobScoped() throws Exception {
        Path conf = slurm.work.resolve("job-scope.conf");
        Files.writeString(conf, "container_scope=job\n");
        Path script = slurm.work.resolve("named.sbatch");
        Files.writeString(script, "#!/bin/sh\n"
                + "squashroot-srun --container-image=" + image + " --container-name=keep --container-writable "
                + "sh -c 'echo persisted > /marker'\n"
                + "squashroot-srun --container-name=keep cat /marker\n"
                + "squashroot-srun --container-name=keep:create true || echo create-refused\n"
                + "squashroot list | grep -c \"^pyxis_${SLURM_JOB_ID}_keep$\"\n");
        Map<String, String> env = new LinkedHashMap<>(runtimeEnv);
        env.put("SQUASHROOT_SLURM_CONF", conf.toString());
        Path out = slurm.work.resolve("named.out");
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("sbatch", "--parsable", "--wait", "-o", out.toString(),
                script.toString()), env, 240);
        assertEquals(0, r.status(), r + Files.readString(out));
        String jobId = r.stdout().strip();
        List<String> lines = Files.readAllLines(out).stream().filter(l -> !l.startsWith("[INFO]")).toList();
        assertEquals(List.of("persisted", "create-refused", "1"),
                lines.stream().filter(l -> !l.startsWith("squashroot:") && !l.startsWith("srun:")).toList(),
                String.join("\n", lines));
        awaitGone("pyxis_" + jobId + "_keep");
    }

    @Test
    void startsClean_afterScontrolRequeue() throws Exception {
        Path conf = slurm.work.resolve("job-scope-rq.conf");
        Files.writeString(conf, "container_scope=job\n");
        Path script = slurm.work.resolve("requeue.sbatch");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo run=${SLURM_RESTART_COUNT:-0}\n"
                + "squashroot-srun --container-image=" + image + " --container-name=work:create --container-writable "
                + "sh -c 'test -e /marker && echo stale-marker; touch /marker; echo created'\n"
                + "[ \"${SLURM_RESTART_COUNT:-0}\" != 0 ] || squashroot-srun --container-name=work sleep 300\n"
                + "echo done\n");
        Map<String, String> env = new LinkedHashMap<>(runtimeEnv);
        env.put("SQUASHROOT_SLURM_CONF", conf.toString());
        Path out = slurm.work.resolve("requeue.out");
        SlurmTestCluster.Result sub = slurm.runAsUser(List.of("sbatch", "--parsable", "--requeue", "--open-mode=append",
                "-o", out.toString(), script.toString()), env, 60);
        assertEquals(0, sub.status(), sub::toString);
        String job = sub.stdout().strip();
        // Requeue while the second step holds the container (a keeper and a running task): the
        // first step's "created" says it is over, whose own task would otherwise match as well.
        awaitTrue(() -> Files.exists(out) && Files.readString(out).contains("created")
                && Files.exists(stateRoot.resolve("pyxis_" + job + "_work/tasks")) && !taskFiles(job).isEmpty(), 120);
        assertEquals(0, slurm.exec(List.of("scontrol", "requeue", job), Map.of(), 30).status());
        // A requeued job waits ~2 min (BeginTime); let it start again now.
        try {
            awaitTrue(() -> {
                String st = slurm.exec(List.of("squeue", "-h", "-j", job, "-o", "%T"), Map.of(), 30).stdout().strip();
                if (st.equals("PENDING")) {
                    slurm.exec(List.of("scontrol", "update", "jobid=" + job, "StartTime=now"), Map.of(), 30);
                }
                return Files.exists(out) && Files.readString(out).contains("done");
            }, 180);
        } catch (AssertionError e) {
            // Why the job did not run again (state, reason, a drained node) decides what to fix.
            throw new AssertionError(e.getMessage() + "\n" + slurm.exec(List.of("scontrol", "show", "job", job), Map.of(), 30)
                    + "\n" + slurm.exec(List.of("sinfo", "-N", "-l"), Map.of(), 30)
                    + "\n" + (Files.exists(out) ? Files.readString(out) : "(no job output)"), e);
        }
        List<String> lines = Files.readAllLines(out).stream()
                .filter(l -> l.startsWith("run=") || l.equals("created") || l.equals("stale-marker") || l.equals("done")).toList();
        assertEquals(List.of("run=0", "created", "run=1", "created", "done"), lines, Files.readString(out));
        awaitGone("pyxis_" + job + "_work");
    }

    @Test
    void prologRemovesLeftovers_ofJobsGoneFromTheNode() throws Exception {
        // A job id below the cluster's first one (never used here), apart from concurrent runs' ones.
        String dead = Integer.toString(100_000 + new java.util.Random().nextInt(800_000));
        String container = "pyxis_" + dead + ".0";
        // An Epilog still running for an earlier test's job would clean the leftover before our job does.
        awaitTrue(() -> slurm.exec(List.of("squeue", "-h"), Map.of(), 30).stdout().isBlank(), 120);
        SlurmTestCluster.Result created = slurm.runAsUser(List.of("squashroot", "create", "--name", container, image),
                runtimeEnv, 120);
        assertEquals(0, created.status(), created::toString);
        Path dir = stateRoot.resolve(container);
        StringBuilder recorded = new StringBuilder();
        runtimeEnv.forEach((k, v) -> recorded.append(k).append('=').append(v).append('\0'));
        Path staged = slurm.work.resolve("leftover-env");
        Files.writeString(staged, recorded);
        SlurmTestCluster.Result planted = slurm.runAsUser(List.of("sh", "-c", "mkdir -p " + dir + " && echo " + container
                + " > " + dir + "/container && cp " + staged + " " + dir + "/env"), Map.of(), 30);
        assertEquals(0, planted.status(), planted::toString);
        assertTrue(containers().contains(container));

        SlurmTestCluster.Result job = srun(Map.of(), "true");
        assertEquals(0, job.status(), job::toString);
        assertFalse(containers().contains(container), "leftover container still there");
        assertFalse(Files.exists(dir), "leftover state still there");
    }

    private List<Path> taskFiles(String job) throws Exception {
        try (var s = Files.list(stateRoot.resolve("pyxis_" + job + "_work/tasks"))) {
            return s.toList();
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(300);
        }
    }

    /** Polls until the Epilog (which runs after sbatch --wait may return) has removed {@code name}. */
    private static void awaitGone(String name) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<String> now = containers();
        while (now.contains(name) && System.nanoTime() < deadline) {
            Thread.sleep(300);
            now = containers();
        }
        assertFalse(now.contains(name), name + " still there: " + now);
    }
}
