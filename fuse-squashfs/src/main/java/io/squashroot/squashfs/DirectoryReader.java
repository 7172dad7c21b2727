package io.squashroot.squashfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walks directory listings (§9): runs of one 12-byte header and 1..256 entries, exactly
 * {@code file_size - 3} bytes in all. Lookups in extended directories first consult the
 * directory index (§9.7) to skip to the right run, as the kernel does; since entries are sorted
 * by unsigned bytes, a scan stops at the first name past the target.
 */
final class DirectoryReader {
    /** Longest entry name the kernel accepts (§9.4). */
    static final int MAX_NAME = 256;

    private final ImageContext ctx;

    DirectoryReader(ImageContext ctx) {
        this.ctx = ctx;
    }

    List<DirEntry> list(Inode.Directory dir) throws IOException {
        List<DirEntry> out = new ArrayList<>();
        scan(dir, dir.blockStart(), dir.blockOffset(), dir.fileSize() - 3, null, out);
        return out;
    }

    /** The entry named {@code name}, or null. */
    DirEntry lookup(Inode.Directory dir, byte[] name) throws IOException {
        long listing = dir.fileSize() - 3;
        long block = dir.blockStart();
        int offset = dir.blockOffset();
        long skipped = 0;
        if (dir.indexCount() > 0) {
            long[] start = indexStart(dir, name);
            if (start != null) {
                skipped = start[0];
                block = start[1];
                offset = (int) ((dir.blockOffset() + skipped) % ImageContext.METADATA_SIZE);
            }
        }
        DirEntry[] found = new DirEntry[1];
        scan(dir, block, offset, listing - skipped, name, found);
        return found[0];
    }

    /**
     * Index entry to start from: {listing offset, directory block}, of the last index entry whose
     * name is &lt;= {@code name}; null to start at the listing's beginning.
     */
    private long[] indexStart(Inode.Directory dir, byte[] name) throws IOException {
        long ref = dir.ref();
        MetadataCursor c = new MetadataCursor(ctx, "directory index", ctx.sb.inodeTableStart() + (ref >>> 16),
                (int) (ref & 0xFFFF));
        c.skip(40);
        long listing = dir.fileSize() - 3;
        long[] best = null;
        long lastIndex = -1;
        for (int i = 0; i < dir.indexCount(); i++) {
            long index = Integer.toUnsignedLong(c.u32());
            long start = Integer.toUnsignedLong(c.u32());
            long size = Integer.toUnsignedLong(c.u32()) + 1;
            if (size > MAX_NAME) {
                throw c.corrupt("directory index name of " + size + " bytes exceeds " + MAX_NAME);
            }
            if (index >= listing || index <= lastIndex) {
                throw c.corrupt("directory index entry " + i + " points at listing offset " + index
                        + " (listing is " + listing + " bytes)");
            }
            lastIndex = index;
            byte[] entryName = c.bytes((int) size);
            if (Arrays.compareUnsigned(entryName, name) > 0) {
                break;
            }
            best = new long[] {index, start};
        }
        return best;
    }

    /**
     * Scans runs from (block, offset) for {@code length} bytes. With {@code target == null}
     * every entry is added to {@code sink} (a List); otherwise the matching entry is stored in
     * {@code sink} (a DirEntry[1]) and the scan stops at the first greater name.
     */
    @SuppressWarnings("unchecked")
    private void scan(Inode.Directory dir, long block, int offset, long length, byte[] target, Object sink)
            throws IOException {
        if (length <= 0) {
            return;
        }
        long tableLen = ctx.sb.bytesUsed() - ctx.sb.directoryTableStart();
        if (block >= tableLen) {
            throw ctx.corrupt("directory listing", ctx.sb.directoryTableStart(), "block 0x" + Long.toHexString(block)
                    + " of directory inode " + dir.number() + " is outside the directory table");
        }
        MetadataCursor c = new MetadataCursor(ctx, "directory header", ctx.sb.directoryTableStart() + block, offset);
        long left = length;
        while (left > 0) {
            if (left < 12) {
                throw c.corrupt("directory listing of inode " + dir.number() + " ends inside a header");
            }
            long count = Integer.toUnsignedLong(c.u32()) + 1;
            long inodeBlock = Integer.toUnsignedLong(c.u32());
            long base = Integer.toUnsignedLong(c.u32());
            left -= 12;
            if (count > 256) {
                throw c.corrupt("entry count " + count + " exceeds 256");
            }
            if (inodeBlock >= ctx.sb.bytesUsed() - ctx.sb.inodeTableStart()) {
                throw c.corrupt("inode block 0x" + Long.toHexString(inodeBlock) + " is outside the inode table");
            }
            for (int k = 0; k < count; k++) {
                if (left < 9) {
                    throw c.corrupt("directory listing of inode " + dir.number() + " ends inside an entry");
                }
                int off = c.u16();
                int delta = (short) c.u16();
                int type = c.u16();
                int size = c.u16() + 1;
                left -= 8;
                if (off >= ImageContext.METADATA_SIZE) {
                    throw c.corrupt("entry inode offset " + off + " exceeds 8191");
                }
                if (type < 1 || type > 7) {
                    throw c.corrupt("entry type " + type + " is not a basic inode type");
                }
                if (size > MAX_NAME || size > left) {
                    throw c.corrupt("entry name of " + size + " bytes exceeds " + Math.min(MAX_NAME, left));
                }
                byte[] name = c.bytes(size);
                left -= size;
                checkName(c, name);
                long number = base + delta;
                DirEntry e = new DirEntry(name, type, inodeBlock << 16 | off, number);
                if (target == null) {
                    ((List<DirEntry>) sink).add(e);
                } else {
                    int cmp = Arrays.compareUnsigned(name, target);
                    if (cmp == 0) {
                        ((DirEntry[]) sink)[0] = e;
                        return;
                    }
                    if (cmp > 0) {
                        return;
                    }
                }
            }
        }
    }

    /** Names that would step out of a directory or are not names at all are corruption (§9.4). */
    private static void checkName(MetadataCursor c, byte[] name) throws CorruptImageException {
        if ((name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.')) {
            throw c.corrupt("entry name '" + new String(name, java.nio.charset.StandardCharsets.ISO_8859_1) + "' is reserved");
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                throw c.corrupt("entry name contains " + (b == 0 ? "a NUL byte" : "'/'"));
            }
        }
    }
}
