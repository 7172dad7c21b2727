package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One way of making an image's tree usable as a directory, compared by the harness: a FUSE
 * daemon (squashroot, squashfuse), an extraction (squashroot extract, unsquashfs), the kernel's
 * squashfs, or a stack (squashfuse under fuse-overlayfs).
 */
interface Mode {

    /** Short name used in tables and file names, e.g. {@code fuse}, {@code squashfuse}. */
    String name();

    /** Why this mode cannot run on this node (tool missing, needs root), or empty if it can. */
    Optional<String> unavailable();

    /**
     * Makes the image's tree available under a fresh directory inside {@code workDir} and
     * returns once it can be read (the mount answers, or the extraction finished).
     */
    Session open(Path image, Path workDir, Commands commands) throws IOException;

    /**
     * The command that starts a container from {@code image} running {@code workload} in one go
     * ({@code squashroot start --mount-mode=...}), or null when this mode has none and the harness
     * mounts or extracts and then runs the workload itself.
     */
    default List<String> startCommand(Path image, String workload) {
        return null;
    }
}
