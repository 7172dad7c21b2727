package io.squashroot.runtime;

import io.squashroot.runtime.config.MountMode;
import io.squashroot.runtime.config.RuntimeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The container commands: create, start, exec, list, remove, gc. One instance per command
 * run, over one {@link RuntimeConfig}.
 *
 * <p>Concurrency: starts of one named container take its lock. Extract-mode starts share it,
 * as enroot lets two starts use one root filesystem. A fuse-mode start holds it exclusively for
 * the container's life, because the overlay's upper layer has one writer; a second start of the
 * same fuse container is refused with a message naming the container ({@code remove} is refused
 * the same way while any start runs).
 */
public final class Containers {
    private final RuntimeConfig cfg;
    private final ContainerStore store;
    private final RunDirs runDirs;
    private final Clock clock;

    private Containers(RuntimeConfig cfg, Clock clock) {
        this.cfg = cfg;
        this.store = new ContainerStore(cfg.dataPath());
        this.runDirs = new RunDirs(cfg.runtimePath());
        this.clock = clock;
    }

    /** Opens the store, creating the per-user cache, data and runtime directories (0700) as enroot does. */
    public static Containers open(RuntimeConfig cfg) throws IOException {
        return open(cfg, Clock.systemUTC());
    }

    static Containers open(RuntimeConfig cfg, Clock clock) throws IOException {
        for (Path p : List.of(cfg.cachePath(), cfg.dataPath(), cfg.runtimePath())) {
            createPrivate(p);
        }
        return new Containers(cfg, clock);
    }

