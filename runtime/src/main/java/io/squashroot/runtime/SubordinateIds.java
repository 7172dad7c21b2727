package io.squashroot.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The blocks of subordinate ids a user owns, from the lines of /etc/subuid or /etc/subgid
 * (subuid(5): {@code NAME-OR-UID:START:COUNT}, one block a line, a user may have several). What
 * newuidmap/newgidmap accept is decided by the same files, so a block listed here is one the
 * setuid helpers will map.
 */
final class SubordinateIds {
    /** Ids are 32-bit and (uid_t) -1 is never an id: a block must end below it. */
    private static final long ID_LIMIT = 0xffffffffL;

    private SubordinateIds() {
    }

    /** Container-independent: host ids {@code start .. start+count-1}. */
    record Block(long start, long count) {
    }

    /**
     * The blocks listed for the user named {@code name} or numbered {@code uid}, in file order.
     * Comments, blank lines and lines that are not three well-formed fields are skipped, as
     * shadow's own reader skips them.
     */
    static List<Block> parse(List<String> lines, String name, long uid) {
        List<Block> out = new ArrayList<>();
        String number = Long.toString(uid);
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length != 3 || !(f[0].equals(name) || f[0].equals(number))) {
                continue;
            }
            long start = number(f[1]);
            long count = number(f[2]);
            if (start < 0 || count < 1 || start + count > ID_LIMIT) {
                continue;
            }
            out.add(new Block(start, count));
        }
        return out;
    }

    private static long number(String s) {
        if (!s.matches("[0-9]{1,10}")) {
            return -1;
        }
        return Long.parseLong(s);
    }
}
