package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel speaks node ids, our trees speak paths: this table gives every name the kernel
 * has looked up a node id, keeps how many lookups the kernel holds on it (FORGET gives them
 * back), and rebuilds a node's path from its parent chain.
 *
 * <p>Names are keyed by (parent, name). A regular file with more than one link is also found
 * by its inode number, so its names share one node, as they share one inode on a local disk:
 * the kernel then keeps one page cache and one size for the file (with the writeback cache it
 * trusts its own size, and two nodes for one file would each keep a stale one).
 *
 * <p>A node lives while the kernel holds lookups on it, a handle is open on it or a child
 * still refers to it. A node's only name unlinked while the file is open is renamed to a
 * hidden name first ({@link #hiddenName}), so the open file keeps a path our trees can
 * resolve; the hidden file is removed at its last release (libfuse's scheme). While a request
 * moves a hidden file ({@link HiddenFiles}: hiding it, giving its name back, moving it out of
 * a directory being removed) the node is <em>pending</em>: a last close meanwhile leaves the
 * removal to that request ({@link #settled}), which knows where the file is. One lock guards
 * the whole table: each call is a few map operations, far below the cost of the request.
 */
final class NodeTable {

    static final long ROOT_ID = 1;

    /** One name of a node. */
    private record Link(Node parent, String name) {
    }

    /** A file or directory the kernel knows. Fields are guarded by the table's lock. */
    private static final class Node {
        final long id;
        /** Its names; the first one is the path requests use. Empty once every name is gone. */
        final List<Link> links = new ArrayList<>(1);
        long ino = -1;
        long lookups;
        int children;
        int opens;
        boolean hidden;
        /** A request is moving this hidden file: it, not the last close, removes it. */
        boolean pending;

        Node(long id) {
            this.id = id;
        }
    }

    private record Key(long parent, String name) {
    }

    /** A hidden file {@code name} in directory {@code parent}, node {@code id}. */
    record Hidden(long id, long parent, String name) {
    }

    private final Map<Long, Node> byId = new HashMap<>();
    private final Map<Key, Node> byName = new HashMap<>();
    private final Map<Long, Node> byIno = new HashMap<>();
    /** The hidden nodes: few (open files unlinked), looked through when a directory goes. */
    private final Set<Node> hiddenNodes = new LinkedHashSet<>();
    private final Node root;
    private long nextId = ROOT_ID + 1;
    private long hiddenCounter;

    NodeTable() {
        root = new Node(ROOT_ID);
        root.lookups = 1; // the kernel never forgets the root
        byId.put(ROOT_ID, root);
    }

    /** The path of node {@code id}; ENOENT when the kernel names a node we no longer have a name for. */
    synchronized String path(long id) throws FsException {
        return named(pathOf(node(id)));
    }

    /**
     * The path of node {@code id}, or null when its name is gone: operations on an open handle
     * (read, write, release) still reach the tree, which finds the file by its handle.
     */
    synchronized String pathOrNull(long id) {
        Node n = byId.get(id);
        return n == null ? null : pathOf(n);
    }

    /** The path of {@code name} in directory {@code parent}. */
    synchronized String path(long parent, String name) throws FsException {
        String base = named(pathOf(node(parent)));
        return base.equals("/") ? "/" + name : base + "/" + name;
    }

    /**
     * Records one more kernel lookup of {@code name} in {@code parent}; returns its node id.
     * {@code ino} is the tree's inode number; {@code linked} says it is a regular file with
     * more than one link, whose other names share the node.
     */
    synchronized long lookedUp(long parent, String name, long ino, boolean linked) throws FsException {
        Node p = node(parent);
        Key k = new Key(parent, name);
        Node n = byName.get(k);
        if (n == null && linked) {
            n = byIno.get(ino);
            if (n != null && n.links.isEmpty()) {
                n = null; // its names are gone: a new file that reuses the number is another file
            }
            if (n != null) {
                addLink(n, p, name);
            }
        }
        if (n == null) {
            n = new Node(nextId++);
            byId.put(n.id, n);
            addLink(n, p, name);
        }
        if (linked) {
            indexByIno(n, ino);
        }
        n.lookups++;
        return n.id;
    }

    /** LINK: {@code name} in {@code parent} is a new name of node {@code id}; counts a lookup. */
    synchronized long linked(long id, long parent, String name, long ino) throws FsException {
        Node n = node(id);
        Node p = node(parent);
        Node old = byName.get(new Key(parent, name));
        if (old != null) {
            return lookedUp(parent, name, ino, true); // a name the kernel thought free: trust the table
        }
        addLink(n, p, name);
        indexByIno(n, ino);
        n.lookups++;
        return n.id;
    }

    /** Makes {@code n} the node other names with inode number {@code ino} share. */
    private void indexByIno(Node n, long ino) {
        if (n.ino >= 0 && n.ino != ino) {
            byIno.remove(n.ino, n);
        }
        n.ino = ino;
        byIno.put(ino, n);
    }

    /** FORGET: the kernel drops {@code count} lookups of {@code id}. */
    synchronized void forget(long id, long count) {
        Node n = byId.get(id);
        if (n == null || n == root) {
            return;
        }
        n.lookups = Math.max(0, n.lookups - count);
        release(n);
    }

    /** An open handle on {@code id} (OPEN, CREATE). */
    synchronized void opened(long id) throws FsException {
        node(id).opens++;
    }

    /**
     * A handle on {@code id} closed (RELEASE); returns the hidden path to remove now that its
     * last handle is gone, or null.
     */
    synchronized String closed(long id) {
        Node n = byId.get(id);
        if (n == null) {
            return null;
        }
        n.opens = Math.max(0, n.opens - 1);
        String remove = null;
        if (n.opens == 0 && n.hidden && !n.pending && !n.links.isEmpty()) {
            remove = pathOf(n);
            dropLinks(n);
        }
        release(n);
        return remove;
    }

    /**
     * True when unlinking {@code name} in {@code parent} would leave an open file without a
     * path: its node is open and this is its only name.
     */
    synchronized boolean mustHide(long parent, String name) {
        Node n = byName.get(new Key(parent, name));
        return n != null && n.opens > 0 && n.links.size() == 1;
    }

    /**
     * A fresh hidden name for node {@code name} in {@code parent}: libfuse's form, so tools
     * that know {@code .fuse_hidden*} files (and users who saw them before) recognise it.
     */
    synchronized String hiddenName(long parent, String name) {
        Node n = byName.get(new Key(parent, name));
        return hiddenName(n == null ? 0 : n.id);
    }

    /** A fresh hidden name for node {@code id}. */
    synchronized String hiddenName(long id) {
        return String.format("%s%08x%08x", HiddenFiles.PREFIX, id & 0xffffffffL, ++hiddenCounter & 0xffffffffL);
    }

    /** True when {@code name} in {@code parent} is the hidden name of an unlinked open file (not listed). */
    synchronized boolean isHidden(long parent, String name) {
        Node n = byName.get(new Key(parent, name));
        return n != null && n.hidden;
    }

    /** The name went away (UNLINK, RMDIR): once a node has no name, requests for it answer ENOENT. */
    synchronized void removed(long parent, String name) {
        Node n = byName.remove(new Key(parent, name));
        if (n != null) {
            unlink(n, parent, name);
            release(n);
        }
    }

    /** A rename succeeded: the name moves; a node already at the target loses that name. */
    synchronized void renamed(long fromParent, String fromName, long toParent, String toName, boolean exchange)
            throws FsException {
        Node newParent = node(toParent);
        Node oldParent = node(fromParent);
        Node from = byName.remove(new Key(fromParent, fromName));
        Node to = byName.remove(new Key(toParent, toName));
        // new names first: a parent that loses its last child here must not be freed meanwhile
        if (from != null) {
            addLink(from, newParent, toName);
        }
        if (to != null && exchange) {
            addLink(to, oldParent, fromName);
        }
        if (from != null) {
            unlink(from, fromParent, fromName);
        }
        if (to != null) {
            unlink(to, toParent, toName);
            release(to);
        }
    }

    /**
     * The only name of an open node, {@code name} in {@code parent}, now is {@code hidden}.
     * Returns the node's id (0 if the table no longer has it); the node is pending until
     * {@link #settled}, since the request may still give the name back ({@link #returned}).
     */
    synchronized long hid(long parent, String name, String hidden) throws FsException {
        Node n = byName.get(new Key(parent, name));
        if (n == null) {
            return 0;
        }
        renamed(parent, name, parent, hidden, false);
        n.hidden = true;
        n.pending = true;
        hiddenNodes.add(n);
        return n.id;
    }

    /**
     * The hidden files in directory {@code name} of {@code parent}, marked pending for the
     * caller to move them out (a directory whose only entries are such files is empty to its
     * user, as on a local disk) and {@link #settled settle} each.
     */
    synchronized List<Hidden> hiddenIn(long parent, String name) {
        Node dir = byName.get(new Key(parent, name));
        if (dir == null || dir.children == 0 || hiddenNodes.isEmpty()) {
            return List.of();
        }
        List<Hidden> inside = new ArrayList<>();
        for (Node n : hiddenNodes) {
            if (!n.links.isEmpty() && n.links.get(0).parent() == dir) {
                n.pending = true;
                inside.add(new Hidden(n.id, dir.id, n.links.get(0).name()));
            }
        }
        return inside;
    }

    /**
     * A pending move undone: the name {@code toName} in {@code toParent} is again {@code
     * fromName} in {@code fromParent}, hidden or not as it was before the move.
     */
    synchronized void returned(long toParent, String toName, long fromParent, String fromName, boolean hidden)
            throws FsException {
        Node n = byName.get(new Key(toParent, toName));
        if (n == null) {
            return;
        }
        renamed(toParent, toName, fromParent, fromName, false);
        n.hidden = hidden;
        if (!hidden) {
            hiddenNodes.remove(n);
        }
    }

    /**
     * The request that moved node {@code id} is done with it: returns the hidden file's path
     * to remove when its last handle closed meanwhile, or null.
     */
    synchronized String settled(long id) {
        Node n = byId.get(id);
        if (n == null || !n.pending) {
            return null;
        }
        n.pending = false;
        String remove = null;
        if (n.opens == 0 && n.hidden && !n.links.isEmpty()) {
            remove = pathOf(n);
            dropLinks(n);
        }
        release(n);
        return remove;
    }

    synchronized int size() {
        return byId.size();
    }

    private void addLink(Node n, Node parent, String name) {
        n.links.add(new Link(parent, name));
        parent.children++;
        byName.put(new Key(parent.id, name), n);
    }

    /** Removes one name of {@code n} (already gone from byName); its parent may then be freed. */
    private void unlink(Node n, long parent, String name) {
        for (int i = 0; i < n.links.size(); i++) {
            Link l = n.links.get(i);
            if (l.parent().id == parent && l.name().equals(name)) {
                n.links.remove(i);
                l.parent().children--;
                release(l.parent());
                return;
            }
        }
    }

    private void dropLinks(Node n) {
        hiddenNodes.remove(n);
        for (Link l : new ArrayList<>(n.links)) {
            byName.remove(new Key(l.parent().id, l.name()), n);
            unlink(n, l.parent().id, l.name());
        }
    }

    /** Drops a node nothing refers to any more, with its names (then perhaps their parents). */
    private void release(Node n) {
        if (n == root || n.lookups > 0 || n.opens > 0 || n.children > 0 || n.pending) {
            return;
        }
        if (byId.remove(n.id) == null) {
            return;
        }
        if (n.ino >= 0) {
            byIno.remove(n.ino, n);
        }
        dropLinks(n);
    }

    private static String named(String path) throws FsException {
        if (path == null) {
            throw new FsException(Errno.ENOENT);
        }
        return path;
    }

    private Node node(long id) throws FsException {
        Node n = byId.get(id);
        if (n == null) {
            throw new FsException(Errno.ENOENT);
        }
        return n;
    }

    /** The path through each node's first name, or null when a node on the way has none. */
    private String pathOf(Node n) {
        if (n == root) {
            return "/";
        }
        ArrayList<String> names = new ArrayList<>(8);
        for (Node c = n; c != root; ) {
            if (c.links.isEmpty()) {
                return null;
            }
            Link l = c.links.get(0);
            names.add(l.name());
            c = l.parent();
        }
        StringBuilder b = new StringBuilder(64);
        for (int i = names.size() - 1; i >= 0; i--) {
            b.append('/').append(names.get(i));
        }
        return b.toString();
    }
}