    private static void createPrivate(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            return;
        }
        Path parent = p.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivate(parent);
        }
        try {
            Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // raced with another squashroot: fine
        }
    }

    public RuntimeConfig config() {
        return cfg;
    }

    // ---- create --------------------------------------------------------------------------

    /**
     * {@code create [--name N] [--force] [--mount-mode M] IMAGE}: extract mode unsquashes into
     * {@code $ENROOT_DATA_PATH/NAME}; fuse mode makes an empty upper layer there and records the
     * image, which every start then mounts.
     */
    public ContainerRecord create(Path image, String name, MountMode mode, PrintStream log) throws IOException {
        Path img = ImageFile.require(image);
        String n = name != null && !name.isEmpty() ? name : stripSqsh(img.getFileName().toString());
        Path dir = store.dir(n);
        MountMode m = mode != null ? mode : cfg.mountMode();
        try (ContainerStore.Lock lock = store.tryLock(n, true).orElseThrow(
                () -> new IOException("Container is in use: " + n))) {
            if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (!cfg.forceOverride()) {
                    throw new IOException("File already exists: " + dir);
                }
                Tree.delete(dir);
                store.deleteRecord(n);
            }
            long size = Files.size(img);
            long mtime = Files.getLastModifiedTime(img).toMillis();
            String digest = ImageFile.digest(img);
            if (m == MountMode.EXTRACT) {
                log.println("[INFO] Extracting squashfs filesystem...");
                Path partial = cfg.dataPath().resolve(".squashroot").resolve(n + ".partial");
                Tree.delete(partial);
                RootfsExtractor.extract(img, partial, cfg.maxProcessors());
                Files.move(partial, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            ContainerRecord r = new ContainerRecord(n, m, img, digest, size, mtime, clock.instant(), null);
            store.write(r);
            return r;
        }
    }

    private static String stripSqsh(String f) {
        return f.endsWith(".sqsh") ? f.substring(0, f.length() - 5) : f;
    }

    // ---- start ---------------------------------------------------------------------------

    /** {@code start}: returns the command's exit status. */
    public int start(StartOptions o, PrintStream log) throws IOException {
        Trace.mark("start command");
        cleanStale();
        Path asFile = Path.of(o.target());
        boolean image = ImageFile.isSquashfs(asFile);
        if (!image && o.target().contains("/")) {
            throw new IOException(Files.exists(asFile) ? "Invalid image format: " + asFile.toAbsolutePath()
                    : "Invalid argument: " + o.target());
        }
        if (!image && !store.exists(o.target())) {
            throw new IOException("No such file or directory: " + cfg.dataPath().resolve(o.target()));
        }
        Launcher launcher = Launcher.unpackedUnder(cfg.runtimePath());
        Path runDir = runDirs.create();
        ContainerStore.Lock lock = null;
        Rootfs rootfs = null;
        try {
            if (image) {
                Path img = ImageFile.require(asFile);
                MountMode m = o.mountMode() != null ? o.mountMode() : cfg.mountMode();
                rootfs = m == MountMode.FUSE
                        ? FuseRootfs.mount(img, runDir.resolve("upper"), runDir.resolve("rootfs"))
                        : extractTemporary(img, runDir);
            } else {
                String n = o.target();
                Files.writeString(runDir.resolve("container"), n + "\n", StandardCharsets.UTF_8);
                Optional<ContainerRecord> rec = store.record(n);
                MountMode m = rec.map(ContainerRecord::mode).orElse(MountMode.EXTRACT);
                lock = store.tryLock(n, m == MountMode.FUSE).orElseThrow(() -> new IOException(
                        "Container is in use: " + n + " (a fuse-mode container runs once at a time)"));
                if (m == MountMode.FUSE) {
                    ContainerRecord r = rec.get();
                    if (!Files.isRegularFile(r.image())) {
                        throw new IOException("No such file or directory: " + r.image() + " (image of container " + n + ")");
                    }
                    if (stampChanged(r)) {
                        log.println("[WARN] Image " + r.image() + " changed since container " + n + " was created");
                    }
                    rootfs = FuseRootfs.mount(r.image(), store.dir(n), runDir.resolve("rootfs"));
                } else {
                    rootfs = Rootfs.directory(store.dir(n).toRealPath());
                }
                if (rec.isPresent()) {
                    store.write(rec.get().withLastStart(clock.instant()));
                }
            }
            Trace.mark("root filesystem ready");
            LaunchRequest req = new LaunchRequest(rootfs.path(), runDir, cfg, o.confFile(), o.rcFile(),
                    o.mounts(), o.environ(), o.command());
            return launcher.run(req);
        } finally {
            Trace.mark("container exited");
            IOException first = null;
            if (rootfs != null) {
                try {
                    rootfs.close();
                } catch (IOException e) {
                    first = e;
                }
            }
            try {
                RunDirs.clean(runDir, false);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
            if (lock != null) {
                lock.close();
            }
            Trace.mark("cleaned up");
            if (first != null) {
                throw first;
            }
        }
    }

    /** An unnamed extract-mode start: the image unsquashed into a temporary tree, removed at exit. */
    private Rootfs extractTemporary(Path img, Path runDir) throws IOException {
        Path tree = cfg.tempPath().resolve(runDir.getFileName().toString());
        Files.writeString(runDir.resolve(RunDirs.EXTRACTED), tree + "\n", StandardCharsets.UTF_8);
        RootfsExtractor.extract(img, tree, cfg.maxProcessors());
        return new Rootfs() {
            @Override
            public Path path() {
                return tree;
            }

            @Override
            public void close() throws IOException {
                Tree.delete(tree);
            }
        };
    }

    private static boolean stampChanged(ContainerRecord r) {
        try {
            return Files.size(r.image()) != r.imageSize()
                    || Files.getLastModifiedTime(r.image()).toMillis() != r.imageMtimeMillis();
        } catch (IOException e) {
            return true;
        }
    }

    /** True when the image's bytes differ from the recorded digest (checked only if its stamp moved). */
    private static boolean imageChanged(ContainerRecord r) {
        if (!stampChanged(r)) {
            return false;
        }
        try {
            return !ImageFile.digest(r.image()).equals(r.digest());
        } catch (IOException e) {
            return true;
        }
    }

    // ---- export (the root filesystem as the container sees it) ----------------------------

    /** Work on a named container's root filesystem as the container sees it. */
    public interface RootfsAction<T> {
        T apply(Path rootfs) throws IOException;
    }

    /**
     * Runs {@code action} on container {@code name}'s root filesystem: the directory itself in
     * extract mode; in fuse mode the image and the container's upper layer mounted (read-only
     * use) for the duration. Takes the container's lock like a start does.
     */
    public <T> T withRootfs(String name, RootfsAction<T> action) throws IOException {
        if (!store.exists(name)) {
            throw new IOException("No such file or directory: " + cfg.dataPath().resolve(name));
        }
        Optional<ContainerRecord> rec = store.record(name);
        MountMode m = rec.map(ContainerRecord::mode).orElse(MountMode.EXTRACT);
        try (ContainerStore.Lock lock = store.tryLock(name, m == MountMode.FUSE).orElseThrow(
                () -> new IOException("Container is in use: " + name))) {
            if (m == MountMode.EXTRACT) {
                return action.apply(store.dir(name).toRealPath());
            }
            Path runDir = runDirs.create();
            try (Rootfs rootfs = FuseRootfs.mount(rec.get().image(), store.dir(name), runDir.resolve("rootfs"))) {
                return action.apply(rootfs.path());
            } finally {
                RunDirs.clean(runDir, false);
            }
        }
    }

    // ---- exec ----------------------------------------------------------------------------

    /**
     * {@code exec PID COMMAND}: runs a command in the namespaces, root and working directory of
     * container process PID, with that process's environment plus {@code environ}.
     */
    public int exec(long pid, List<String> environ, List<String> command) throws IOException {
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
        for (String e : environ) {
            env.add(e.contains("=") ? e : e + "=" + System.getenv().getOrDefault(e, ""));
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

    // ---- list / remove -------------------------------------------------------------------

    public List<String> names() throws IOException {
        return store.names();
    }

    public List<ContainerInfo> describe() throws IOException {
        List<ContainerInfo> out = new ArrayList<>();
        List<Path> live = liveRunDirs();
        for (String n : store.names()) {
            Optional<ContainerRecord> r = store.record(n);
            List<Long> pids = new ArrayList<>();
            for (Path d : live) {
                if (ownsContainer(d, n)) {
                    pids.add(ownerPid(d));
                }
            }
            out.add(new ContainerInfo(n, r.orElse(null), Tree.sizeOnDisk(store.dir(n)),
                    r.map(Containers::imageChanged).orElse(false), pids));
        }
        return out;
    }

    private List<Path> liveRunDirs() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(cfg.runtimePath())) {
            return out;
        }
        try (var ds = Files.newDirectoryStream(cfg.runtimePath(), RunDirs.PREFIX + "*")) {
            for (Path d : ds) {
                if (RunDirs.ownerAlive(d)) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    private boolean ownsContainer(Path runDir, String name) {
        try {
            return Files.readString(runDir.resolve("container"), StandardCharsets.UTF_8).trim().equals(name);
        } catch (IOException e) {
            return false;
        }
    }

    private static long ownerPid(Path runDir) {
        String n = runDir.getFileName().toString().substring(RunDirs.PREFIX.length());
        return Long.parseLong(n.substring(0, n.indexOf('.')));
    }

    /** Removes a named container (its tree and record); refused while it is running. */
    public void remove(String name) throws IOException {
        Path dir = store.dir(name);
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("No such file or directory: " + dir);
        }
        try (ContainerStore.Lock lock = store.tryLock(name, true).orElseThrow(
                () -> new IOException("Container is in use: " + name))) {
            Tree.delete(dir);
            store.deleteRecord(name);
        }
    }

    // ---- gc ------------------------------------------------------------------------------

    /**
     * Removes stale runtime directories (their launcher is gone) with whatever is still mounted
     * under them, and, when {@code olderThan} is given, named containers not started (or, never
     * started, not created) within it and not running now.
     */
    public GcReport gc(Duration olderThan, boolean dryRun) throws IOException {
        List<String> items = new ArrayList<>();
        long bytes = 0;
        for (Path d : runDirs.stale()) {
            for (Path m : Mounts.under(d)) {
                items.add("mount " + m);
            }
            items.add("runtime dir " + d);
            if (dryRun) {
                bytes += Tree.sizeOnDisk(d);
            } else {
                bytes += RunDirs.clean(d);
            }
        }
        if (olderThan != null) {
            Instant cutoff = clock.instant().minus(olderThan);
            for (String n : store.names()) {
                Optional<ContainerRecord> r = store.record(n);
                Instant used = r.map(ContainerRecord::lastUsed).orElseGet(() -> modified(store.dir(n)));
                if (!used.isBefore(cutoff)) {
                    continue;
                }
                Optional<ContainerStore.Lock> lock = store.tryLock(n, true);
                if (lock.isEmpty()) {
                    continue;
                }
                try (ContainerStore.Lock l = lock.get()) {
                    long size = Tree.sizeOnDisk(store.dir(n));
                    items.add("container " + n);
                    bytes += size;
                    if (!dryRun) {
                        Tree.delete(store.dir(n));
                        store.deleteRecord(n);
                    }
                }
            }
        }
        return new GcReport(items, bytes, dryRun);
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /** Cleans what SIGKILLed launchers left behind; a start does this first, quietly. */
    private void cleanStale() {
        try {
            for (Path d : runDirs.stale()) {
                try {
                    RunDirs.clean(d);
                } catch (IOException e) {
                    // leave it to an explicit gc, which reports
                }
            }
        } catch (IOException e) {
            // same
        }
    }
}
