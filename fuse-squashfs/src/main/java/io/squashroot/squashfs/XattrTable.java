package io.squashroot.squashfs;

import io.squashroot.tree.NameBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extended attributes (§12): a 16-byte header at {@code xattr_id_table_start}, the xattr-id
 * lookup table, and key/value records in their own metadata stream from {@code kv_start}. The
 * id entry's {@code size} field is not the on-disk size (§20.2.1), so parsing uses only counts.
 */
final class XattrTable {
    /** Linux XATTR_NAME_MAX and XATTR_SIZE_MAX: nothing longer can be set on a file. */
    static final int MAX_NAME = 255;
    static final int MAX_VALUE = 65536;
    private static final String[] PREFIXES = {"user.", "trusted.", "security."};

    private final ImageContext ctx;
    private final long kvStart;
    private final LookupTable ids;

    private XattrTable(ImageContext ctx, long kvStart, LookupTable ids) {
        this.ctx = ctx;
        this.kvStart = kvStart;
        this.ids = ids;
    }

    static XattrTable open(ImageContext ctx) throws IOException {
        long pos = ctx.sb.xattrIdTableStart();
        if (pos + 16 > ctx.sb.bytesUsed()) {
            throw ctx.corrupt("xattr table header", pos, "extends past the end of the image");
        }
        ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        ctx.read("xattr table header", pos, h);
        long kvStart = h.getLong(0);
        long count = Integer.toUnsignedLong(h.getInt(8));
        if (kvStart < Superblock.SIZE || kvStart >= pos) {
            throw ctx.corrupt("xattr table header", pos, "key/value start 0x" + Long.toHexString(kvStart)
                    + " is not inside the image before the header");
        }
        return new XattrTable(ctx, kvStart, new LookupTable(ctx, "xattr id table", pos + 16, count, 16));
    }

    long count() {
        return ids.count();
    }

    /** All attributes of set {@code index}: full name (prefix included) to value, in stored order. */
    Map<String, byte[]> get(int index) throws IOException {
        MetadataCursor idc = ids.at(Integer.toUnsignedLong(index));
        long ref = idc.u64();
        long pairs = Integer.toUnsignedLong(idc.u32());
        if (pairs > MAX_VALUE) {
            throw idc.corrupt("xattr set " + index + " claims " + pairs + " attributes");
        }
        MetadataCursor c = kvCursor(ref, "xattr key");
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (long i = 0; i < pairs; i++) {
            int type = c.u16();
            int nameLen = c.u16();
            int prefix = type & 0xFF;
            if (prefix > 2 || (type & ~0x1FF) != 0) {
                throw c.corrupt("xattr key type 0x" + Integer.toHexString(type) + " is unknown");
            }
            if (nameLen > MAX_NAME) {
                throw c.corrupt("xattr name of " + nameLen + " bytes exceeds " + MAX_NAME);
            }
            String name = PREFIXES[prefix] + NameBytes.decode(c.bytes(nameLen));
            long valueLen = Integer.toUnsignedLong(c.u32());
            byte[] value;
            if ((type & 0x100) != 0) {
                if (valueLen != 8) {
                    throw c.corrupt("out-of-line xattr value reference of " + valueLen + " bytes (expected 8)");
                }
                value = outOfLine(c.u64());
            } else {
                value = readValue(c, valueLen);
            }
            out.put(name, value);
        }
        return Collections.unmodifiableMap(out);
    }

    private byte[] outOfLine(long ref) throws IOException {
        MetadataCursor v = kvCursor(ref, "xattr value");
        return readValue(v, Integer.toUnsignedLong(v.u32()));
    }

    private byte[] readValue(MetadataCursor c, long len) throws IOException {
        if (len > MAX_VALUE) {
            throw c.corrupt("xattr value of " + len + " bytes exceeds " + MAX_VALUE);
        }
        return c.bytes((int) len);
    }

    private MetadataCursor kvCursor(long ref, String structure) throws IOException {
        long block = ref >>> 16;
        int offset = (int) (ref & 0xFFFF);
        if (ref < 0 || block >= ctx.sb.bytesUsed() - kvStart) {
            throw ctx.corrupt(structure, kvStart, "reference 0x" + Long.toHexString(ref) + " is outside the image");
        }
        return new MetadataCursor(ctx, structure, kvStart + block, offset);
    }
}
