package io.squashroot.squashfs.write;

import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import io.squashroot.tree.NameBytes;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Layer trees merged into one, lowest first, with OCI/overlayfs semantics applied: an upper
 * entry replaces a lower one of the same name; a whiteout (char device 0:0, or a {@code .wh.NAME}
 * entry) removes it; an opaque directory ({@code trusted.overlay.opaque=y}, or a
 * {@code .wh..wh..opq} entry) hides everything below it. The merge runs on metadata first; data
 * is then read once, from the layer that supplies each file, so hidden files cost nothing.
 */
final class FlattenSource {
    private final List<? extends FsTree> layers;

    /** One name in the merged view: which layer supplies it, at which path. */
    private static final class Node {
        int layer;
        String path;
        FileAttr attr;
        final TreeMap<byte[], Node> children = new TreeMap<>(Arrays::compareUnsigned);
    }

    FlattenSource(List<? extends FsTree> layers) {
        this.layers = layers;
    }

    void populate(ImageBuilder image) throws IOException {
        Node root = new Node();
        for (int i = 0; i < layers.size(); i++) {
            root.layer = i;
            root.path = "/";
            root.attr = TreeSource.getattr(layers.get(i), "/");
            merge(i, "/", root);
        }
        TreeSource.fill(image.root, layers.get(root.layer), "/", root.attr, image);
        stripMarkers(image.root);
        Map<String, Inode> links = new HashMap<>();
        emit(image, image.root, root, links);
    }

    private void merge(int li, String path, Node dir) throws IOException {
        FsTree tree = layers.get(li);
        List<String> names = TreeSource.list(tree, path);
        if (names.contains(Whiteouts.OPAQUE) || opaque(tree, path)) {
            dir.children.clear();
        }
        for (String name : names) {
            if (name.equals(Whiteouts.OPAQUE)) {
                continue;
            }
            if (name.startsWith(Whiteouts.PREFIX)) {
                dir.children.remove(NameBytes.encode(name.substring(Whiteouts.PREFIX.length())));
                continue;
            }
            String child = TreeSource.join(path, name);
            FileAttr a = TreeSource.getattr(tree, child);
            byte[] key = NameBytes.encode(name);
            if ((a.mode() & FileAttr.S_IFMT) == FileAttr.S_IFCHR && a.rdev() == 0) {
                dir.children.remove(key);
                continue;
            }
            Node n = dir.children.get(key);
            if (n == null || !(a.isDirectory() && n.attr.isDirectory())) {
                n = new Node();
                dir.children.put(key, n);
            }
            n.layer = li;
            n.path = child;
            n.attr = a;
            if (a.isDirectory()) {
                merge(li, child, n);
            }
        }
    }

    /** trusted.overlay.opaque=y, or user.overlay.opaque=y (what unprivileged overlayfs writes). */
    private static boolean opaque(FsTree tree, String path) {
        for (String name : new String[] {Whiteouts.OPAQUE_XATTR, "user.overlay.opaque"}) {
            try {
                byte[] v = tree.getxattr(path, name);
                if (v != null && v.length == 1 && v[0] == 'y') {
                    return true;
                }
            } catch (FsException e) {
                // absent: not opaque by this name
            }
        }
        return false;
    }

    private void emit(ImageBuilder image, Inode dir, Node from, Map<String, Inode> links) throws IOException {
        for (Map.Entry<byte[], Node> e : from.children.entrySet()) {
            Node n = e.getValue();
            FsTree tree = layers.get(n.layer);
            String linkKey = n.layer + ":" + n.attr.ino();
            Inode inode = n.attr.isDirectory() || n.attr.nlink() < 2 ? null : links.get(linkKey);
            if (inode == null) {
                inode = TreeSource.create(tree, n.path, n.attr, image);
                stripMarkers(inode);
                if (!n.attr.isDirectory() && n.attr.nlink() > 1) {
                    links.put(linkKey, inode);
                }
            }
            dir.children.put(e.getKey(), inode);
            if (inode.isDirectory()) {
                emit(image, inode, n, links);
            }
        }
    }

    /** The opaque marker did its work during the merge; the flat image must not carry it. */
    private static void stripMarkers(Inode n) {
        if (n.xattrs != null) {
            n.xattrs.remove(Whiteouts.OPAQUE_XATTR);
            n.xattrs.remove("user.overlay.opaque");
            if (n.xattrs.isEmpty()) {
                n.xattrs = null;
            }
        }
    }
}
