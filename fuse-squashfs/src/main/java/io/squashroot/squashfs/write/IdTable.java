package io.squashroot.squashfs.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The uid/gid table (format doc §10): ids in order of first use, as mksquashfs writes them;
 * inodes store 16-bit indexes into it.
 */
final class IdTable {
    /** Inodes hold u16 indexes and the superblock a u16 count. */
    static final int MAX_IDS = 65535;

    private final Map<Long, Integer> index = new HashMap<>();
    private final List<Long> ids = new ArrayList<>();

    int indexOf(long id) throws IOException {
        Integer i = index.get(id);
        if (i != null) {
            return i;
        }
        if (ids.size() == MAX_IDS) {
            throw new IOException("more than " + MAX_IDS + " distinct uids/gids: SquashFS cannot store them");
        }
        index.put(id, ids.size());
        ids.add(id);
        return ids.size() - 1;
    }

    int size() {
        return ids.size();
    }

    void writeTo(MetadataWriter table) {
        for (long id : ids) {
            table.putInt(id);
        }
    }
}
