package io.squashroot.overlay;

import io.squashroot.tree.Caller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The operations that add, remove or move names. Every new entry is built in the work
 * directory and renamed into place, replacing a whiteout in the same step where there is one;
 * removing a name that a lower layer also shows leaves a whiteout. The caller holds the
 * overlay's write lock.
 */
final class Namespace {
    private final Resolver resolver;
    private final Upper upper;
    private final CopyUp copyUp;
    private final Inodes inodes;

    Namespace(Resolver resolver, Upper upper, CopyUp copyUp, Inodes inodes) {
        this.resolver = resolver;
        this.upper = upper;
        this.copyUp = copyUp;
        this.inodes = inodes;
    }

    private String checkNew(String path) throws FsException {
        if (Whiteout.isMarkerName(Resolver.name(path))) {
            throw new FsException(Errno.EINVAL, Resolver.name(path) + ": names starting .wh. are overlay markers");
        }
        if (resolver.resolveOrNull(path) != null) {
            throw new FsException(Errno.EEXIST);
        }
        return copyUp.dir(Resolver.parent(path));
    }

    /** Creates a directory, fifo, socket or device node with the caller as owner. */
    String create(String path, int mode, long rdev, Caller caller) throws FsException {
        make(path, mode, rdev, caller, false);
        return upper.path(path);
    }

    /**
     * Creates a regular file with the caller as owner and returns it open for reading and
     * writing: one open(O_CREAT|O_EXCL) with the requested mode, where creating it empty and
     * opening it again cost a second open and a chmod per file (an untar's every file).
     */
    FileChannel createFile(String path, int mode, Caller caller) throws FsException {
        return make(path, FileAttr.S_IFREG | (mode & 07777), 0, caller, true);
    }

