package io.squashroot.runtime;

import java.util.List;

/**
 * One line of {@code list -f}: a container, its record (null for a directory squashroot did
 * not create, e.g. enroot's), its size on disk, whether its image changed since creation, and
 * the launchers now running it.
 */
public record ContainerInfo(String name, ContainerRecord record, long sizeBytes, boolean imageChanged,
                            List<Long> launcherPids) {
    public ContainerInfo {
        launcherPids = List.copyOf(launcherPids);
    }
}
