package io.squashroot.cli;

import io.squashroot.fuse.MountTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code squashroot umount MOUNTPOINT}: unmounts what {@code squashroot mount} mounted. */
@Command(name = "umount", mixinStandardHelpOptions = true, description = {"Unmount a squashroot FUSE mount (lazily if it is busy).",
        "A mount left stale by a killed server is cleaned up too."})
final class UmountCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MOUNTPOINT")
    Path mountpoint;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path mp = mountpoint.toAbsolutePath().normalize();
        if (StaleMounts.recover(mp)) {
            return 0;
        }
        if (!MountTable.isFuseMount(mp)) {
            throw new ExitException(1, mp + ": not a FUSE mount");
        }
        MountTable.unmountOrDetach(mp);
        MountDaemon.awaitExit(mp);
        return 0;
    }
}
