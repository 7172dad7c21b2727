package io.squashroot.overlay;

import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upper directory on the host: where writes land and where the markers live. Knows how to
 * make whiteouts and opaque directories, and how to give a file the owner, mode and device
 * number the container asked for, really when the host allows it, as a {@link RecordedStat}
 * when it does not (an unprivileged user cannot chown or mknod a device).
 */
final class Upper {
    private final String root;
    private final String work;
    final boolean privileged;
    private final long hostUid;
    private final long hostGid;
    /** The container's id map: the overlay works in container ids (see {@link IdMap}). */
    private final IdMap ids;
    /** The container ids of {@link #hostUid} and {@link #hostGid}: who owns unrecorded entries. */
    private final long ownUid;
    private final long ownGid;
    private final AtomicLong tempSeq = new AtomicLong();
    /** Where user.* xattrs go when the host file system stores none; null when it does. */
    private final Sidecar sidecar;
    /** Where an access ACL the host will not store is kept (docs/overlay-format.md). */
    private static final String ESCAPED_ACCESS = RecordedStat.XATTR_ESCAPE + AclIds.ACCESS;
    /** Host xattr names per inode, so a getattr need not ask for a record that is not there. */
    private final XattrNames xattrNames = new XattrNames();
    /** This upper directory's descriptor for the hottest host calls; null when it could not be opened. */
    private final Anchors.Anchor anchor;

    /**
     * @param privileged whether to chown and mknod for real (else record: tests force false)
     * @param forceSidecar keep user.* xattrs in sidecar files even where the host could store
     *                     them (tests); without it sidecars are used only where it cannot
     * @param ids the container's id map: every id this class takes and returns is a container
     *            id, host owners are translated (identity: none)
     */
    Upper(Path dir, boolean privileged, boolean forceSidecar, IdMap ids) throws IOException {
        Path real = dir.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException(dir + ": upper is not a directory");
        }
        String s = real.toString();
        this.root = s.equals("/") ? "" : s;
        this.work = root + "/" + Whiteout.WORK_DIR;
        this.hostUid = HostFs.geteuid();
        this.hostGid = HostFs.getegid();
        this.ids = ids;
        this.ownUid = ids.uidToContainer(hostUid);
        this.ownGid = ids.gidToContainer(hostGid);
        this.privileged = privileged;
        Path w = Path.of(work);
        if (Files.exists(w, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(w); // leftovers of an interrupted copy-up: never part of the view
        }
        Files.createDirectory(w);
        this.sidecar = forceSidecar || Sidecar.needed(work) ? new Sidecar(work, this::tempPath) : null;
        this.anchor = Anchors.add(root);
    }

    /** Drops what {@link Anchors} keeps open for this upper (after the last request). */
    void close() {
        Anchors.remove(anchor);
    }

    /** Whether user.* xattrs of this upper live in sidecar files (docs/overlay-format.md). */
    boolean usesSidecar() {
        return sidecar != null;
    }

    // user.* xattrs: on the host entry, or in the sidecar where the host keeps none

    private byte[] userGet(String hp, String name) throws FsException {
        return sidecar == null ? HostFs.getxattr(hp, name) : sidecar.get(hp, name);
    }

    private void userSet(String hp, String name, byte[] value, int flags) throws FsException {
        if (sidecar == null) {
            hostSetxattr(hp, name, value, flags);
        } else {
            sidecar.set(hp, name, value, flags);
        }
    }

    private boolean userRemove(String hp, String name) throws FsException {
        return sidecar == null ? hostRemovexattr(hp, name) : sidecar.remove(hp, name);
    }

    // Every xattr the overlay sets or removes on the host goes through these two.

    private void hostSetxattr(String hp, String name, byte[] value, int flags) throws FsException {
        try {
            HostFs.setxattr(hp, name, value, flags);
        } finally {
            xattrNames.forget();
        }
    }

    private boolean hostRemovexattr(String hp, String name) throws FsException {
        try {
            return HostFs.removexattr(hp, name);
        } finally {
            xattrNames.forget();
        }
    }

    /**
     * Forgets the remembered xattr names: an upper inode may have been freed (its number can
     * come back on a new entry). The overlay calls it, under its write lock, before every
     * operation that removes or replaces an upper entry.
     */
    void forgetXattrNames() {
        xattrNames.forget();
    }