    private FileChannel make(String path, int mode, long rdev, Caller caller, boolean open) throws FsException {
        // Known from the lookup that (nearly always) came just before: nothing in the upper
        // layer at this name, no whiteout either, so no stat is needed to tell.
        boolean clean = resolver.absentFromUpper(path);
        String parentHp = checkNew(path);
        int type = mode & FileAttr.S_IFMT;
        if (type == 0) {
            type = FileAttr.S_IFREG;
        }
        String hp = upper.path(path);
        // Over a whiteout the entry is built aside and swapped in; otherwise made in place
        // (a crash then leaves at worst a new, empty entry, as on any file system).
        boolean direct = clean || HostFs.lstatOrNull(hp) == null && !upper.hasWhiteoutFile(hp);
        String tmp = direct ? hp : upper.tempPath();
        FileChannel ch = null;
        try {
            RecordedStat parent = upper.effective(parentHp);
            int perm = mode & 07777;
            long gid = caller.gid();
            if ((parent.mode() & 02000) != 0) { // setgid directory: BSD group semantics
                gid = parent.gid();
                perm |= type == FileAttr.S_IFDIR ? 02000 : 0;
            }
            boolean placeholder = false;
            switch (type) {
                case FileAttr.S_IFDIR -> Files.createDirectory(Path.of(tmp));
                case FileAttr.S_IFREG -> {
                    if (open) {
                        ch = Upper.createFile(tmp, upper.hostPerm(perm, false));
                    } else {
                        Upper.createEmptyFile(tmp);
                    }
                }
                case FileAttr.S_IFIFO, FileAttr.S_IFSOCK ->
                        placeholder = copyUp.makeSpecial(tmp, type, caller.uid(), caller.gid());
                case FileAttr.S_IFCHR, FileAttr.S_IFBLK -> placeholder = copyUp.makeDevice(tmp, type, rdev);
                default -> throw new FsException(Errno.EINVAL, "mknod " + path + ": file type " + type);
            }
            upper.setNewStat(tmp, caller.uid(), gid, type | perm, rdev, placeholder);
            if (!direct) {
                place(tmp, hp, type == FileAttr.S_IFDIR);
            }
        } catch (IOException e) {
            closeQuietly(ch);
            discard(tmp);
            throw HostFs.fromIo(e, "create " + path);
        } catch (FsException | RuntimeException e) {
            closeQuietly(ch);
            discard(tmp);
            throw e;
        }
        if (type == FileAttr.S_IFREG || type == FileAttr.S_IFDIR) {
            // What a lookup would find now: the new entry in the upper layer alone (a new
            // directory hides anything below: no lower layer showed the name, or a whiteout
            // hid it and place() made the directory opaque).
            resolver.created(path, type == FileAttr.S_IFDIR);
        } else {
            resolver.invalidate(path);
        }
        return ch;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the file is deleted next
            }
        }
    }

    void symlink(String target, String path, Caller caller) throws FsException {
        checkNew(path);
        String tmp = upper.tempPath();
        try {
            Files.createSymbolicLink(Path.of(tmp), Path.of(target));
            upper.setStat(tmp, caller.uid(), caller.gid(), FileAttr.S_IFLNK | 0777, 0, false);
            place(tmp, upper.path(path), false);
        } catch (IOException e) {
            discard(tmp);
            throw HostFs.fromIo(e, "symlink " + path);
        } catch (FsException e) {
            discard(tmp);
            throw e;
        }
        resolver.invalidate(path);
    }

    void link(String existing, String path) throws FsException {
        upper.forgetXattrNames(); // a copy-up or a sidecar copy may change xattrs
        Node src = resolver.resolve(existing);
        if (src.isDirectory()) {
            throw new FsException(Errno.EPERM);
        }
        checkNew(path);
        String srcHp = copyUp.entry(src, true);
        String tmp = upper.tempPath();
        try {
            Files.createLink(Path.of(tmp), Path.of(srcHp));
            upper.linked(srcHp, tmp);
            place(tmp, upper.path(path), false);
        } catch (IOException e) {
            discard(tmp);
            throw HostFs.fromIo(e, "link " + path);
        } catch (FsException e) {
            discard(tmp);
            throw e;
        }
        resolver.invalidate(path);
    }

    /** Renames a finished entry from the work directory to {@code hp}, over a whiteout if any. */
    private void place(String tmp, String hp, boolean dir) throws FsException {
        upper.forgetXattrNames(); // the whiteout it replaces is freed
        HostStat st = HostFs.lstatOrNull(hp);
        boolean device = st != null && upper.isWhiteoutDevice(hp, st);
        if (st != null && !device) {
            throw new FsException(Errno.EEXIST);
        }
        boolean file = upper.hasWhiteoutFile(hp);
        if (dir && (device || file)) {
            upper.setOpaque(tmp); // the whiteout hid a lower entry: its contents must stay hidden
        }
        if (device && dir) {
            upper.rename(tmp, hp, Libc.RENAME_EXCHANGE); // a directory cannot replace a device
            Upper.deleteIfExists(tmp);
        } else {
            upper.rename(tmp, hp, device ? 0 : Libc.RENAME_NOREPLACE);
        }
        if (file) {
            Upper.deleteIfExists(Upper.parentOf(hp) + "/" + Whiteout.PREFIX + Upper.nameOf(hp));
        }
    }

    void unlink(String path) throws FsException {
        upper.forgetXattrNames(); // see Upper.forgetXattrNames: inodes are freed here
        Node n = resolver.resolve(path);
        if (n.isDirectory()) {
            throw new FsException(Errno.EISDIR);
        }
        boolean reveal = resolver.lowerVisible(path);
        String hp = upper.path(path);
        if (n.inUpper()) {
            HostStat st = HostFs.lstat(hp);
            if (reveal) {
                upper.makeWhiteout(hp);
            } else {
                upper.delete(hp);
            }
            if (st.nlink() <= 1) {
                inodes.forget(st.ino());
            }
        } else {
            copyUp.dir(Resolver.parent(path));
            upper.makeWhiteout(hp);
        }
        resolver.invalidate(path);
    }

    void rmdir(String path) throws FsException {
        upper.forgetXattrNames();
        Node n = resolver.resolve(path);
        if (!n.isDirectory()) {
            throw new FsException(Errno.ENOTDIR);
        }
        if (path.equals("/")) {
            throw new FsException(Errno.EBUSY);
        }
        if (!isEmpty(n)) {
            throw new FsException(Errno.ENOTEMPTY);
        }
        boolean reveal = resolver.lowerVisible(path);
        String hp = upper.path(path);
        if (n.inUpper()) {
            String tmp = upper.tempPath();
            if (reveal) {
                upper.makeWhiteout(tmp);
                upper.rename(tmp, hp, Libc.RENAME_EXCHANGE); // one step: the dir becomes a whiteout
            } else {
                upper.rename(hp, tmp, 0);
            }
            deleteTree(tmp);
        } else {
            copyUp.dir(Resolver.parent(path));
            upper.makeWhiteout(hp);
        }
        resolver.invalidateTree(path);
    }

    private boolean isEmpty(Node dir) throws FsException {
        boolean[] any = {false};
        resolver.list(dir, n -> any[0] = true);
        return !any[0];
    }

    /**
     * rename(2). A directory that has lower parts is first copied up whole (and made opaque):
     * the overlay keeps no redirect markers, so the upper layer stays plain files.
     */
    void rename(String from, String to, int flags) throws FsException {
        upper.forgetXattrNames();
        if ((flags & Libc.RENAME_EXCHANGE) != 0) {
            exchange(from, to, flags);
            return;
        }
        Node src = resolver.resolve(from);
        if (from.equals(to)) {
            return;
        }
        if (to.startsWith(from + "/")) {
            throw new FsException(Errno.EINVAL);
        }
        if (Whiteout.isMarkerName(Resolver.name(to))) {
            throw new FsException(Errno.EINVAL);
        }
        if (!resolver.resolve(Resolver.parent(to)).isDirectory()) {
            throw new FsException(Errno.ENOTDIR);
        }
        Node dst = resolver.resolveOrNull(to);
        if (dst != null) {
            if ((flags & Libc.RENAME_NOREPLACE) != 0) {
                throw new FsException(Errno.EEXIST);
            }
            if (src.isDirectory() && !dst.isDirectory()) {
                throw new FsException(Errno.ENOTDIR);
            }
            if (!src.isDirectory() && dst.isDirectory()) {
                throw new FsException(Errno.EISDIR);
            }
            if (dst.isDirectory() && !isEmpty(dst)) {
                throw new FsException(Errno.ENOTEMPTY);
            }
        }
        boolean revealFrom = resolver.lowerVisible(from);
        if (src.isDirectory() && src.hasLowerDirs()) {
            copyUp.tree(from);
        } else {
            copyUp.entry(src, true);
        }
        String fromHp = upper.path(from);
        copyUp.dir(Resolver.parent(to));
        String toHp = upper.path(to);
        if (src.isDirectory() && resolver.lowerVisible(to) && !upper.isOpaque(fromHp)) {
            upper.setOpaque(fromHp);
        }
        HostStat target = HostFs.lstatOrNull(toHp);
        if (target != null && target.isDirectory()) {
            clearMarkers(toHp); // empty in the merged view: only whiteouts are left in it
            upper.deletedTree(toHp);
        }
        upper.rename(fromHp, toHp, 0);
        if (upper.hasWhiteoutFile(toHp)) {
            Upper.deleteIfExists(Upper.parentOf(toHp) + "/" + Whiteout.PREFIX + Upper.nameOf(toHp));
        }
        if (revealFrom) {
            upper.makeWhiteout(fromHp);
        }
        resolver.invalidateTree(from);
        resolver.invalidateTree(to);
    }

    /**
     * renameat2(RENAME_EXCHANGE): both names must exist; each side is copied up whole (a
     * directory with lower parts as for a rename, opaque), a directory that lands where the
     * lower layers have an entry is made opaque so they cannot show through it, and the host
     * swaps the two upper entries in one step. Both names still exist afterwards, so no
     * whiteout is needed.
     */
    private void exchange(String from, String to, int flags) throws FsException {
        if ((flags & Libc.RENAME_NOREPLACE) != 0) {
            throw new FsException(Errno.EINVAL);
        }
        Node a = resolver.resolve(from);
        Node b = resolver.resolve(to);
        if (from.equals(to)) {
            return;
        }
        if (to.startsWith(from + "/") || from.startsWith(to + "/")) {
            throw new FsException(Errno.EINVAL);
        }
        String aHp = copyUpWhole(a, from);
        String bHp = copyUpWhole(b, to);
        if (a.isDirectory() && resolver.lowerVisible(to) && !upper.isOpaque(aHp)) {
            upper.setOpaque(aHp);
        }
        if (b.isDirectory() && resolver.lowerVisible(from) && !upper.isOpaque(bHp)) {
            upper.setOpaque(bHp);
        }
        upper.rename(aHp, bHp, Libc.RENAME_EXCHANGE);
        resolver.invalidateTree(from);
        resolver.invalidateTree(to);
    }

    private String copyUpWhole(Node n, String path) throws FsException {
        if (n.isDirectory() && n.hasLowerDirs()) {
            copyUp.tree(path);
            return upper.path(path);
        }
        return copyUp.entry(n, true);
    }

    private static void clearMarkers(String hostDir) throws FsException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(hostDir))) {
            for (Path p : ds) {
                deleteTree(p.toString());
            }
        } catch (IOException e) {
            throw HostFs.fromIo(e, "clear " + hostDir);
        }
    }

    private static void deleteTree(String hp) throws FsException {
        try {
            Path p = Path.of(hp);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Upper.deleteTree(p);
            } else {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw HostFs.fromIo(e, "delete " + hp);
        }
    }

    private static void discard(String tmp) {
        try {
            deleteTree(tmp);
        } catch (FsException ignored) {
            // the work directory is emptied at the next mount
        }
    }
}
