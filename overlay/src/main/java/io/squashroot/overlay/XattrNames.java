package io.squashroot.overlay;

import io.squashroot.tree.FsException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The names of the host xattrs on upper entries, remembered per inode, so that the getattr
 * of an entry with nothing recorded (nearly every one when the overlay runs as root) costs a
 * statx and no getxattr: an untar asked for {@code user.squashroot.stat} eight times a file.
 *
 * <p>Why it stays true: the overlay is the only writer of its upper directory while mounted
 * (docs/overlay-format.md). A remembered list is used only while the inode's ctime is the one
 * it was read with, and while nothing was {@link #forget() forgotten} since: the overlay calls
 * that after every xattr it sets or removes and every time an upper inode may have been freed
 * (unlink, rmdir, rename, a failed write), so a reused inode number never meets an old list.
 * The host adds no xattr names by itself to an existing inode (chown may remove
 * security.capability: a name listed but gone is only fetched and found absent).
 */
final class XattrNames {
    private static final int MAX_ENTRIES = 100_000;

    private record Entry(long generation, long ctimeSec, int ctimeNsec, List<String> names) {
    }

    private final ConcurrentHashMap<Long, Entry> byInode = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    /** The xattr names of the host entry {@code hp}, just lstat'ed as {@code st}. */
    List<String> of(String hp, HostStat st) throws FsException {
        long g = generation.get();
        Entry e = byInode.get(st.ino());
        if (e != null && e.generation() == g && e.ctimeSec() == st.ctimeSec() && e.ctimeNsec() == st.ctimeNsec()) {
            return e.names();
        }
        List<String> names = List.copyOf(HostFs.listxattr(hp));
        if (byInode.size() >= MAX_ENTRIES) {
            byInode.clear();
        }
        byInode.put(st.ino(), new Entry(g, st.ctimeSec(), st.ctimeNsec(), names));
        return names;
    }

    /** Drops every remembered list: an xattr was changed or an inode may have been freed. */
    void forget() {
        generation.incrementAndGet();
    }
}
