package io.squashroot.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's real uid and gid (the owner of /proc/self). */
final class HostIds {
    private HostIds() {
    }

    static int uid() {
        return attr("unix:uid");
    }

    static int gid() {
        return attr("unix:gid");
    }

    private static int attr(String name) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