    /**
     * rename(2) within the upper ({@code flags}: RENAME_NOREPLACE, RENAME_EXCHANGE); a
     * sidecar's xattrs follow the renamed name.
     */
    void rename(String from, String to, int flags) throws FsException {
        if (sidecar == null) {
            HostFs.rename(from, to, flags);
        } else {
            sidecar.rename(from, to, (flags & Libc.RENAME_EXCHANGE) != 0, () -> HostFs.rename(from, to, flags));
        }
    }

    /** Deletes a non-directory upper entry (and its sidecar xattrs), if it is there. */
    void delete(String hp) throws FsException {
        deleteIfExists(hp);
        if (sidecar != null) {
            sidecar.forget(hp);
        }
    }

    /** A new hard link {@code to} of {@code from}: sidecar xattrs are per name, so copy them. */
    void linked(String from, String to) throws FsException {
        if (sidecar != null) {
            sidecar.copy(from, to);
        }
    }

    /** Forgets what is cached about a directory tree deleted behind the sidecar's back. */
    void deletedTree(String hostDir) {
        if (sidecar != null) {
            sidecar.forgetTree(hostDir);
        }
    }

    String path(String p) {
        return root + p;
    }

    /** A fresh name in the work directory, on the same file system as every upper entry. */
    String tempPath() {
        // Whatever is built under this name may be discarded (its inode freed) on failure.
        xattrNames.forget();
        return work + "/" + tempSeq.incrementAndGet();
    }

    static String parentOf(String hostPath) {
        return hostPath.substring(0, hostPath.lastIndexOf('/'));
    }

    static String nameOf(String hostPath) {
        return hostPath.substring(hostPath.lastIndexOf('/') + 1);
    }

    RecordedStat recorded(String hp, HostStat st) throws FsException {
        if (!canRecord(st.type())) {
            return null; // user.* xattrs are allowed on regular files and directories only
        }
        byte[] raw;
        if (sidecar == null) {
            // Nearly always absent (always, for an overlay run by root): the inode's remembered
            // xattr names say so without a getxattr.
            raw = xattrNames.of(hp, st).contains(RecordedStat.XATTR) ? HostFs.getxattr(hp, RecordedStat.XATTR) : null;
        } else {
            raw = sidecar.get(hp, st.isDirectory(), RecordedStat.XATTR);
        }
        return RecordedStat.decode(raw);
    }

    static boolean canRecord(int type) {
        return type == FileAttr.S_IFREG || type == FileAttr.S_IFDIR;
    }

    /**
     * Whether an entry owned by {@code uid:gid} must be a recorded placeholder rather than a real
     * special file: the host cannot give it that owner, and cannot record one on it either.
     */
    boolean needsPlaceholder(long uid, long gid) {
        return !privileged && (uid != ownUid || gid != ownGid);
    }

    /** The attributes the overlay reports for an upper entry. */
    FileAttr attr(String hp, HostStat st, long ino) throws FsException {
        RecordedStat r = recorded(hp, st);
        if (r == null) {
            if (ids.isIdentity()) {
                return st.toAttr(ino);
            }
            r = hostOwned(st);
        }
        return new FileAttr(ino, r.mode(), st.nlink(), r.uid(), r.gid(), r.rdev(), st.size(), st.blocks(),
                st.atimeSec(), st.atimeNsec(), st.mtimeSec(), st.mtimeNsec(), st.ctimeSec(), st.ctimeNsec());
    }

    /** Whether the host entry (already lstat'ed) is a whiteout, in either spelling's device form. */
    boolean isWhiteoutDevice(String hp, HostStat st) throws FsException {
        return st.isWhiteoutDevice() && recorded(hp, st) == null;
    }

    /**
     * Gives a new entry (nothing recorded on it yet) the requested owner, mode (type bits
     * included) and device number: for real where the host lets us, recorded where it does
     * not. {@code placeholder} says the host entry is a regular file standing in for a device
     * or special file we could not create as asked.
     */
    void setStat(String hp, long uid, long gid, int mode, long rdev, boolean placeholder) throws FsException {
        // A sidecar may still hold a record for this name from before a crash: clear it.
        apply(hp, HostFs.lstat(hp), sidecar != null, uid, gid, mode, rdev, placeholder);
    }

    /**
     * As {@link #setStat} for an entry the overlay has just created and set nothing on: it is
     * known to carry none of the overlay's records, which spares the listxattr that would say so.
     */
    void setNewStat(String hp, long uid, long gid, int mode, long rdev, boolean placeholder) throws FsException {
        HostStat st = HostFs.lstat(hp);
        xattrNames.created(st);
        apply(hp, st, sidecar != null, uid, gid, mode, rdev, placeholder);
    }

