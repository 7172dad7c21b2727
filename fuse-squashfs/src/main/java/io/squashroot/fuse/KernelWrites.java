package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The requests of {@link KernelSession} that create, remove or move names: each calls the
 * tree, then tells the {@link NodeTable} what the name now is, and answers with the new
 * node's entry where the protocol wants one. Open files that lose their name on the way are
 * {@link HiddenFiles}' part.
 */
final class KernelWrites {

    private static final int RENAME_NOREPLACE = 1;
    private static final int RENAME_EXCHANGE = 2;

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
                AclInheritance acl = s.newEntry(parent, in.getInt(b + 4), in.getInt(b + 8), false);
                long fh = tree.create(path, acl.mode(), s.openFlags(in.getInt(b)), Wire.caller(in));
                FileAttr a;
                try {
                    acl.apply(tree, path);
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
                AclInheritance acl = s.newEntry(parent, in.getInt(b), in.getInt(b + 8), false);
                tree.mknod(path, acl.mode(), in.getInt(b + 4) & 0xffffffffL, Wire.caller(in));
                acl.apply(tree, path);
                return s.entry(parent, name, tree.getattr(path), out);
            }
            case Wire.MKDIR -> {
                String name = Wire.name(in, b + 8, n);
                String path = nodes.path(parent, name);
                AclInheritance acl = s.newEntry(parent, in.getInt(b), in.getInt(b + 4), true);
                tree.mkdir(path, acl.mode(), Wire.caller(in));
                acl.apply(tree, path);
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
                if (!s.hiddenFiles().unlink(parent, name)) {
                    tree.unlink(path);
                    nodes.removed(parent, name);
                }
                return 0;
            }
            case Wire.RMDIR -> {
                String name = Wire.name(in, b, n);
                String path = nodes.path(parent, name);
                HiddenFiles hidden = s.hiddenFiles();
                List<HiddenFiles.Move> aside = hidden.clear(parent, name, false);
                try {
                    tree.rmdir(path);
                } catch (FsException | RuntimeException e) {
                    hidden.undo(aside);
                    throw e;
                }
                nodes.removed(parent, name);
                hidden.done(aside);
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
                HiddenFiles hidden = s.hiddenFiles();
                // a replaced open file stays usable through its handles, as on a local disk; a
                // replaced directory holding only hidden files is empty to the user
                List<HiddenFiles.Move> aside = (flags & (RENAME_EXCHANGE | RENAME_NOREPLACE)) != 0
                        ? List.of() : hidden.clear(newParent, newName, true);
                try {
                    tree.rename(oldPath, newPath, flags);
                } catch (FsException | RuntimeException e) {
                    hidden.undo(aside);
                    throw e;
                }
                nodes.renamed(parent, oldName, newParent, newName, exchange);
                hidden.done(aside);
                return 0;
            }
            default -> throw new FsException(Errno.ENOSYS);
        }
    }
}
