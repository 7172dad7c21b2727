package io.squashroot.runtime;

import io.squashroot.runtime.config.MountMode;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code start} was asked to do (the configuration, --root/--rw/--conf directives
 * included, comes separately as a RuntimeConfig).
 *
 * @param target    a container name, or the path of a SquashFS image
 * @param mountMode --mount-mode, or null for SQUASHROOT_MOUNT_MODE (images only; a named
 *                  container keeps the mode it was created with)
 */
public record StartOptions(String target, MountMode mountMode, Path confFile, Path rcFile,
                           List<String> mounts, List<String> environ, List<String> command) {
    public StartOptions {
        mounts = List.copyOf(mounts);
        environ = List.copyOf(environ);
        command = List.copyOf(command);
    }
}