    /** chown of an upper entry; -1 keeps that id. */
    void chown(String hp, long uid, long gid) throws FsException {
        HostStat st = HostFs.lstat(hp);
        RecordedStat r = recorded(hp, st);
        RecordedStat e = r != null ? r : hostOwned(st);
        apply(hp, st, r != null, uid < 0 ? e.uid() : uid, gid < 0 ? e.gid() : gid, e.mode(), e.rdev(),
                r != null && (r.mode() & FileAttr.S_IFMT) != st.type());
    }

    /**
     * chmod of an upper entry ({@code perm}: permission bits only). An access ACL kept under the
     * escaped name follows, as posix_acl_chmod does on a file system with ACLs (a real one on
     * the host follows by itself).
     */
    void chmod(String hp, int perm) throws FsException {
        HostStat st = HostFs.lstat(hp);
        byte[] acl = escapedAccessAcl(hp, st);
        setPerm(hp, st, perm);
        if (acl != null) {
            byte[] now;
            try {
                now = AclMode.chmod(acl, perm);
            } catch (FsException malformed) {
                return; // served as EINVAL, removable; nothing to keep in step
            }
            userSet(hp, ESCAPED_ACCESS, now, 0);
        }
    }

    /**
     * setxattr of the access ACL. Where the upper keeps it under the escaped name (the host file
     * system does not see it), the mode follows it, and an ACL that says no more than the mode is
     * not kept, as a file system with ACLs does (the kernel leaves both to a FUSE server).
     */
    void setAccessAcl(String hp, byte[] value, int flags) throws FsException {
        if (privileged && setOnHost(hp, AclIds.ACCESS, value, flags)) {
            return;
        }
        int perm = AclMode.perm(value);
        if (AclMode.equivalentToMode(value)) {
            userRemove(hp, ESCAPED_ACCESS);
        } else {
            userSet(hp, ESCAPED_ACCESS, value, 0); // the VFS drops the flags of an ACL set
        }
        HostStat st = HostFs.lstat(hp);
        RecordedStat r = recorded(hp, st);
        int mode = (r != null ? r : hostOwned(st)).mode();
        setPerm(hp, st, (mode & 07000) | perm);
    }

    /** The access ACL kept under the escaped name, or null; costs no syscall when there is none. */
    private byte[] escapedAccessAcl(String hp, HostStat st) throws FsException {
        if (!canRecord(st.type())) {
            return null;
        }
        if (sidecar == null) {
            return xattrNames.of(hp, st).contains(ESCAPED_ACCESS) ? HostFs.getxattr(hp, ESCAPED_ACCESS) : null;
        }
        return sidecar.get(hp, st.isDirectory(), ESCAPED_ACCESS);
    }

    private void setPerm(String hp, HostStat st, int perm) throws FsException {
        RecordedStat r = recorded(hp, st);
        RecordedStat e = r != null ? r : hostOwned(st);
        apply(hp, st, r != null, e.uid(), e.gid(), (e.mode() & FileAttr.S_IFMT) | (perm & 07777), e.rdev(),
                r != null && (r.mode() & FileAttr.S_IFMT) != st.type());
    }

    private void apply(String hp, HostStat st, boolean hadRecord, long uid, long gid, int mode, long rdev,
                       boolean placeholder) throws FsException {
        boolean record = placeholder;
        RecordedStat now = hostOwned(st);
        if (now.uid() != uid || now.gid() != gid) {
            if (privileged) {
                try {
                    HostFs.lchown(hp, ids.uidToHost(uid), ids.gidToHost(gid));
                } catch (FsException e) {
                    record = true; // e.g. an id that root squashing or a user namespace refuses
                }
            } else if (uid == ownUid && gid == ownGid) {
                HostFs.lchown(hp, hostUid, hostGid);
            } else {
                record = true;
            }
        }
        if (st.type() == FileAttr.S_IFLNK) {
            return; // no mode of its own, nowhere to record: the host owner is what ls shows
        }
        int perm = mode & 07777;
        int hostPerm = hostPerm(perm, st.isDirectory());
        record |= hostPerm != perm;
        if ((st.mode() & 07777) != hostPerm) {
            HostFs.chmod(hp, hostPerm);
        }
        if (!canRecord(st.type())) {
            return; // see needsPlaceholder: such entries never need a record
        }
        if (record) {
            int type = placeholder ? mode & FileAttr.S_IFMT : st.type();
            userSet(hp, RecordedStat.XATTR, new RecordedStat(uid, gid, type | perm, placeholder ? rdev : 0).encode(), 0);
        } else if (hadRecord) {
            userRemove(hp, RecordedStat.XATTR);
        }
    }

