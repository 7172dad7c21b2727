package io.squashroot.overlay;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Inode numbers that stay the same for the life of a mount. A lower entry gets its layer's
 * number with the layer index in the top 16 bits; an upper entry gets the host's number; an
 * entry copied up keeps the number it had before, through the origin map (host inode of the
 * copy to the number already reported), so a process that stat'ed a file sees no change when
 * it is written.
 */
final class Inodes {
    private static final int LAYER_SHIFT = 48;
    private static final long MASK = (1L << LAYER_SHIFT) - 1;
    private final ConcurrentHashMap<Long, Long> origins = new ConcurrentHashMap<>();

    long ofLower(int layer, long ino) {
        return ((long) layer << LAYER_SHIFT) | (ino & MASK);
    }

    long ofUpper(long hostIno) {
        Long o = origins.get(hostIno);
        return o != null ? o : hostIno & MASK;
    }

    void recordOrigin(long hostIno, long reported) {
        if ((hostIno & MASK) != reported) {
            origins.put(hostIno, reported);
        }
    }

    /** The host inode was freed: a new file that reuses its number must not inherit the origin. */
    void forget(long hostIno) {
        origins.remove(hostIno);
    }
}
