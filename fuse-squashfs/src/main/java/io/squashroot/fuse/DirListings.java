package io.squashroot.fuse;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.NameBytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open directories of a {@link KernelSession}: a listing is taken whole at a handle's first
 * READDIR (or a rewind to offset 0) and served by offset from that snapshot, so offsets stay
 * valid while the directory changes, as libfuse does. READDIRPLUS entries that carry
 * attributes count as lookups of their names; a tree whose listing carries none (a writable one)
 * has each entry's attributes asked for as the reply is filled.
 */
final class DirListings {

    private record DirEntry(byte[] name, FileAttr attr) {
    }

    /** One open directory; its listing is null until the first READDIR. */
    private static final class Handle {
        volatile List<DirEntry> entries;
    }

    private final KernelSession session;
    private final Map<Long, Handle> open = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    DirListings(KernelSession session) {
        this.session = session;
    }

    /** OPENDIR: a new handle. */
    long open() {
        long fh = next.getAndIncrement();
        open.put(fh, new Handle());
        return fh;
    }

    /** RELEASEDIR. */
    void release(long fh) {
        open.remove(fh);
    }

    /** READDIR / READDIRPLUS of directory {@code nodeid} at {@code path}; returns the payload length. */
    int reply(boolean plus, long nodeid, String path, ByteBuffer in, ByteBuffer out) throws FsException {
        long fh = in.getLong(Wire.IN_HEADER);
        long offset = in.getLong(Wire.IN_HEADER + 8);
        int size = Math.min(in.getInt(Wire.IN_HEADER + 16), out.capacity() - Wire.OUT_HEADER);
        Handle h = open.get(fh);
        if (h == null) {
            throw new FsException(Errno.EBADF);
        }
        List<DirEntry> entries = h.entries;
        if (offset == 0 || entries == null) {
            entries = list(nodeid, path);
            h.entries = entries;
        }
        int pos = Wire.OUT_HEADER;
        int end = Wire.OUT_HEADER + size;
        for (long i = Math.max(0, offset); i < entries.size(); i++) {
            DirEntry e = entries.get((int) i);
            FileAttr a = e.attr();
            if (plus && a == null && !isDot(e.name())) {
                a = current(nodeid, e.name());
            }
            long ino = a != null ? a.ino() : Wire.UNKNOWN_INO;
            int type = a != null ? (a.mode() & FileAttr.S_IFMT) >>> 12 : 0;
            int need = Wire.direntSize(e.name().length) + (plus ? Wire.ENTRY_OUT : 0);
            if (pos + need > end) {
                break;
            }
            if (plus) {
                if (a != null && !isDot(e.name())) {
                    session.putEntry(out, pos, session.lookedUp(nodeid, NameBytes.decode(e.name()), a), a);
                } else {
                    Wire.putEntry(out, pos, 0, null, 0, 0, -1, -1); // a name only: the kernel looks it up
                }
                pos += Wire.ENTRY_OUT;
            }
            pos += Wire.putDirent(out, pos, ino, i + 1, type, e.name());
        }
        return pos - Wire.OUT_HEADER;
    }

    /**
     * The attributes of entry {@code name} now, or null when it has gone since the listing was
     * taken (then the entry goes out as a name only). Asked while the reply is filled, not kept
     * from the listing: the kernel holds the directory against changes for one READDIRPLUS, not
     * between two.
     */
    private FileAttr current(long nodeid, byte[] name) throws FsException {
        try {
            return session.tree().getattr(session.nodes().path(nodeid, NameBytes.decode(name)));
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                return null;
            }
            throw e;
        }
    }

    private List<DirEntry> list(long nodeid, String path) throws FsException {
        NodeTable nodes = session.nodes();
        List<DirEntry> list = new ArrayList<>();
        session.tree().readdir(path, (name, attr) -> {
            byte[] b = NameBytes.encode(name);
            // longer than any name a kernel accepts: skip rather than truncate; an unlinked
            // open file's hidden name is ours, not the directory's
            if (b.length <= 255 && !(name.startsWith(HiddenFiles.PREFIX) && nodes.isHidden(nodeid, name))) {
                list.add(new DirEntry(b, attr));
            }
            return true;
        });
        return List.copyOf(list);
    }

    private static boolean isDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }
}
