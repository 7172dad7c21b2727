package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import java.nio.ByteBuffer;

/**
 * The requests of {@link KernelSession} that create, remove or move names: each calls the
 * tree, then tells the {@link NodeTable} what the name now is, and answers with the new
 * node's entry where the protocol wants one.
 */
final class KernelWrites {

    private static final int RENAME_EXCHANGE = 2;
    private static final int HIDE_TRIES = 10;

    private KernelWrites() {
    }

    /** Handles one of the opcodes {@code KernelSession.isWrite} accepts; returns the payload length. */
    static int handle(KernelSession s, int opcode, long parent, ByteBuffer in, int n, ByteBuffer out)
            throws FsException {
        FsTree tree = s.tree();
        NodeTable nodes = s.nodes();
        int b = Wire.IN_HEADER;
        switch (opcode) {
            case Wire.CREATE -> {
                String name = Wire.name(in, b + 16, n);
                String path = nodes.path(parent, name);
                long fh = tree.create(path, in.getInt(b + 4), s.openFlags(in.getInt(b)), Wire.caller(in));
                FileAttr a;
                try {
                    a = tree.getattr(path);
                } catch (FsException e) {
                    tree.release(path, fh);
                    throw e;
                }
                long id = s.lookedUp(parent, name, a);
                nodes.opened(id);
                if ((in.getInt(b + 12) & Wire.OPEN_KILL_SUIDGID) != 0 && s.setIds().clear(path, Wire.caller(in)) == null) {
                    a = tree.getattr(path); // the entry carries the attributes: no notification needed
                }
                int len = s.entryOf(id, a, out);
                return len + s.openOut(fh, out, Wire.OUT_HEADER + len);
            }
            case Wire.MKNOD -> {
                String name = Wire.name(in, b + 16, n);
                String path = nodes.path(parent, name);
                tree.mknod(path, in.getInt(b), in.getInt(b + 4) & 0xffffffffL, Wire.caller(in));
                return s.entry(parent, name, tree.getattr(path), out);
            }
            case Wire.MKDIR -> {
                String name = Wire.name(in, b + 8, n);
                String path = nodes.path(parent, name);
                tree.mkdir(path, in.getInt(b), Wire.caller(in));
                return s.entry(parent, name, tree.getattr(path), out);
            }
            case Wire.SYMLINK -> {
                int end = Wire.terminator(in, b, n);
                String name = Wire.string(in, b, end);
                int targetEnd = Wire.terminator(in, end + 1, n);
                byte[] target = new byte[targetEnd - end - 1];
                in.get(end + 1, target);
                String path = nodes.path(parent, name);
                tree.symlink(io.squashroot.tree.NameBytes.decode(target), path, Wire.caller(in));
                return s.entry(parent, name, tree.getattr(path), out);
            }
            case Wire.LINK -> {
                String name = Wire.name(in, b + 8, n);
                String path = nodes.path(parent, name);
                long source = in.getLong(b);
                tree.link(nodes.path(source), path);
                FileAttr a = tree.getattr(path);
                // the new name answers with the source's node: the kernel then sees one inode
                return s.entryOf(nodes.linked(source, parent, name, a.ino()), a, out);
            }
            case Wire.UNLINK -> {
                String name = Wire.name(in, b, n);
                String path = nodes.path(parent, name);
                if (!nodes.mustHide(parent, name) || !hide(tree, nodes, parent, name)) {
                    tree.unlink(path);
                    nodes.removed(parent, name);
                }
                return 0;
            }
            case Wire.RMDIR -> {
                String name = Wire.name(in, b, n);
                tree.rmdir(nodes.path(parent, name));
                nodes.removed(parent, name);
                return 0;
            }
            case Wire.RENAME, Wire.RENAME2 -> {
                long newParent = in.getLong(b);
                int flags = opcode == Wire.RENAME2 ? in.getInt(b + 8) : 0;
                int from = opcode == Wire.RENAME2 ? b + 16 : b + 8;
                int fromEnd = Wire.terminator(in, from, n);
                String oldName = Wire.string(in, from, fromEnd);
                String newName = Wire.name(in, fromEnd + 1, n);
                String oldPath = nodes.path(parent, oldName);
                String newPath = nodes.path(newParent, newName);
                boolean exchange = (flags & RENAME_EXCHANGE) != 0;
                if (!exchange && nodes.mustHide(newParent, newName)) {
                    // the replaced file stays usable through its open handles, as on a local disk
                    hide(tree, nodes, newParent, newName);
                }
                tree.rename(oldPath, newPath, flags);
                nodes.renamed(parent, oldName, newParent, newName, exchange);
                return 0;
            }
            default -> throw new FsException(Errno.ENOSYS);
        }
    }

    /**
     * Moves an open file's name aside (libfuse's .fuse_hidden scheme), so the open file keeps a
     * path; removed at its last close, left out of listings meanwhile. Returns false when the
     * rename cannot be done (a full or over-quota upper layer refuses even a rename): the caller
     * then unlinks for real, and the open file's path-based requests (fstat) answer ENOENT.
     */
    private static boolean hide(FsTree tree, NodeTable nodes, long parent, String name) throws FsException {
        String path = nodes.path(parent, name);
        for (int i = 0; i < HIDE_TRIES; i++) {
            String hidden = nodes.hiddenName(parent, name);
            String hiddenPath = nodes.path(parent, hidden);
            try {
                tree.getattr(hiddenPath);
                continue; // a leftover of an earlier mount holds this name
            } catch (FsException e) {
                if (e.errno() != Errno.ENOENT) {
                    return false;
                }
            }
            try {
                tree.rename(path, hiddenPath, 0);
            } catch (FsException e) {
                return false;
            }
            nodes.hid(parent, name, hidden);
            return true;
        }
        return false;
    }
}
