package io.squashroot.overlay;

import io.squashroot.tree.FsTree;
import java.nio.channels.FileChannel;

/**
 * One open file of the overlay: a channel on the upper copy, or a handle of the lower tree
 * that shows the file (read-only opens never copy up, and read straight from the lower tree
 * in this process: no second trip through FUSE).
 */
record OpenFile(FileChannel upper, boolean append, FsTree lower, String lowerPath, long lowerHandle) {

    static OpenFile ofUpper(FileChannel ch, boolean append) {
        return new OpenFile(ch, append, null, null, 0);
    }

    static OpenFile ofLower(FsTree tree, String path, long handle) {
        return new OpenFile(null, false, tree, path, handle);
    }
}
