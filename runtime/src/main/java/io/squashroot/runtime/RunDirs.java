package io.squashroot.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Per-start runtime directories, {@code $ENROOT_RUNTIME_PATH/squashroot.PID.N} (0700): the
 * FUSE mount point and private upper layer of an unnamed fuse start, the environment/fstab/rc
 * files of the setup, and an {@code owner} file naming the launcher (pid and start time). A
 * directory whose owner is gone (the launcher was SIGKILLed) is stale: {@link #clean} detaches
 * what is still mounted under it and removes it, with the extracted tree it points to.
 */
final class RunDirs {
    static final String PREFIX = "squashroot.";
    private static final String OWNER = "owner";
    /** Written by unnamed extract-mode starts: the path of their temporary root filesystem. */
    static final String EXTRACTED = "extracted";

    private final Path runtime;

    RunDirs(Path runtimePath) {
        this.runtime = runtimePath;
    }

    /** The runtime path ({@code $ENROOT_RUNTIME_PATH}) these directories live in. */
    Path root() {
        return runtime;
    }

    Path create() throws IOException {
        ProcessHandle self = ProcessHandle.current();
        String start = self.info().startInstant().map(Object::toString).orElse("?");
        for (int n = 0; ; n++) {
            Path d = runtime.resolve(PREFIX + self.pid() + "." + n);
            try {
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                continue;
            }
            Files.writeString(d.resolve(OWNER), self.pid() + " " + start + "\n", StandardCharsets.UTF_8);
            return d;
        }
    }

    /** Runtime directories whose launcher is no longer running. */
    List<Path> stale() throws IOException {
        return withOwner(false);
    }

    /** Runtime directories of launchers running now (or being created right now). */
    List<Path> live() throws IOException {
        return withOwner(true);
    }

    private List<Path> withOwner(boolean alive) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(runtime)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(runtime, PREFIX + "*")) {
            for (Path d : ds) {
                if (Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS) && ownerAlive(d) == alive) {
                    out.add(d);
                }
            }
        }
        out.sort(null);
        return out;
    }

    static boolean ownerAlive(Path dir) {
        String text;
        try {
            text = Files.readString(dir.resolve(OWNER), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // No owner file: a directory being created right now, or garbage. Judge by its name.
            return pidFromName(dir).flatMap(ProcessHandle::of).isPresent();
        }
        String[] f = text.split(" ", 2);
        try {
            Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(f[0]));
            if (h.isEmpty() || !h.get().isAlive()) {
                return false;
            }
            String start = h.get().info().startInstant().map(Object::toString).orElse("?");
            return f.length < 2 || f[1].equals("?") || start.equals(f[1]);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Optional<Long> pidFromName(Path dir) {
        String n = dir.getFileName().toString().substring(PREFIX.length());
        int dot = n.indexOf('.');
        try {
            return Optional.of(Long.parseLong(dot < 0 ? n : n.substring(0, dot)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Detaches every mount under {@code dir} (deepest first), removes it and the temporary
     * root filesystem it names; returns the bytes freed.
     */
    static long clean(Path dir) throws IOException {
        return clean(dir, true);
    }

    /** As {@link #clean(Path)}; {@code measure} false skips du (the normal end of a start). */
    static long clean(Path dir, boolean measure) throws IOException {
        long freed = 0;
        for (Path m : Mounts.under(dir)) {
            Mounts.detach(m);
        }
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        Path extracted = dir.resolve(EXTRACTED);
        if (Files.isRegularFile(extracted)) {
            Path tree = Path.of(Files.readString(extracted, StandardCharsets.UTF_8).trim());
            if (tree.getFileName() != null && tree.getFileName().toString().startsWith(PREFIX)) {
                freed += measure ? Tree.sizeOnDisk(tree) : 0;
                Tree.delete(tree);
            }
        }
        freed += measure ? Tree.sizeOnDisk(dir) : 0;
        Tree.delete(dir);
        return freed;
    }
}
