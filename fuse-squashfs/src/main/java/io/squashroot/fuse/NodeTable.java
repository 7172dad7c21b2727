package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel speaks node ids, our trees speak paths: this table gives every name the kernel
 * has looked up a node id, keeps how many lookups the kernel holds on it (FORGET gives them
 * back), and rebuilds a node's path from its parent chain.
 *
 * <p>Keyed by (parent, name) as libfuse's high-level API is, so a hard link's two names are
 * two nodes. A node lives while the kernel holds lookups on it, a handle is open on it or a
 * child still refers to it. A name unlinked while its file is open is renamed to a hidden
 * name first ({@link #hiddenName}), so the open file keeps a path our trees can resolve; the
 * hidden file is removed at its last release. One lock guards the whole table: each call is a
 * few map operations, far below the cost of the request around it.
 */
final class NodeTable {

    static final long ROOT_ID = 1;

    /** One name the kernel knows. Fields are guarded by the table's lock. */
    static final class Node {
        final long id;
        Node parent;
        /** Null once the name is gone (unlinked, or replaced by a rename). */
        String name;
        long lookups;
        int children;
        int opens;
        boolean hidden;

        Node(long id, Node parent, String name) {
            this.id = id;
            this.parent = parent;
            this.name = name;
        }
    }

    private record Key(long parent, String name) {
    }

    private final Map<Long, Node> byId = new HashMap<>();
    private final Map<Key, Node> byName = new HashMap<>();
    private final Node root;
    private long nextId = ROOT_ID + 1;
    private long hiddenCounter;

    NodeTable() {
        root = new Node(ROOT_ID, null, "");
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

    /** Records one more kernel lookup of {@code name} in {@code parent}; returns its node id. */
    synchronized long lookedUp(long parent, String name) throws FsException {
        Node p = node(parent);
        Key k = new Key(parent, name);
        Node n = byName.get(k);
        if (n == null) {
            n = new Node(nextId++, p, name);
            p.children++;
            byId.put(n.id, n);
            byName.put(k, n);
        }
        n.lookups++;
        return n.id;
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
        if (n.opens == 0 && n.hidden && n.name != null) {
            remove = pathOf(n);
            detach(n);
        }
        release(n);
        return remove;
    }

    /** True when a node named {@code name} in {@code parent} has open handles (unlink must hide it). */
    synchronized boolean isOpen(long parent, String name) {
        Node n = byName.get(new Key(parent, name));
        return n != null && n.opens > 0;
    }

    /**
     * A fresh hidden name in {@code parent} for node {@code name}: libfuse's form, so tools that
     * know {@code .fuse_hidden*} files (and users who saw them before) recognise it.
     */
    synchronized String hiddenName(long parent, String name) {
        Node n = byName.get(new Key(parent, name));
        long id = n == null ? 0 : n.id;
        return String.format("%s%08x%08x", ".fuse_hidden", id & 0xffffffffL, ++hiddenCounter & 0xffffffffL);
    }

    /** The name went away (UNLINK, RMDIR): later requests on its node answer ENOENT. */
    synchronized void removed(long parent, String name) {
        Node n = byName.get(new Key(parent, name));
        if (n != null) {
            detach(n);
            release(n);
        }
    }

    /** A rename succeeded: the node moves; one already at the target loses its name. */
    synchronized void renamed(long fromParent, String fromName, long toParent, String toName, boolean exchange)
            throws FsException {
        Node from = byName.remove(new Key(fromParent, fromName));
        Node to = byName.remove(new Key(toParent, toName));
        Node newParent = node(toParent);
        Node oldParent = node(fromParent);
        if (to != null) {
            if (exchange) {
                move(to, oldParent, fromName);
            } else {
                to.name = null;
                release(to);
            }
        }
        if (from != null) {
            move(from, newParent, toName);
        }
    }

    /** The node named {@code name} in {@code parent} now lives under {@code hidden}, marked for removal at close. */
    synchronized void hid(long parent, String name, String hidden) {
        Node n = byName.remove(new Key(parent, name));
        if (n != null) {
            n.name = hidden;
            n.hidden = true;
            byName.put(new Key(parent, hidden), n);
        }
    }

    synchronized int size() {
        return byId.size();
    }

    private void move(Node n, Node newParent, String newName) {
        if (n.parent != newParent) {
            n.parent.children--;
            Node old = n.parent;
            n.parent = newParent;
            newParent.children++;
            release(old);
        }
        n.name = newName;
        byName.put(new Key(newParent.id, newName), n);
    }

    private void detach(Node n) {
        if (n.name != null) {
            byName.remove(new Key(n.parent.id, n.name), n);
            n.name = null;
        }
    }

    /** Drops a node nothing refers to any more, then perhaps its parent. */
    private void release(Node n) {
        while (n != null && n != root && n.lookups == 0 && n.opens == 0 && n.children == 0) {
            if (byId.remove(n.id) == null) {
                return;
            }
            detach(n);
            Node p = n.parent;
            p.children--;
            n = p;
        }
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

    private String pathOf(Node n) {
        if (n == root) {
            return "/";
        }
        StringBuilder b = new StringBuilder(64);
        for (Node c = n; c != root; c = c.parent) {
            if (c.name == null) {
                return null;
            }
            b.insert(0, c.name).insert(0, '/');
        }
        return b.toString();
    }
}
