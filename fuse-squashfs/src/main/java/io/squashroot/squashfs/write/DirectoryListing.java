package io.squashroot.squashfs.write;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one directory's listing into the directory table (format doc §9): runs of at most 256
 * entries under a header, split where mksquashfs splits them (§9.6) — when the inode block
 * changes, when an inode number is out of the s16 delta range, and every ~8 KiB of listing,
 * where a directory index entry (§9.7) lets the kernel's lookup skip ahead.
 */
final class DirectoryListing {
    /** Longest run the kernel accepts (SQUASHFS_DIR_COUNT). */
    static final int MAX_RUN = 256;
    private static final int HEADER = 12;

    /** A directory index entry: header offset in the listing, its block, its first name. */
    record IndexEntry(long index, long start, byte[] name) {
    }

    /** Where the listing went. */
    record Written(long ref, long length, List<IndexEntry> index) {
    }

    private record Run(boolean indexed, long block, int base, List<Map.Entry<byte[], Inode>> entries) {
    }

    private DirectoryListing() {
    }

    static Written write(Inode dir, MetadataWriter table) {
        List<Run> runs = split(dir);
        long ref = table.ref();
        long start = table.logicalSize();
        List<IndexEntry> index = new ArrayList<>();
        for (Run run : runs) {
            if (run.indexed()) {
                index.add(new IndexEntry(table.logicalSize() - start, table.blockPosition(),
                        run.entries().get(0).getKey()));
            }
            table.putInt(run.entries().size() - 1);
            table.putInt(run.block());
            table.putInt(run.base());
            for (Map.Entry<byte[], Inode> e : run.entries()) {
                Inode child = e.getValue();
                byte[] name = e.getKey();
                table.putShort((int) (child.ref & 0xFFFF));
                table.putShort(child.number - run.base());
                table.putShort(child.kind.basicType);
                table.putShort(name.length - 1);
                table.put(name);
            }
        }
        return new Written(ref, table.logicalSize() - start, index);
    }

    private static List<Run> split(Inode dir) {
        List<Run> runs = new ArrayList<>();
        Run run = null;
        long sinceIndex = 0;
        for (Map.Entry<byte[], Inode> e : dir.children.entrySet()) {
            Inode child = e.getValue();
            long block = child.ref >>> 16;
            int size = 8 + e.getKey().length;
            boolean indexed = false;
            boolean fresh = run == null
                    || run.entries().size() == MAX_RUN
                    || run.block() != block
                    || child.number - run.base() > Short.MAX_VALUE
                    || child.number - run.base() < Short.MIN_VALUE;
            if (run != null && sinceIndex + size + (fresh ? HEADER : 0) > MetadataWriter.CHUNK) {
                fresh = true;
                indexed = true;
            }
            if (fresh) {
                if (indexed) {
                    sinceIndex = 0;
                }
                run = new Run(indexed, block, child.number, new ArrayList<>());
                runs.add(run);
                sinceIndex += HEADER;
            }
            run.entries().add(e);
            sinceIndex += size;
        }
        return runs;
    }
}
