package io.squashroot.squashfs.write;

import io.squashroot.tree.NameBytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Extended attributes (format doc §12): identical sets are stored once and shared by index.
 * Every value is stored inline (out-of-line values are a mksquashfs space optimisation, not a
 * requirement). Names outside user., trusted. and security. cannot be stored; the caller is told
 * so it can warn, as mksquashfs does.
 */
final class XattrTable {
    private static final String[] PREFIXES = {"user.", "trusted.", "security."};

    private record Entry(long kvRef, int count, long size) {
    }

    private final MetadataWriter kv;
    private final Map<ByteBuffer, Integer> sets = new HashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    XattrTable(MetadataWriter kv) {
        this.kv = kv;
    }

    /** The prefix id of a full name, or -1 when SquashFS cannot store it. */
    static int prefixId(String name) {
        for (int i = 0; i < PREFIXES.length; i++) {
            if (name.startsWith(PREFIXES[i]) && name.length() > PREFIXES[i].length()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The xattr-id index of this set, adding it when new; -1 when no storable attribute remains.
     * Unstorable names are skipped (filtered by the caller beforehand for warnings).
     */
    int add(SortedMap<String, byte[]> attrs) {
        java.io.ByteArrayOutputStream enc = new java.io.ByteArrayOutputStream();
        int count = 0;
        long size = 0;
        ByteBuffer le = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, byte[]> e : attrs.entrySet()) {
            int p = prefixId(e.getKey());
            if (p < 0) {
                continue;
            }
            byte[] full = NameBytes.encode(e.getKey());
            byte[] name = NameBytes.encode(e.getKey().substring(PREFIXES[p].length()));
            byte[] value = e.getValue();
            le.clear();
            le.putShort((short) p).putShort((short) name.length);
            enc.write(le.array(), 0, 4);
            enc.write(name, 0, name.length);
            le.clear();
            le.putInt(value.length);
            enc.write(le.array(), 0, 4);
            enc.write(value, 0, value.length);
            count++;
            // §12.3: the size mksquashfs stores is listxattr's length plus the values.
            size += full.length + 1 + value.length;
        }
        if (count == 0) {
            return -1;
        }
        ByteBuffer key = ByteBuffer.wrap(enc.toByteArray());
        Integer known = sets.get(key);
        if (known != null) {
            return known;
        }
        long ref = kv.ref();
        kv.put(key.array());
        entries.add(new Entry(ref, count, size));
        sets.put(key, entries.size() - 1);
        return entries.size() - 1;
    }

    int count() {
        return entries.size();
    }

    void writeIds(MetadataWriter ids) {
        for (Entry e : entries) {
            ids.putLong(e.kvRef());
            ids.putInt(e.count());
            ids.putInt(e.size());
        }
    }
}
