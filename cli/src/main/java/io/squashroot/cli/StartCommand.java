package io.squashroot.cli;

import io.squashroot.runtime.Containers;
import io.squashroot.runtime.StartOptions;
import io.squashroot.runtime.config.MountMode;
import io.squashroot.runtime.config.RuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code start [options] NAME|IMAGE [COMMAND [ARG...]]}, as {@code enroot start}; options end at
 * the first operand so the command's own options pass through.
 */
@Command(name = "start", sortOptions = false,
        description = {"Start a container and run the command script (/etc/rc) within its root filesystem,",
                "or COMMAND when the image has none; an interactive shell without either.",
                "The exit status is the command's (128+N when killed by signal N)."},
        footer = {"", "Ids: with --root in fuse mode, an ordinary user's container maps the user to 0 and the",
                "user's first /etc/subuid and /etc/subgid range to 1..N, so chown, useradd and su work inside;",
                "SQUASHROOT_SUBIDS=auto (default: when the range, newuidmap/newgidmap and user_allow_other in",
                "/etc/fuse.conf are there), yes (fail naming what is missing) or no (only the user, as 0)."})
final class StartCommand implements Callable<Integer> {
    private static final Pattern MOUNT = Pattern.compile("[^\\s]+(:[^\\s]+)*");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(=.*)?", Pattern.DOTALL);

    @Option(names = {"-c", "--conf"}, paramLabel = "CONFIG",
            description = "Configuration script to run before the container starts")
    Path conf;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VAL]", description = "Export an environment variable inside the container")
    List<String> env = new ArrayList<>();

    @Option(names = "--rc", paramLabel = "SCRIPT", description = "Override the command script inside the container")
    Path rc;

    @Option(names = {"-r", "--root"}, description = "Ask to be remapped to root inside the container")
    boolean root;

    @Option(names = {"-w", "--rw"}, description = "Make the container root filesystem writable")
    boolean rw;

    @Option(names = {"-m", "--mount"}, paramLabel = "FSTAB",
            description = "Perform a mount from the host inside the container (colon-separated)")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--mount-mode", paramLabel = "MODE",
            description = "fuse or extract, for an IMAGE (default: $SQUASHROOT_MOUNT_MODE, else fuse)")
    String mountMode;

    @Parameters(index = "0", paramLabel = "NAME|IMAGE", description = "Container name or SquashFS image")
    String target;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (String m : mounts) {
            if (!MOUNT.matcher(m).matches()) {
                throw new IllegalArgumentException("Invalid argument: " + m);
            }
        }
        for (String e : env) {
            if (!ENV.matcher(e).matches()) {
                throw new IllegalArgumentException("Invalid argument: " + e);
            }
        }
        RuntimeConfig cfg = RuntimeSettings.load();
        Path confPath = null;
        if (conf != null) {
            confPath = conf.toAbsolutePath().normalize();
            cfg = RuntimeSettings.withConf(cfg, confPath);
            Process check = new ProcessBuilder("bash", "-n", confPath.toString()).inheritIO().start();
            if (check.waitFor() != 0) {
                throw new IllegalArgumentException("Invalid argument: " + confPath);
            }
        }
        Path rcPath = null;
        if (rc != null) {
            rcPath = rc.toAbsolutePath().normalize();
            if (!Files.isRegularFile(rcPath)) {
                throw new java.io.IOException("No such file or directory: " + rcPath);
            }
        }
        RuntimeConfig.Builder b = cfg.toBuilder();
        if (root) {
            b.flag("ENROOT_REMAP_ROOT", true);
        }
        if (rw) {
            b.flag("ENROOT_ROOTFS_WRITABLE", true);
        }
        cfg = b.build();
        MountMode m = mountMode == null ? null : MountMode.parse(mountMode, "--mount-mode");
        StartOptions o = new StartOptions(target, m, confPath, rcPath, mounts, env, command);
        return Containers.open(cfg).start(o, System.err);
    }
}
