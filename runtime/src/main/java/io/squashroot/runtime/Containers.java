package io.squashroot.runtime;

import io.squashroot.overlay.IdMap;
import io.squashroot.registry.ImageStore;
import io.squashroot.registry.ImportProgress;
import io.squashroot.registry.Platform;
import io.squashroot.registry.RegistrySettings;
import io.squashroot.registry.StoredImage;
import io.squashroot.runtime.config.MountMode;
import io.squashroot.runtime.config.RuntimeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.LinkOption;
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

    /**
     * Starts warming up what a fuse-mode start needs (native bindings) in the background; the
     * command line calls it first thing for the commands that mount.
     */
    public static void prewarm() {
        FuseRootfs.prewarm();
    }

    /**
     * {@link #prewarm}'s work done in the calling thread, then a start's file-system work without
     * a mount ({@link StartRehearsal}): the class-data-sharing training run.
     */
    public static void warmNow() {
        FuseRootfs.warm();
        StartRehearsal.run();
    }

    /** Opens the store, creating the per-user cache, data and runtime directories (0700) as enroot does. */
    public static Containers open(RuntimeConfig cfg) throws IOException {
        return open(cfg, Clock.systemUTC());
    }

    static Containers open(RuntimeConfig cfg, Clock clock) throws IOException {
        Path runBase = cfg.runtimePath().toAbsolutePath().getParent();
        boolean fallback = runBase != null && runBase.getFileName() != null
                && runBase.getFileName().toString().startsWith("squashroot-run-");
        if (fallback && Files.exists(runBase, LinkOption.NOFOLLOW_LINKS)) {
            refuseForeign(runBase);
        }
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

    /**
     * The fallback runtime directory lives in a shared place (the temporary directory, see
     * ConfigLoader.defaultRuntimeBase): one that is a symlink, another user's, or writable by
     * others could be a trap, so it is refused rather than used for state and mounts.
     */
    private static void refuseForeign(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!a.isDirectory() || !owner.equals(self) || a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(p + ": owned by uid " + owner + " or writable by others; refusing to use it"
                    + " (set XDG_RUNTIME_DIR or ENROOT_RUNTIME_PATH)");
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
            clearSlot(n);
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
            ContainerRecord r = new ContainerRecord(n, m, img, digest, size, mtime, clock.instant(), null, null);
            store.write(r);
            return r;
        }
    }

    /**
     * {@code create [--name N] [--force] [--mount-mode M] URI} for an image URI (docker://...):
     * the image comes from the layer cache, imported first if the reference is not there. Fuse
     * mode pins the image's ordered layer images (plus config and configuration layer) for the
     * container, which every start mounts as the overlay's lowers: no flat image is built, and
     * {@code cache prune} keeps those layers while the container exists. Extract mode unsquashes
     * the cached flat image, as {@link #create(Path, String, MountMode, PrintStream)} does.
     */
    public ContainerRecord createFromImage(String uri, String name, MountMode mode, ImportProgress progress,
                                           PrintStream log) throws IOException {
        MountMode m = mode != null ? mode : cfg.mountMode();
        ImageStore images = imageStore();
        if (m == MountMode.EXTRACT) {
            return create(images.flatImage(uri, Platform.host(), progress), name, m, log);
        }
        Path dir = store.dir(name);
        try (ContainerStore.Lock lock = store.tryLock(name, true).orElseThrow(
                () -> new IOException("Container is in use: " + name))) {
            clearSlot(name);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                // The directory exists before the pin, so a prune running meanwhile sees its owner.
                StoredImage img = images.pin(uri, Platform.host(), dir, progress);
                ContainerRecord r = new ContainerRecord(name, MountMode.FUSE, images.pinFile(dir), img.manifest().toString(),
                        -1, -1, clock.instant(), null, img.reference());
                store.write(r);
                return r;
            } catch (IOException | RuntimeException e) {
                try {
                    images.unpin(dir);
                    Tree.delete(dir);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /** Makes room for a new container {@code n}: refused if it exists, unless forced (then removed, pin included). */
    private void clearSlot(String n) throws IOException {
        Path dir = store.dir(n);
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!cfg.forceOverride()) {
                throw new IOException("File already exists: " + dir);
            }
            unpin(n);
            Tree.delete(dir);
            store.deleteRecord(n);
        }
    }

    /** Drops a layered container's pin in the layer cache (its layers become prunable). */
    private void unpin(String n) throws IOException {
        Optional<ContainerRecord> r = store.record(n);
        if (r.isPresent() && r.get().layered()) {
            imageStore().unpin(store.dir(n));
        }
    }

    private ImageStore imageStore() throws IOException {
        return ImageStore.open(RegistrySettings.fromEnvironment(n -> cfg.get(n) != null ? cfg.get(n) : System.getenv(n)));
    }

    private static String stripSqsh(String f) {
        return f.endsWith(".sqsh") ? f.substring(0, f.length() - 5) : f;
    }

    // ---- start ---------------------------------------------------------------------------

    /** {@code start}: returns the command's exit status. */
    public int start(StartOptions o, PrintStream log) throws IOException {
        Trace.mark("start command");
        cleanStale();
        if (ImageStore.isImageUri(o.target())) {
            return startImageUri(o, log);
        }
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
        NamespaceIds ids = NamespaceIds.single();
        try {
            if (image) {
                Path img = ImageFile.require(asFile);
                MountMode m = o.mountMode() != null ? o.mountMode() : cfg.mountMode();
                if (m == MountMode.FUSE) {
                    ids = fuseIds();
                    rootfs = FuseRootfs.mount(img, runDir.resolve("upper"), runDir.resolve("rootfs"), ids.map());
                } else {
                    rootfs = extractTemporary(img, runDir);
                }
            } else {
                String n = o.target();
                Files.writeString(runDir.resolve("container"), n + "\n", StandardCharsets.UTF_8);
                Optional<ContainerRecord> rec = store.record(n);
                MountMode m = rec.map(ContainerRecord::mode).orElse(MountMode.EXTRACT);
                lock = store.tryLock(n, m == MountMode.FUSE).orElseThrow(() -> new IOException(
                        "Container is in use: " + n + " (a fuse-mode container runs once at a time)"));
                if (m == MountMode.FUSE) {
                    ContainerRecord r = rec.get();
                    if (!r.layered() && stampChanged(r) && Files.isRegularFile(r.image())) {
                        log.println("[WARN] Image " + r.image() + " changed since container " + n + " was created");
                    }
                    ids = fuseIds();
                    rootfs = mountNamed(n, r, runDir.resolve("rootfs"), ids.map());
                } else {
                    rootfs = Rootfs.directory(store.dir(n).toRealPath());
                }
                if (rec.isPresent()) {
                    store.write(rec.get().withLastStart(clock.instant()));
                }
            }
            Trace.mark("root filesystem ready");
            LaunchRequest req = new LaunchRequest(rootfs.path(), runDir, cfg, o.confFile(), o.rcFile(),
                    o.mounts(), o.environ(), o.command(), ids);
            return launcher.run(req);
        } finally {
            Trace.mark("container exited");
            release(rootfs, runDir, lock);
            Trace.mark("cleaned up");
        }
    }

    /**
     * What every start undoes when its container ends, in order: the root filesystem (unmount),
     * the run directory, the container's lock. All three are attempted; the first failure is thrown.
     */
    private static void release(Rootfs rootfs, Path runDir, ContainerStore.Lock lock) throws IOException {
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
        if (first != null) {
            throw first;
        }
    }

    /**
     * {@code start docker://...} (or another image URI): the image from the layer cache, imported
     * first if the reference is not there. In fuse mode its layer images are the overlay's lowers
     * as they are, without a flat image; extract mode unsquashes the cached flat image.
     */
    private int startImageUri(StartOptions o, PrintStream log) throws IOException {
        ImageStore images = imageStore();
        Platform host = Platform.host();
        MountMode m = o.mountMode() != null ? o.mountMode() : cfg.mountMode();
        Launcher launcher = Launcher.unpackedUnder(cfg.runtimePath());
        Path runDir = runDirs.create();
        Rootfs rootfs = null;
        NamespaceIds ids = NamespaceIds.single();
        try {
            if (m == MountMode.FUSE) {
                Optional<StoredImage> cached = images.cached(o.target(), host);
                StoredImage img = cached.isPresent() ? cached.get() : images.pull(o.target(), host, ImportProgress.NONE);
                ids = fuseIds();
                rootfs = FuseRootfs.mountLayers(img.lowersTopFirst(), img.reference(), runDir.resolve("upper"),
                        runDir.resolve("rootfs"), ids.map());
            } else {
                rootfs = extractTemporary(images.flatImage(o.target(), host, ImportProgress.NONE), runDir);
            }
            Trace.mark("root filesystem ready");
            LaunchRequest req = new LaunchRequest(rootfs.path(), runDir, cfg, o.confFile(), o.rcFile(),
                    o.mounts(), o.environ(), o.command(), ids);
            return launcher.run(req);
        } finally {
            release(rootfs, runDir, null);
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

    /**
     * A fuse-mode container's root filesystem: its image file, or for a container created from
     * an image URI its pinned layer images from the layer cache, under its upper directory.
     */
    private Rootfs mountNamed(String n, ContainerRecord r, Path mountpoint, IdMap ids) throws IOException {
        if (r.layered()) {
            StoredImage img = imageStore().pinned(store.dir(n));
            return FuseRootfs.mountLayers(img.lowersTopFirst(), img.reference(), store.dir(n), mountpoint, ids);
        }
        if (!Files.isRegularFile(r.image())) {
            throw new IOException("No such file or directory: " + r.image() + " (image of container " + n + ")");
        }
        return FuseRootfs.mount(r.image(), store.dir(n), mountpoint, ids);
    }

    /**
     * The user namespace of a fuse-mode start: with root remapped, the caller's subordinate range
     * when {@link NamespaceIds#decide} allows it. Without --root the container runs as the caller
     * itself (a nested namespace maps only the caller), so a range would serve nothing, and the
     * single mapping's view, every file the caller's, is kept.
     */
    private NamespaceIds fuseIds() throws IOException {
        return cfg.remapRoot() ? NamespaceIds.decide(cfg.subids(), NamespaceIds.Host.read(System.getenv()))
                : NamespaceIds.single();
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
        if (r.layered()) {
            return !Files.isRegularFile(r.image()); // the pin is gone: the next start fails
        }
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
            // read by this JVM outside any namespace: the single mapping's view, every file the caller's
            try (Rootfs rootfs = mountNamed(name, rec.get(), runDir.resolve("rootfs"), IdMap.identity())) {
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
        return ContainerEntry.run(pid, environ, command);
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
            unpin(name);
            Tree.delete(dir);
            store.deleteRecord(name);
        }
    }

    // ---- gc ------------------------------------------------------------------------------

    /**
     * Removes stale runtime directories (their launcher is gone) with whatever is still mounted
     * under them, script libraries of other jars that no running start uses, and, when
     * {@code olderThan} is given, named containers not started (or, never started, not created)
     * within it and not running now.
     */
    public GcReport gc(Duration olderThan, boolean dryRun) throws IOException {
        return new Sweep(store, runDirs, clock).run(olderThan, dryRun);
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
