package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs a task's command inside a running container: util-linux nsenter into
 * the keeper's namespaces, with the keeper's root and working directory, keeping the task's
 * credentials. Only namespaces that differ from the caller's are joined: an unprivileged user may
 * not enter the host's own cgroup namespace again.
 *
 * <p>The runtime may run the command in a user namespace nested in the container's (to show the
 * user's own uid inside); the pid and mount namespaces then belong to the outer one, and setns(2)
 * into them needs capabilities there. So entry takes two hops: into the outer user namespace with
 * the mount and pid namespaces of the container's init, then into the keeper's own user namespace.
 *
 * <p>The working directory is the keeper's (the image's WORKDIR, as the runtime set it) unless
 * --container-workdir names one; that change is made by the container's shell after the root
 * switch, so a path such as "../" cannot lead outside the container.
 */
final class NamespaceEntry {

    static final List<String> NAMESPACES = List.of("user", "mnt", "pid", "ipc", "uts", "net", "cgroup");

    private NamespaceEntry() {
    }

    static List<String> argv(String nsenter, long keeper, String workdir, List<String> command) throws IOException {
        long init = namespaceInit(keeper);
        List<String> argv = new ArrayList<>();
        if (init != keeper && !sameNamespace(init, keeper, "user")) {
            argv.addAll(hop(nsenter, init, "self"));
            argv.add("--preserve-credentials");
            argv.add("--");
            argv.addAll(hop(nsenter, keeper, Long.toString(init)));
        } else {
            argv.addAll(hop(nsenter, keeper, "self"));
        }
        argv.addAll(List.of("--root", "--wd", "--preserve-credentials", "--"));
        if (workdir != null) {
            argv.addAll(List.of("/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", workdir));
        }
        argv.addAll(command);
        return argv;
    }

    /** nsenter into the namespaces of {@code target} that differ from those of process {@code from}. */
    private static List<String> hop(String nsenter, long target, String from) throws IOException {
        List<String> argv = new ArrayList<>(List.of(nsenter, "--target", Long.toString(target)));
        for (String ns : NAMESPACES) {
            Path theirs = Path.of("/proc", Long.toString(target), "ns", ns);
            Path ours = Path.of("/proc", from, "ns", ns);
            if (Files.exists(theirs, LinkOption.NOFOLLOW_LINKS)
                    && !Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours))) {
                argv.add(switch (ns) {
                    case "mnt" -> "--mount";
                    default -> "--" + ns;
                });
            }
        }
        return argv;
    }

    /** The keeper's highest ancestor in the keeper's pid namespace: the namespace's init. */
    static long namespaceInit(long keeper) throws IOException {
        long current = keeper;
        while (true) {
            long parent = ProcessHandle.of(current).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
            if (parent <= 0 || !sameNamespace(parent, keeper, "pid")) {
                return current;
            }
            current = parent;
        }
    }

    static boolean sameNamespace(long a, long b, String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(a), "ns", ns))
                .equals(Files.readSymbolicLink(Path.of("/proc", Long.toString(b), "ns", ns)));
    }

    /** nsenter from util-linux, by absolute path when the usual one exists. */
    static String nsenter() {
        for (String p : List.of("/usr/bin/nsenter", "/bin/nsenter", "/usr/sbin/nsenter")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "nsenter";
    }
}
