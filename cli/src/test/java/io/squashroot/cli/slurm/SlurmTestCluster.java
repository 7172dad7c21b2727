package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Slurm (munged, slurmctld, slurmd from testdata/slurm/slurm-up.sh) running the
 * Prolog and Epilog we ship, plus an installation of squashroot the way a cluster has one:
 * bin/squashroot, bin/squashroot-srun and scripts/slurm/ in one directory every user can read.
 * bin/squashroot is generated to run this build's classes (the jar does not exist yet when tests
 * run); everything else is the repository's own files. Jobs run as the unprivileged user sqtest.
 */
final class SlurmTestCluster implements AutoCloseable {

    static final String USER = "sqtest";

    final Path repo;
    final Path base;
    final Path home;
    final Path cluster;
    final Path work;
    private final String slurmConf;
    private java.util.Set<java.nio.file.attribute.PosixFilePermission> fuseMode;

    private SlurmTestCluster(Path repo, Path base) {
        this.repo = repo;
        this.base = base;
        this.home = base.resolve("squashroot");
        this.cluster = base.resolve("cluster");
        this.work = base.resolve("work");
        this.slurmConf = cluster.resolve("slurm.conf").toString();
    }

    /** Starts the cluster (skips the test class when not root or when Slurm is not installed). */
    static SlurmTestCluster start() throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "Slurm tests run as root (they start daemons)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/slurmctld")), "slurmctld not installed (scripts/install-deps.sh)");
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(repo.resolve("testdata/slurm"))) {
            repo = repo.getParent();
        }
        Path base = Files.createTempDirectory(Path.of("/tmp"), "squashroot-slurm-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        SlurmTestCluster c = new SlurmTestCluster(repo, base);
        try {
            // Unprivileged FUSE mounts need /dev/fuse open to users (0600 on some machines); restored in close().
            Path fuse = Path.of("/dev/fuse");
            c.fuseMode = Files.getPosixFilePermissions(fuse);
            Files.setPosixFilePermissions(fuse, PosixFilePermissions.fromString("rw-rw-rw-"));
            c.install();
            // Free ports: several builds (engineers' verifies, CI) may run these tests at once.
            int[] ports = freePorts();
            Result up = c.exec(List.of(repo.resolve("testdata/slurm/slurm-up.sh").toString(), c.cluster.toString()),
                    Map.of("SLURM_PROLOG", c.home.resolve("scripts/slurm/prolog").toString(),
                            "SLURM_EPILOG", c.home.resolve("scripts/slurm/epilog").toString(),
                            "SLURM_CTLD_PORT", Integer.toString(ports[0]),
                            "SLURMD_PORT", Integer.toString(ports[1]),
                            // Job ids name containers and their state under /run/squashroot/UID, which
                            // concurrent runs of these tests share: number each cluster's jobs apart.
                            "SLURM_FIRST_JOB_ID", Integer.toString(1_000_000 + new java.util.Random().nextInt(60_000_000))), 180);
            if (up.status != 0) {
                throw new IOException("slurm-up.sh failed: " + up.stderr);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static int[] freePorts() throws IOException {
        try (java.net.ServerSocket a = new java.net.ServerSocket(0); java.net.ServerSocket b = new java.net.ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    private void install() throws IOException, InterruptedException {
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.createDirectories(home.resolve("scripts/slurm"));
        Files.copy(repo.resolve("bin/squashroot-srun"), home.resolve("bin/squashroot-srun"), StandardCopyOption.COPY_ATTRIBUTES);
        try (Stream<Path> s = Files.list(repo.resolve("scripts/slurm"))) {
            for (Path p : s.toList()) {
                Files.copy(p, home.resolve("scripts/slurm").resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        List<String> cp = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).split(":")) {
            if (entry.isEmpty() || entry.endsWith("test-classes") || entry.matches(".*/(junit|opentest4j|apiguardian)[^/]*\\.jar")) {
                continue;
            }
            Path src = Path.of(entry);
            if (Files.isDirectory(src)) {
                Path dst = home.resolve("lib/classes-" + n++);
                copyTree(src, dst);
                cp.add(dst.toString());
            } else if (Files.isRegularFile(src)) {
                Path dst = home.resolve("lib").resolve(src.getFileName());
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                cp.add(dst.toString());
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path launcher = home.resolve("bin/squashroot");
        Files.writeString(launcher, "#!/bin/sh\n# Test installation: runs the classes of this build.\n"
                + "exec " + java + " -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${SQUASHROOT_JAVA_OPTS:-} "
                + "-Dsquashroot.home=" + home + " -cp " + String.join(":", cp) + " io.squashroot.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work);
        exec(List.of("chown", USER + ":" + USER, work.toString()), Map.of(), 10);
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The environment of sqtest's commands: a login-like minimum plus SLURM_CONF. */
    Map<String, String> userEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", home.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("HOME", work.toString());
        env.put("USER", USER);
        env.put("LOGNAME", USER);
        env.put("SLURM_CONF", slurmConf);
        return env;
    }

    /** Runs {@code command} as sqtest in the work directory, with {@code extra} added to its environment. */
    Result runAsUser(List<String> command, Map<String, String> extra, int timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups", "--",
                "env", "-i"));
        Map<String, String> env = userEnvironment();
        env.putAll(extra);
        env.forEach((k, v) -> argv.add(k + "=" + v));
        argv.addAll(command);
        return exec(argv, Map.of(), timeoutSeconds, work);
    }

    Result exec(List<String> argv, Map<String, String> env, int timeoutSeconds) throws IOException, InterruptedException {
        return exec(argv, env, timeoutSeconds, base);
    }

    Result exec(List<String> argv, Map<String, String> env, int timeoutSeconds, Path dir)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
        pb.environment().put("SLURM_CONF", slurmConf);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", argv));
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String slurp(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            exec(List.of(repo.resolve("testdata/slurm/slurm-down.sh").toString(), cluster.toString(), "--purge"), Map.of(), 60);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (fuseMode != null) {
                Files.setPosixFilePermissions(Path.of("/dev/fuse"), fuseMode);
            }
            try (Stream<Path> s = Files.walk(base)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    record Result(int status, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().toList();
        }

        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
