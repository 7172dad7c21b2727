package io.squashroot.runtime;

import java.io.IOException;
import java.nio.file.Path;

/** A root filesystem prepared for one start; {@link #close()} undoes the preparation (unmounts). */
interface Rootfs extends AutoCloseable {
    Path path();

    @Override
    void close() throws IOException;

    /** An existing directory that outlives the start (a named extract-mode container). */
    static Rootfs directory(Path dir) {
        return new Rootfs() {
            @Override
            public Path path() {
                return dir;
            }

            @Override
            public void close() {
            }
        };
    }
}
