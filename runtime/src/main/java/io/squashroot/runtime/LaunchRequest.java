package io.squashroot.runtime;

import io.squashroot.runtime.config.RuntimeConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * One container process to start on a prepared root filesystem.
 *
 * @param rootfs   the root filesystem (a FUSE mount or an extracted directory)
 * @param runDir   this start's private runtime directory (0700), removed afterwards
 * @param config   the configuration (REMAP_ROOT, ROOTFS_WRITABLE, ... and what hooks see)
 * @param confFile {@code --conf} script, or null
 * @param rcFile   {@code --rc} script, or null
 * @param mounts   {@code --mount} specs (fstab fields separated by colons)
 * @param environ  {@code --env} specs ({@code VAR} or {@code VAR=VALUE})
 * @param command  the command and its arguments; empty for the image's default
 * @param ids      the ids the user namespace maps (the overlay of a fuse-mode root uses the same)
 */
record LaunchRequest(Path rootfs, Path runDir, RuntimeConfig config, Path confFile, Path rcFile,
                     List<String> mounts, List<String> environ, List<String> command, NamespaceIds ids) {
    public LaunchRequest {
        mounts = List.copyOf(mounts);
        environ = List.copyOf(environ);
        command = List.copyOf(command);
    }
}
