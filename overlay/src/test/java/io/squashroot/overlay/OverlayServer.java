package io.squashroot.overlay;

import io.squashroot.tree.FsTree;
import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves an overlay from a separate JVM, so a test can run the FUSE server as another user
 * (the unprivileged runs). Args: UPPER MOUNTPOINT LOWER...; prints "mounted" once the mount
 * answers and unmounts when its standard input closes.
 */
public final class OverlayServer {
    private OverlayServer() {
    }

    public static void main(String[] args) throws Exception {
        List<FsTree> lowers = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            lowers.add(DirectoryTree.of(Path.of(args[i])));
        }
        Overlay overlay = Overlay.open(lowers, Path.of(args[0]));
        try (FuseMount m = FuseMount.mount(overlay, Path.of(args[1]),
                MountOptions.builder().readOnly(false).build())) {
            System.out.println("mounted");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our stdin
            }
        }
    }
}
