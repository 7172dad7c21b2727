package io.squashroot.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * An image made available by a {@link Mode}: its root directory, the processes that serve it
 * (for accounting), and how to take it down again. Closing unmounts and deletes what the session
 * created; it must leave no mount behind even when the session failed half way.
 */
abstract class Session implements AutoCloseable {

    private final Path root;

    Session(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /**
     * Accounting of the serving processes since the tree became readable, plus everything the
     * mode's one-shot commands did (an extraction). Peak memory covers the whole session.
     */
    abstract ProcStats stats();

    /** False when no process serves the tree (the kernel's squashfs): CPU and memory are then not attributable. */
    boolean hasProcesses() {
        return true;
    }

    /** Bytes read from the image file as the mode itself counts them (squashroot's metrics), if it does. */
    OptionalLong backingReadBytes() {
        return OptionalLong.empty();
    }

    OptionalLong backingReadRequests() {
        return OptionalLong.empty();
    }

    /** Local directories this session wrote (extracted trees, upper dirs), for the disk-use figure. */
    List<Path> localDirs() {
        return List.of();
    }

    @Override
    public abstract void close() throws IOException;
}
