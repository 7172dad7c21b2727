package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs a task's command inside a running container: util-linux nsenter into
 * the keeper's user, mount and pid namespaces (and ipc, uts, net, cgroup where the container has
 * its own), with the keeper's root, keeping the task's credentials. Joining only namespaces that
 * differ from ours matters: an unprivileged user may not enter the host's cgroup namespace again.
 *
 * <p>The working directory is the keeper's (the image's WORKDIR, as the runtime set it) unless
 * --container-workdir names one; that change is made by the container's shell after the root
 * switch, so a path such as "../" cannot lead outside the container.
 */
final class NamespaceEntry {

    static final List<String> ALWAYS = List.of("user", "mnt", "pid");
    static final List<String> IF_SEPARATE = List.of("ipc", "uts", "net", "cgroup");

    private NamespaceEntry() {
    }

    static List<String> argv(long keeperPid, String workdir, List<String> command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--target", Long.toString(keeperPid)));
        for (String ns : ALWAYS) {
            if (differs(keeperPid, ns)) {
                argv.add(flag(ns));
            }
        }
        for (String ns : IF_SEPARATE) {
            if (differs(keeperPid, ns)) {
                argv.add(flag(ns));
            }
        }
        argv.addAll(List.of("--root", "--wd", "--preserve-credentials", "--"));
        if (workdir != null) {
            argv.addAll(List.of("/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", workdir));
        }
        argv.addAll(command);
        return argv;
    }

    private static String flag(String ns) {
        return switch (ns) {
            case "mnt" -> "--mount";
            case "user" -> "--user";
            default -> "--" + ns;
        };
    }

    /** True when the keeper's namespace {@code ns} is not ours. */
    static boolean differs(long pid, String ns) throws IOException {
        Path theirs = Path.of("/proc", Long.toString(pid), "ns", ns);
        Path ours = Path.of("/proc/self/ns", ns);
        if (!Files.exists(theirs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return !Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours));
    }
}
