package io.squashroot.overlay;

import io.squashroot.tree.FsException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether an upper entry carries the overlay's own records ({@link RecordedStat#XATTR}, escaped
 * ACLs: user.* names the host never adds by itself), remembered per inode, so that the getattr
 * of an entry with nothing recorded (nearly every one when the overlay runs as root) costs a
 * statx and no listxattr: an untar asked for {@code user.squashroot.stat} eight times a file.
 *
 * <p>Why it stays true: the overlay is the only writer of its upper directory while mounted
 * (docs/overlay-format.md), and those names appear or go only through the overlay's own
 * setxattr and removexattr. A remembered list is used only while nothing was
 * {@link #forget() forgotten} since it was read: the overlay calls that after every xattr it sets
 * or removes and every time an upper inode may have been freed (unlink, rmdir, rename, a failed
 * write), so a reused inode number never meets an old list. The inode's ctime is not compared:
 * chmod, chown, utimens and every create in a directory change it without touching these names,
 * and comparing it cost a listxattr after each (four a file in an untar). The host may drop other
 * names by itself (chown removes security.capability): the list is asked only for the overlay's.
 */
final class XattrNames {
    private static final int MAX_ENTRIES = 100_000;

    private record Entry(long generation, List<String> names) {
    }

    private final ConcurrentHashMap<Long, Entry> byInode = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    /** The xattr names of the host entry {@code hp}, just lstat'ed as {@code st}. */
    List<String> of(String hp, HostStat st) throws FsException {
        long g = generation.get();
        Entry e = byInode.get(st.ino());
        if (e != null && e.generation() == g) {
            return e.names();
        }
        List<String> names = List.copyOf(HostFs.listxattr(hp));
        remember(st.ino(), new Entry(g, names));
        return names;
    }

    /**
     * An entry the overlay has just made ({@code st}, lstat'ed after its creation): it carries none
     * of the overlay's names until the overlay sets one (which forgets this).
     */
    void created(HostStat st) {
        remember(st.ino(), new Entry(generation.get(), List.of()));
    }

    private void remember(long ino, Entry e) {
        if (byInode.size() >= MAX_ENTRIES) {
            byInode.clear();
        }
        byInode.put(ino, e);
    }

    /** Drops every remembered list: an xattr was changed or an inode may have been freed. */
    void forget() {
        generation.incrementAndGet();
    }
}
