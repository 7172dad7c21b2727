package io.squashroot.overlay;

import java.util.List;

/**
 * The user namespace's id map that a container runs under, as the overlay needs it: for uids
 * and for gids, ranges of container ids and the host ids they stand for (what
 * {@code /proc/PID/uid_map} lists). The FUSE server lives in the initial namespace, so the
 * kernel hands it host ids (the caller of a create, the new owner of a chown) and shows the
 * container whatever host ids it serves, mapped back; the overlay itself works in container
 * ids, which is what the image holds and what the upper records (docs/overlay-format.md).
 *
 * <p>{@link #identity()} is the map of a start without a subordinate range, and of root's:
 * nothing is translated. An id without a mapping becomes {@link #OVERFLOW}, the kernel's
 * overflowuid, as the kernel itself shows an unmapped id.
 */
public record IdMap(List<Range> uids, List<Range> gids) {
    /** The kernel's default overflowuid and overflowgid ({@code /proc/sys/kernel/overflowuid}). */
    public static final long OVERFLOW = 65534;
    /** Ids are 32-bit; (uid_t) -1 means "no change" in chown and is never mapped. */
    private static final long ID_LIMIT = 0xffffffffL;
    private static final IdMap IDENTITY = new IdMap(List.of(new Range(0, 0, ID_LIMIT)), List.of(new Range(0, 0, ID_LIMIT)));

    /**
     * One line of a uid_map or gid_map: container ids {@code containerStart ..
     * containerStart+count-1} are host ids {@code hostStart ..}.
     */
    public record Range(long containerStart, long hostStart, long count) {
        public Range {
            if (containerStart < 0 || hostStart < 0 || count < 1
                    || containerStart + count > ID_LIMIT || hostStart + count > ID_LIMIT) {
                throw new IllegalArgumentException("id range " + containerStart + " " + hostStart + " " + count
                        + ": outside 0.." + (ID_LIMIT - 1));
            }
        }
    }

    /** Checks that each direction is one-to-one: no two ranges overlap on either side. */
    public IdMap {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
        checkDisjoint(uids, "uid");
        checkDisjoint(gids, "gid");
    }

    /** No translation: container ids are host ids. */
    public static IdMap identity() {
        return IDENTITY;
    }

    public boolean isIdentity() {
        return this == IDENTITY || equals(IDENTITY);
    }

    /** The host uid of container uid {@code id}, {@link #OVERFLOW} if it has none. */
    public long uidToHost(long id) {
        return toHost(uids, id);
    }

    public long gidToHost(long id) {
        return toHost(gids, id);
    }

    /** The container uid of host uid {@code id}, {@link #OVERFLOW} if the namespace has none for it. */
    public long uidToContainer(long id) {
        return toContainer(uids, id);
    }

    public long gidToContainer(long id) {
        return toContainer(gids, id);
    }

    private static long toHost(List<Range> map, long id) {
        for (Range r : map) {
            if (id >= r.containerStart && id - r.containerStart < r.count) {
                return r.hostStart + (id - r.containerStart);
            }
        }
        return OVERFLOW;
    }

    private static long toContainer(List<Range> map, long id) {
        for (Range r : map) {
            if (id >= r.hostStart && id - r.hostStart < r.count) {
                return r.containerStart + (id - r.hostStart);
            }
        }
        return OVERFLOW;
    }

    private static void checkDisjoint(List<Range> map, String kind) {
        for (int i = 0; i < map.size(); i++) {
            for (int j = i + 1; j < map.size(); j++) {
                Range a = map.get(i);
                Range b = map.get(j);
                if (overlap(a.containerStart, b.containerStart, a.count, b.count)
                        || overlap(a.hostStart, b.hostStart, a.count, b.count)) {
                    throw new IllegalArgumentException(kind + " ranges overlap: " + a + " and " + b);
                }
            }
        }
    }

    private static boolean overlap(long s1, long s2, long n1, long n2) {
        return s1 < s2 + n2 && s2 < s1 + n1;
    }
}
