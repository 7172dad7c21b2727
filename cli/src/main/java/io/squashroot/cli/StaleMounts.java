package io.squashroot.cli;

import io.squashroot.fuse.MountTable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A FUSE mount whose server died (SIGKILL, OOM) stays in the mount table and answers
 * "Transport endpoint is not connected" to everything; the next mount or umount clears it.
 */
final class StaleMounts {
    private StaleMounts() {
    }

    /** Unmounts {@code mp} if it is stale, saying so on stderr; returns whether it was. */
    static boolean recover(Path mp) throws IOException {
        if (!MountTable.isStale(mp)) {
            return false;
        }
        MountTable.unmount(mp, true);
        System.err.println("squashroot: " + mp + ": stale mount (its server is gone: Transport endpoint is"
                + " not connected); unmounted it");
        return true;
    }
}
