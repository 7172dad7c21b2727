package io.squashroot.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code exec}: enters a running container through util-linux nsenter, with the environment of
 * the target process plus the caller's {@code --env}, as {@code enroot exec} does.
 */
final class ContainerEntry {
    private ContainerEntry() {
    }

    /**
     * {@code exec PID COMMAND}: runs a command in the namespaces, root and working directory of
     * container process PID, with that process's environment plus {@code environ}.
     */
    static int run(long pid, List<String> environ, List<String> command) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(proc)) {
            throw new IOException("Process not found: " + pid);
        }
        List<String> env = new ArrayList<>();
        byte[] raw;
        try {
            raw = Files.readAllBytes(proc.resolve("environ"));
        } catch (IOException e) {
            throw new IOException("Process not found: " + pid + " (cannot read its environment)");
        }
        for (String kv : new String(raw, StandardCharsets.UTF_8).split("\0")) {
            if (!kv.isEmpty()) {
                env.add(kv);
            }
        }
        Map<String, String> caller = HostLocale.callerEnvironment(System.getenv());
        for (String e : environ) {
            env.add(e.contains("=") ? e : e + "=" + caller.getOrDefault(e, ""));
        }
        // The container's pid and mount namespaces belong to the user namespace of its init (the
        // start script, mapped root); without --root the command runs in a nested user namespace
        // that maps the caller's uid. Entering the nested one first would leave us without the
        // right to join the pid namespace, so: join init's user namespace with the pid and mount
        // namespaces, then (host's nsenter, still reachable before the chroot) the nested one.
        long init = namespaceInit(pid);
        String target = Long.toString(pid);
        List<String> cmd = new ArrayList<>(List.of("env", "-i"));
        cmd.addAll(env);
        cmd.addAll(List.of("nsenter", "--user=/proc/" + init + "/ns/user", "--mount=/proc/" + target + "/ns/mnt",
                "--pid=/proc/" + target + "/ns/pid", "--preserve-credentials", "--"));
        if (!nsLink(pid, "user").equals(nsLink(init, "user"))) {
            cmd.addAll(List.of("nsenter", "--user=/proc/" + target + "/ns/user", "--preserve-credentials"));
        } else {
            cmd.add("nsenter");
        }
        cmd.addAll(List.of("--root=/proc/" + target + "/root", "--wd=/proc/" + target + "/cwd", "--"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                // wait for the command
            }
        }
    }

    /** The host pid of the init (pid 1) of {@code pid}'s pid namespace: its topmost ancestor in it. */
    private static long namespaceInit(long pid) throws IOException {
        String ns = nsLink(pid, "pid");
        long cur = pid;
        for (int depth = 0; depth < 4096; depth++) {
            Optional<ProcessHandle> parent = ProcessHandle.of(cur).flatMap(ProcessHandle::parent);
            if (parent.isEmpty()) {
                return cur;
            }
            long pp = parent.get().pid();
            String pns;
            try {
                pns = nsLink(pp, "pid");
            } catch (IOException e) {
                return cur;
            }
            if (!pns.equals(ns)) {
                return cur;
            }
            cur = pp;
        }
        return cur;
    }

    private static String nsLink(long pid, String kind) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", kind)).toString();
        } catch (IOException e) {
            throw new IOException("Process not found: " + pid + " (cannot read its " + kind + " namespace)");
        }
    }
}