    /**
     * The permission bits an upper entry gets on the host for a requested {@code perm}: as
     * asked, except that an unprivileged overlay keeps its own read/write (and search) access.
     */
    int hostPerm(int perm, boolean dir) {
        return privileged ? perm : perm | (dir ? 0700 : 0600);
    }

    /** The owner, mode and device number the overlay reports for an upper entry. */
    RecordedStat effective(String hp) throws FsException {
        HostStat st = HostFs.lstat(hp);
        RecordedStat r = recorded(hp, st);
        return r != null ? r : hostOwned(st);
    }

    /** What a host entry without a record stands for: its host owner as container ids. */
    private RecordedStat hostOwned(HostStat st) {
        return new RecordedStat(ids.uidToContainer(st.uid()), ids.gidToContainer(st.gid()), st.mode(), st.rdev());
    }

    /**
     * Puts a whiteout at {@code hp}, replacing what is there (absent or a non-directory) in one
     * rename, so a crash leaves either the old entry or the whiteout.
     */
    void makeWhiteout(String hp) throws FsException {
        String tmp = tempPath();
        boolean device;
        try {
            HostFs.mknod(tmp, FileAttr.S_IFCHR, 0);
            device = true;
        } catch (FsException e) {
            // No whiteout device allowed here (kernel < 5.8 unprivileged, or a file system
            // without device nodes): fall back to the OCI spelling.
            device = false;
        }
        if (device) {
            rename(tmp, hp, 0);
            return;
        }
        delete(hp);
        createEmptyFile(parentOf(hp) + "/" + Whiteout.PREFIX + nameOf(hp));
    }

    /** Removes a whiteout in either spelling at {@code hp}, if there is one. */
    boolean removeWhiteout(String hp) throws FsException {
        boolean removed = false;
        HostStat st = HostFs.lstatOrNull(hp);
        if (st != null && isWhiteoutDevice(hp, st)) {
            deleteIfExists(hp);
            removed = true;
        }
        String wh = parentOf(hp) + "/" + Whiteout.PREFIX + nameOf(hp);
        if (HostFs.lstatOrNull(wh) != null) {
            deleteIfExists(wh);
            removed = true;
        }
        return removed;
    }

    boolean hasWhiteoutFile(String hp) throws FsException {
        return HostFs.lstatOrNull(parentOf(hp) + "/" + Whiteout.PREFIX + nameOf(hp)) != null;
    }

    boolean isOpaque(String hostDir) throws FsException {
        return Whiteout.isYes(HostFs.getxattr(hostDir, Whiteout.TRUSTED_OPAQUE))
                || Whiteout.isYes(HostFs.getxattr(hostDir, Whiteout.USER_OPAQUE))
                || HostFs.lstatOrNull(hostDir + "/" + Whiteout.OPAQUE_ENTRY) != null;
    }

    /** Marks a directory opaque: the kernel's xattr spelling, or the OCI entry without xattrs. */
    void setOpaque(String hostDir) throws FsException {
        try {
            hostSetxattr(hostDir, privileged ? Whiteout.TRUSTED_OPAQUE : Whiteout.USER_OPAQUE, Whiteout.yes(), 0);
        } catch (FsException e) {
            if (HostFs.lstatOrNull(hostDir + "/" + Whiteout.OPAQUE_ENTRY) == null) {
                createEmptyFile(hostDir + "/" + Whiteout.OPAQUE_ENTRY);
            }
        }
    }

    /**
     * Sets a container xattr on an upper entry: under its own name where the host allows it,
     * else (trusted.*, security.* for an unprivileged user) under {@link RecordedStat#XATTR_ESCAPE}.
     */
    void setXattr(String hp, String name, byte[] value, int flags) throws FsException {
        if (name.startsWith("user.")) {
            userSet(hp, name, value, flags);
            return;
        }
        if (privileged && setOnHost(hp, name, value, flags)) {
            return;
        }
        userSet(hp, RecordedStat.XATTR_ESCAPE + name, value, flags);
    }

