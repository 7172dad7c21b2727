package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Open files that lose their last name. Our trees are path-based, so such a file keeps a
 * hidden name ({@code .fuse_hidden*}, libfuse's scheme) until its last close, when it is
 * removed. Three requests move names aside for that before the tree does the real work, and
 * put them back if the tree refuses:
 * <ul>
 * <li>UNLINK of an open file's only name hides the file instead;
 * <li>RENAME over an open file hides the target first; if the tree's rename then fails (a
 * copy-up that runs out of room), the target gets its name back, or it would vanish at its
 * last close although nothing replaced it;
 * <li>RMDIR of a directory (or RENAME over one) whose only entries are hidden files moves them
 * to hidden names in the root first, so the tree sees the directory empty, as the user does:
 * on a local disk such files keep no name at all. If the tree still refuses (a real entry:
 * ENOTEMPTY), they move back.
 * </ul>
 * The session knows nothing of the tree's layout here: every move is a rename through the
 * tree, with RENAME_NOREPLACE, so no name is ever clobbered (a hidden name already taken, e.g.
 * by a leftover of an earlier mount, is tried again with the next).
 */
final class HiddenFiles {

    static final String PREFIX = ".fuse_hidden";

    private static final Logger LOG = Logger.getLogger(HiddenFiles.class.getName());
    private static final int RENAME_NOREPLACE = 1;
    private static final int TRIES = 10;

    /** Node {@code id} went from {@code fromName} in {@code fromParent} to {@code toName} in {@code toParent}. */
    record Move(long id, long fromParent, String fromName, long toParent, String toName, boolean wasHidden) {
    }

    private final FsTree tree;
    private final NodeTable nodes;

    HiddenFiles(FsTree tree, NodeTable nodes) {
        this.tree = tree;
        this.nodes = nodes;
    }

    /**
     * UNLINK of {@code name} in {@code parent}: true when the name was an open file's only one
     * and the file is now hidden; false when the caller must unlink for real (not open, or the
     * tree refused even a rename: a full or over-quota upper layer).
     */
    boolean unlink(long parent, String name) throws FsException {
        if (!nodes.mustHide(parent, name)) {
            return false;
        }
        Move m = hide(parent, name);
        if (m == null) {
            return false;
        }
        done(List.of(m));
        return true;
    }

    /**
     * Before a request replaces or removes {@code name} in {@code parent}: hides an open file
     * there ({@code replacing}: a rename over it) and moves a directory's hidden files out.
     * Returns what moved, for {@link #undo} if the tree then refuses, else {@link #done}.
     */
    List<Move> clear(long parent, String name, boolean replacing) throws FsException {
        if (replacing && nodes.mustHide(parent, name)) {
            Move m = hide(parent, name);
            return m == null ? List.of() : List.of(m);
        }
        List<NodeTable.Hidden> inside = nodes.hiddenIn(parent, name);
        List<Move> moved = new ArrayList<>(inside.size());
        for (NodeTable.Hidden h : inside) {
            Move m = moveToRoot(h);
            if (m != null) {
                moved.add(m);
            }
        }
        return moved;
    }

    /** The request failed: every name moved by {@link #clear} goes back, nothing clobbered. */
    void undo(List<Move> moved) {
        for (int i = moved.size() - 1; i >= 0; i--) {
            Move m = moved.get(i);
            try {
                tree.rename(nodes.path(m.toParent(), m.toName()), nodes.path(m.fromParent(), m.fromName()),
                        RENAME_NOREPLACE);
                nodes.returned(m.toParent(), m.toName(), m.fromParent(), m.fromName(), m.wasHidden());
            } catch (FsException e) {
                // the name was taken meanwhile: the file stays hidden, removed at its last close
                LOG.fine("squashroot: giving back " + m.fromName() + " failed: errno " + e.errno());
            }
            remove(nodes.settled(m.id()));
        }
    }

    /** The request succeeded: a moved file whose last handle closed meanwhile goes now. */
    void done(List<Move> moved) {
        for (Move m : moved) {
            remove(nodes.settled(m.id()));
        }
    }

    /** Removes a hidden file at its last close ({@code path} from the node table), if any. */
    void remove(String path) {
        if (path == null) {
            return;
        }
        try {
            tree.unlink(path);
        } catch (FsException e) {
            LOG.fine("squashroot: removing " + path + " at last close failed: errno " + e.errno());
        }
    }

    /**
     * Renames an open file's only name to a fresh hidden one; null when the tree cannot (a full
     * or over-quota upper layer refuses even a rename), the name then stays as it is.
     */
    private Move hide(long parent, String name) throws FsException {
        String path = nodes.path(parent, name);
        for (int i = 0; i < TRIES; i++) {
            String hidden = nodes.hiddenName(parent, name);
            String hiddenPath = nodes.path(parent, hidden);
            try {
                tree.rename(path, hiddenPath, RENAME_NOREPLACE);
            } catch (FsException e) {
                if (e.errno() == Errno.EEXIST) {
                    continue; // a leftover of an earlier mount holds this name
                }
                return null;
            }
            long id = nodes.hid(parent, name, hidden);
            if (id == 0) {
                remove(hiddenPath); // its node (and so its last handle) went meanwhile
                return null;
            }
            return new Move(id, parent, name, parent, hidden, false);
        }
        return null;
    }

    /** Moves a pending hidden file to a fresh hidden name in the root; null (and settled) if it cannot. */
    private Move moveToRoot(NodeTable.Hidden h) {
        try {
            String from = nodes.path(h.parent(), h.name());
            for (int i = 0; i < TRIES; i++) {
                String to = nodes.hiddenName(h.id());
                try {
                    tree.rename(from, "/" + to, RENAME_NOREPLACE);
                } catch (FsException e) {
                    if (e.errno() == Errno.EEXIST) {
                        continue; // a leftover of an earlier mount holds this name
                    }
                    throw e;
                }
                nodes.renamed(h.parent(), h.name(), NodeTable.ROOT_ID, to, false);
                return new Move(h.id(), h.parent(), h.name(), NodeTable.ROOT_ID, to, true);
            }
        } catch (FsException e) {
            // it stays in the directory, whose removal the tree then refuses (ENOTEMPTY)
            LOG.fine("squashroot: moving " + h.name() + " out of its directory failed: errno " + e.errno());
        }
        remove(nodes.settled(h.id()));
        return null;
    }
}
