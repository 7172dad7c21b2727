package io.squashroot.overlay;

import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import io.squashroot.tree.FsTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serves an overlay from a separate JVM, so a test can run the FUSE server as another user
 * (the unprivileged runs). Args: [--ids=UID,GID,SUBUID,SUBGID,COUNT] UPPER MOUNTPOINT LOWER...;
 * prints "mounted" once the mount answers and unmounts when its standard input closes. With
 * {@code --ids} the overlay translates through a rootless container's map (container 0 = UID:GID,
 * 1..COUNT = the subordinate ranges).
 */
public final class OverlayServer {
    private OverlayServer() {
    }

    public static void main(String[] args) throws Exception {
        IdMap ids = IdMap.identity();
        int a = 0;
        if (args[0].startsWith("--ids=")) {
            long[] v = java.util.Arrays.stream(args[a++].substring(6).split(",")).mapToLong(Long::parseLong).toArray();
            ids = new IdMap(List.of(new IdMap.Range(0, v[0], 1), new IdMap.Range(1, v[2], v[4])),
                    List.of(new IdMap.Range(0, v[1], 1), new IdMap.Range(1, v[3], v[4])));
        }
        List<FsTree> lowers = new ArrayList<>();
        for (int i = a + 2; i < args.length; i++) {
            lowers.add(DirectoryTree.of(Path.of(args[i])));
        }
        Overlay overlay = Overlay.open(lowers, Path.of(args[a]), ids);
        try (FuseMount m = FuseMount.mount(overlay, Path.of(args[a + 1]),
                MountOptions.builder().readOnly(false).build())) {
            System.out.println("mounted");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our stdin
            }
        }
    }

    /** A server started by {@link #startAsUser}; close unmounts it. */
    interface Running extends AutoCloseable {
        @Override
        void close() throws Exception;
    }

    /**
     * Runs the server in a JVM of its own as sqtest, on a copy of our class path (in
     * {@code cpDir}) that sqtest can read; returns once it is mounted.
     */
    static Running startAsUser(Path cpDir, Path mnt, Path upper, Path... lowers) throws Exception {
        return startAsUser(cpDir, List.of(), mnt, upper, lowers);
    }

    /** As above, with {@code options} (e.g. {@code --ids=...}) before the server's arguments. */
    static Running startAsUser(Path cpDir, List<String> options, Path mnt, Path upper, Path... lowers) throws Exception {
        Files.createDirectories(cpDir);
        List<String> cp = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(":")) {
            if (e.isEmpty() || !Files.exists(Path.of(e))) {
                continue;
            }
            Path dst = cpDir.resolve((i++) + "-" + Path.of(e).getFileName());
            Sh.ok("cp", "-r", e, dst.toString());
            cp.add(dst.toString());
        }
        Sh.ok("chmod", "-R", "a+rX", cpDir.toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", String.join(":", cp),
                OverlayServer.class.getName()));
        cmd.addAll(options);
        cmd.addAll(List.of(upper.toString(), mnt.toString()));
        for (Path l : lowers) {
            cmd.add(l.toString());
        }
        Process p = new ProcessBuilder(Sh.asUser(cmd.toArray(String[]::new))).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder log = new StringBuilder();
        while ((line = out.readLine()) != null && !line.equals("mounted")) {
            log.append(line).append('\n');
        }
        if (line == null) {
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IOException("overlay server as sqtest did not mount:\n" + log);
        }
        return () -> {
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                Sh.run(List.of("umount", "-l", mnt.toString()));
            }
        };
    }
}
