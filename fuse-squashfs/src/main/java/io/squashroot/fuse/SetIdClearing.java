package io.squashroot.fuse;

import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;

/**
 * What the VFS does when a caller writes, truncates or chowns a file, left to the server by
 * HANDLE_KILLPRIV_V2 (the kernel flags the requests that need it: writes and truncates by
 * callers without CAP_FSETID, every chown): set-user-id goes, and so does a file capability;
 * set-group-id goes when the group may execute, or else when the caller is neither root nor of
 * the file's group (the kernel's in_group_or_capable, judged here by the caller's primary
 * group: the request carries no supplementary ones).
 */
final class SetIdClearing {

    private static final String CAPABILITY = "security.capability";

    private final FsTree tree;
    /** The group every node is presented with, or -1 for the tree's own. */
    private final long gid;

    SetIdClearing(FsTree tree, long gid) {
        this.tree = tree;
        this.gid = gid;
    }

    /**
     * Clears what the request must clear on {@code path}. Returns the attributes it read when it
     * changed nothing (the caller may answer with them: they are still current), or null when it
     * cleared a set-id bit or a capability.
     */
    FileAttr clear(String path, Caller caller) throws FsException {
        FileAttr a = tree.getattr(path);
        if (!a.isRegular()) {
            return a;
        }
        int mode = a.mode() & 07777;
        int kept = mode & ~04000;
        boolean groupExec = (mode & 010) != 0;
        long fileGid = gid >= 0 ? gid : a.gid();
        if (groupExec || (caller.uid() != 0 && caller.gid() != fileGid)) {
            kept &= ~02000;
        }
        boolean changed = kept != mode;
        if (changed) {
            tree.chmod(path, kept);
        }
        try {
            tree.getxattr(path, CAPABILITY);
            tree.removexattr(path, CAPABILITY);
            changed = true;
        } catch (FsException e) {
            if (e.errno() != Errno.ENODATA && e.errno() != Errno.ENOTSUP && e.errno() != Errno.ENOSYS) {
                throw e;
            }
        }
        return changed ? null : a;
    }
}
