package io.squashroot.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Starts a container process and waits for it.
 *
 * <p>Why this shape: a JVM is multi-threaded and cannot {@code unshare(CLONE_NEWUSER)} itself,
 * so the namespaces are entered by util-linux in a child:
 * <pre>
 *   setpriv --pdeathsig KILL                     dies with us, even on SIGKILL
 *     unshare --user --map-root-user --mount     its own user and mount namespace
 *             [--map-users=.. --map-groups=..]   (+ a subordinate range: NamespaceIds)
 *             --pid --fork --kill-child          its child is pid 1; killed if unshare dies
 *             --propagation private
 *       bash start.sh COMMAND...                 mounts, hooks, environment; then init
 * </pre>
 * So when this JVM is killed, setpriv's parent-death signal kills unshare, whose
 * {@code --kill-child} kills the namespace's init, which takes every container process with it.
 * The FUSE server (fuse mode) stays in this JVM, outside the container's mount namespace.
 *
 * <p>SIGTERM, SIGINT and SIGHUP sent to this JVM are passed to the namespace's init, which
 * passes them to the command. The command's exit status is returned (128+N when signal N
 * killed it), as {@code enroot start} exits.
 */
public final class Launcher {

    private final Path scripts;

    /** @param scripts the unpacked script library ({@link ScriptLibrary#unpack}) */
    Launcher(Path scripts) {
        this.scripts = scripts;
    }

    /** A launcher whose scripts are unpacked under {@code runtimePath}. */
    public static Launcher unpackedUnder(Path runtimePath) throws IOException {
        return new Launcher(ScriptLibrary.unpack(runtimePath));
    }

    public Path scripts() {
        return scripts;
    }

    int run(LaunchRequest r) throws IOException {
        Files.createDirectories(r.runDir());
        Path scripts = ScriptLibrary.claim(this.scripts, r.runDir()); // gc keeps it while we run
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "unshare", "--user"));
        cmd.addAll(r.ids().unshareArgs());
        cmd.addAll(List.of("--mount", "--pid", "--fork", "--kill-child", "--propagation", "private",
                "bash", "--norc", "--noprofile", scripts.resolve("start.sh").toString()));
        cmd.addAll(r.command());
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        Map<String, String> env = pb.environment();
        HostLocale.restore(env); // hooks, --env LC_ALL and the container see the caller's locale
        env.keySet().removeIf(k -> k.startsWith("ENROOT_") || k.startsWith("SQUASHROOT_"));
        env.putAll(r.config().variables());
        // Hooks source "$ENROOT_LIBRARY_PATH/common.sh": point at ours unless the setting names
        // a directory that has one (an enroot installation).
        if (!Files.isRegularFile(r.config().libraryPath().resolve("common.sh"))) {
            env.put("ENROOT_LIBRARY_PATH", scripts.toString());
        }
        env.put("SQUASHROOT_ROOTFS", r.rootfs().toString());
        env.put("SQUASHROOT_RUNDIR", r.runDir().toString());
        env.put("SQUASHROOT_SCRIPTS", scripts.toString());
        env.put("SQUASHROOT_CONF", r.confFile() == null ? "" : r.confFile().toString());
        env.put("SQUASHROOT_RC", r.rcFile() == null ? "" : r.rcFile().toString());
        env.put("SQUASHROOT_MOUNTS", String.join("\n", r.mounts()));
        env.put("SQUASHROOT_ENVIRON", String.join("\n", r.environ()));
        int uid = HostIds.uid();
        if (!r.config().remapRoot() && uid != 0) {
            env.put("SQUASHROOT_MAP", uid + ":" + HostIds.gid());
        }
        Process p = pb.start();
        Trace.mark("namespace launcher started");
        Map<Signal, SignalHandler> previous = forwardSignals(p);
        try {
            return waitFor(p);
        } finally {
            previous.forEach(Signal::handle);
        }
    }

    private static int waitFor(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the container decides when we are done
            }
        }
    }

    private static Map<Signal, SignalHandler> forwardSignals(Process p) {
        Map<Signal, SignalHandler> previous = new java.util.HashMap<>();
        for (String name : List.of("TERM", "INT", "HUP")) {
            Signal s = new Signal(name);
            previous.put(s, Signal.handle(s, sig -> forward(p, name)));
        }
        return previous;
    }

    /** Sends signal {@code name} to the namespace's init (unshare's child). */
    private static void forward(Process p, String name) {
        Thread t = new Thread(() -> {
            for (int i = 0; i < 200 && p.isAlive(); i++) {
                Optional<ProcessHandle> init = p.toHandle().children().findFirst();
                if (init.isPresent()) {
                    Signals.send(init.get().pid(), name);
                    return;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "squashroot-signal-" + name);
        t.setDaemon(true);
        t.start();
    }
}