    /** Sets a container xattr under its own name on the host; false where the host refuses that name. */
    private boolean setOnHost(String hp, String name, byte[] value, int flags) throws FsException {
        try {
            hostSetxattr(hp, name, hostAcl(name, value), flags);
            return true;
        } catch (FsException e) {
            // EPERM: e.g. security.* under an LSM; ENOTSUP: a file system without that class
            if (e.errno() != io.squashroot.tree.Errno.EPERM && e.errno() != io.squashroot.tree.Errno.ENOTSUP) {
                throw e;
            }
            return false;
        }
    }

    /** A container xattr of an upper entry, or null. */
    byte[] getXattr(String hp, String name) throws FsException {
        if (Whiteout.isInternalXattr(name)) {
            return null;
        }
        if (!name.startsWith("user.")) {
            String escaped = RecordedStat.XATTR_ESCAPE + name;
            if (sidecar == null && isAscii(name)) {
                // One listxattr instead of two getxattrs: the kernel asks for security.capability
                // before every write(2) to a FUSE file, and the answer is nearly always "none".
                List<String> names = HostFs.listxattr(hp);
                byte[] v = names.contains(escaped) ? HostFs.getxattr(hp, escaped) : null;
                return v != null || !names.contains(name) ? v : containerAcl(name, HostFs.getxattr(hp, name));
            }
            byte[] v = userGet(hp, escaped);
            return v != null ? v : containerAcl(name, HostFs.getxattr(hp, name));
        }
        return userGet(hp, name);
    }

    /*
     * A POSIX ACL under its own name on the host is the host's: its ids are host ids (a real
     * one set by a privileged overlay, or one the upper directory's default ACL gave a new
     * file). Under the escaped name it is ours and holds container ids, like RecordedStat.
     */

    private byte[] hostAcl(String name, byte[] containerValue) throws FsException {
        return ids.isIdentity() || !AclIds.isAcl(name) ? containerValue : AclIds.toHost(containerValue, ids);
    }

    private byte[] containerAcl(String name, byte[] hostValue) throws FsException {
        return hostValue == null || ids.isIdentity() || !AclIds.isAcl(name)
                ? hostValue : AclIds.toContainer(hostValue, ids);
    }

    java.util.List<String> listXattr(String hp) throws FsException {
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.List<String> names = new java.util.ArrayList<>(HostFs.listxattr(hp));
        if (sidecar != null) {
            names.addAll(sidecar.list(hp));
        }
        for (String n : names) {
            if (n.startsWith(RecordedStat.XATTR_ESCAPE)) {
                out.add(n.substring(RecordedStat.XATTR_ESCAPE.length()));
            } else if (!Whiteout.isInternalXattr(n)) {
                out.add(n);
            }
        }
        return out;
    }

    boolean removeXattr(String hp, String name) throws FsException {
        if (name.startsWith("user.")) {
            return userRemove(hp, name);
        }
        boolean escaped = userRemove(hp, RecordedStat.XATTR_ESCAPE + name);
        return hostRemovexattr(hp, name) || escaped;
    }

    /**
     * Creates a new regular file with permission bits {@code perm} (less the umask: the
     * caller's setStat fixes what differs) and returns it open for reading and writing.
     */
    static FileChannel createFile(String hp, int perm) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> p =
                java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
        java.nio.file.attribute.PosixFilePermission[] bits = java.nio.file.attribute.PosixFilePermission.values();
        for (int i = 0; i < 9; i++) { // OWNER_READ is 0400 ... OTHERS_EXECUTE 0001
            if ((perm & (0400 >> i)) != 0) {
                p.add(bits[i]);
            }
        }
        return FileChannel.open(Path.of(hp), java.util.EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(p));
    }

    /** listxattr decodes names as UTF-8: compare only names that every charset spells alike. */
    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    static void createEmptyFile(String hp) throws FsException {
        try {
            Files.newByteChannel(Path.of(hp), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            throw HostFs.fromIo(e, "create " + hp);
        }
    }

    static void deleteIfExists(String hp) throws FsException {
        try {
            Files.deleteIfExists(Path.of(hp));
        } catch (IOException e) {
            throw HostFs.fromIo(e, "delete " + hp);
        }
    }

    /** fsync of a directory, so a rename into it survives a crash of the machine. */
    static void syncDir(String hostDir) {
        try (FileChannel ch = FileChannel.open(Path.of(hostDir), StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems refuse fsync on directories; the rename itself is still atomic
        }
    }

    static void deleteTree(Path p) throws IOException {
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
