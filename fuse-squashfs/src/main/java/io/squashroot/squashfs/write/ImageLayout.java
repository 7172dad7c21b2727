package io.squashroot.squashfs.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Everything after the data area, in the one order the kernel and unsquashfs accept (format doc
 * §16-§17): inode table, directory table, fragment table, export table, ID table, xattr tables,
 * with no gaps; then the superblock at 0 and zero padding to 4 KiB.
 *
 * <p>Inodes are numbered and written in post-order (children before their directory), as
 * mksquashfs does: a directory's listing needs its children's references and numbers, and its
 * own inode needs the listing's position. The root is therefore last and has the highest number.
 */
final class ImageLayout {
    private static final long INVALID64 = -1L;
    private static final int INVALID32 = 0xFFFFFFFF;
    private static final long U32 = 0xFFFFFFFFL;

    private final WriterOptions opt;
    private final Inode root;
    private final DataArea data;
    private final MetadataWriter inodes;
    private final MetadataWriter dirs;
    private final IdTable ids = new IdTable();
    private final MetadataWriter xattrKv;
    private final XattrTable xattrs;
    private long[] exportRefs;
    private int inodeCount;

    ImageLayout(WriterOptions opt, Inode root, DataArea data) {
        this.opt = opt;
        this.root = root;
        this.data = data;
        BlockCompressor c = opt.newCompressor();
        this.inodes = new MetadataWriter(opt.rawInodes() ? null : c);
        this.dirs = new MetadataWriter(opt.rawInodes() ? null : c);
        this.xattrKv = new MetadataWriter(opt.rawXattrs() ? null : c);
        this.xattrs = new XattrTable(xattrKv);
    }

    /**
     * Writes the tables starting at {@code position} (end of the data area) and the superblock;
     * returns the final file length (padded).
     */
    long write(FileChannel ch, long position, byte[] compressorOptions) throws IOException {
        countLinks(root);
        root.linkCount = 2 + subdirectories(root);
        number(root);
        exportRefs = new long[inodeCount];
        writeInode(root, inodeCount + 1); // §13: mksquashfs gives the root parent inode_count + 1

        BlockCompressor c = opt.newCompressor();
        long inodeStart = position;
        inodes.finish();
        position = put(ch, position, inodes.bytes());
        long dirStart = position;
        dirs.finish();
        position = put(ch, position, dirs.bytes());

        long fragmentStart = position;
        int fragments = data.fragmentCount();
        if (fragments > 0) {
            MetadataWriter t = new MetadataWriter(opt.rawFragments() ? null : c);
            for (int i = 0; i < fragments; i++) {
                t.putLong(data.fragmentStart(i));
                t.putInt(data.fragmentWord(i));
                t.putInt(0);
            }
            fragmentStart = putTable(ch, position, t);
            position = fragmentStart + 8L * t.blockStarts().length;
        }

        long exportStart = INVALID64;
        if (opt.exportTable()) {
            MetadataWriter t = new MetadataWriter(opt.rawInodes() ? null : c);
            for (long ref : exportRefs) {
                t.putLong(ref);
            }
            exportStart = putTable(ch, position, t);
            position = exportStart + 8L * t.blockStarts().length;
        }

        MetadataWriter idt = new MetadataWriter(opt.rawInodes() ? null : c);
        ids.writeTo(idt);
        long idStart = putTable(ch, position, idt);
        position = idStart + 8L * idt.blockStarts().length;

        long xattrStart = INVALID64;
        if (xattrs.count() > 0) {
            long kvStart = position;
            xattrKv.finish();
            position = put(ch, position, xattrKv.bytes());
            MetadataWriter t = new MetadataWriter(opt.rawXattrs() ? null : c);
            xattrs.writeIds(t);
            t.finish();
            long idBlocks = position;
            position = put(ch, position, t.bytes());
            xattrStart = position;
            ByteBuffer h = le(16 + 8 * t.blockStarts().length);
            h.putLong(kvStart).putInt(xattrs.count()).putInt(0);
            for (long s : t.blockStarts()) {
                h.putLong(idBlocks + s);
            }
            position = put(ch, position, h.flip());
        }

        long bytesUsed = position;
        ByteBuffer sb = le(96);
        sb.putInt(0x73717368).putInt(inodeCount).putInt((int) opt.mkfsTime()).putInt(opt.blockSize())
                .putInt(fragments).putShort((short) opt.compression().id()).putShort((short) opt.blockLog())
                .putShort((short) flags(compressorOptions != null)).putShort((short) ids.size())
                .putShort((short) 4).putShort((short) 0)
                .putLong(root.ref).putLong(bytesUsed).putLong(idStart).putLong(xattrStart)
                .putLong(inodeStart).putLong(dirStart).putLong(fragmentStart).putLong(exportStart);
        put(ch, 0, sb.flip());
        long end = opt.pad() ? (bytesUsed + 4095) / 4096 * 4096 : bytesUsed;
        if (end > bytesUsed) {
            put(ch, end - 1, ByteBuffer.wrap(new byte[1]));
        }
        ch.truncate(end);
        return end;
    }

    int inodeCount() {
        return inodeCount;
    }

    private int flags(boolean options) {
        int f = 0;
        f |= opt.rawInodes() ? 0x0001 : 0;
        f |= opt.rawData() ? 0x0002 : 0;
        f |= opt.rawFragments() ? 0x0008 : 0;
        f |= opt.fragments() ? 0 : 0x0010;
        f |= opt.tailPacking() ? 0x0020 : 0;
        f |= opt.duplicates() ? 0x0040 : 0;
        f |= opt.exportTable() ? 0x0080 : 0;
        f |= opt.rawXattrs() ? 0x0100 : 0;
        f |= opt.xattrs() ? 0 : 0x0200;
        f |= options ? 0x0400 : 0;
        return f;
    }

    private static void countLinks(Inode dir) {
        for (Inode child : dir.children.values()) {
            if (child.isDirectory()) {
                child.linkCount = 2 + subdirectories(child);
                countLinks(child);
            } else {
                child.linkCount++;
            }
        }
    }

    private static int subdirectories(Inode dir) {
        int n = 0;
        for (Inode c : dir.children.values()) {
            n += c.isDirectory() ? 1 : 0;
        }
        return n;
    }

    /** Post-order numbering; a hard-linked inode gets its number at its first name. */
    private void number(Inode dir) {
        for (Inode child : dir.children.values()) {
            if (child.isDirectory()) {
                number(child);
            } else if (child.number == 0) {
                child.number = ++inodeCount;
            }
        }
        dir.number = ++inodeCount;
    }

    private void writeInode(Inode dir, int parentNumber) throws IOException {
        for (Inode child : dir.children.values()) {
            if (child.isDirectory()) {
                writeInode(child, dir.number);
            } else if (child.ref < 0) {
                writeLeaf(child);
            }
        }
        DirectoryListing.Written listing = DirectoryListing.write(dir, dirs);
        long fileSize = listing.length() + 3;
        int xattr = xattrIndex(dir);
        boolean extended = xattr != INVALID32 || !listing.index().isEmpty() || fileSize > 0xFFFF;
        if (fileSize > U32 || (listing.ref() >>> 16) > U32) {
            throw new IOException("directory table over 4 GiB: too many entries for SquashFS");
        }
        begin(dir, extended ? 8 : 1);
        if (extended) {
            inodes.putInt(dir.linkCount);
            inodes.putInt(fileSize);
            inodes.putInt(listing.ref() >>> 16);
            inodes.putInt(parentNumber);
            inodes.putShort(listing.index().size());
            inodes.putShort((int) (listing.ref() & 0xFFFF));
            inodes.putInt(xattr);
            for (DirectoryListing.IndexEntry e : listing.index()) {
                inodes.putInt(e.index());
                inodes.putInt(e.start());
                inodes.putInt(e.name().length - 1);
                inodes.put(e.name());
            }
        } else {
            inodes.putInt(listing.ref() >>> 16);
            inodes.putInt(dir.linkCount);
            inodes.putShort((int) fileSize);
            inodes.putShort((int) (listing.ref() & 0xFFFF));
            inodes.putInt(parentNumber);
        }
    }

    private void writeLeaf(Inode n) throws IOException {
        int xattr = xattrIndex(n);
        boolean ext = xattr != INVALID32;
        switch (n.kind) {
            case FILE -> writeFile(n, xattr);
            case SYMLINK -> {
                begin(n, ext ? 10 : 3);
                inodes.putInt(n.linkCount);
                inodes.putInt(n.target.length);
                inodes.put(n.target);
                if (ext) {
                    inodes.putInt(xattr);
                }
            }
            case BLOCK_DEVICE, CHAR_DEVICE -> {
                begin(n, n.kind.basicType + (ext ? 7 : 0));
                inodes.putInt(n.linkCount);
                // §6.8: Linux's 32-bit "new" dev_t encoding
                inodes.putInt((n.minor & 0xFF) | (n.major << 8) | ((long) (n.minor & ~0xFF) << 12));
                if (ext) {
                    inodes.putInt(xattr);
                }
            }
            case FIFO, SOCKET -> {
                begin(n, n.kind.basicType + (ext ? 7 : 0));
                inodes.putInt(n.linkCount);
                if (ext) {
                    inodes.putInt(xattr);
                }
            }
            default -> throw new AssertionError(n.kind);
        }
    }

    private void writeFile(Inode n, int xattr) throws IOException {
        FileData d = n.data;
        int[] words = d.words();
        long sparse = d.sparseBytes >= d.size && d.size > 0 ? d.size - 1 : d.sparseBytes;
        boolean basic = xattr == INVALID32 && n.linkCount == 1 && sparse == 0
                && d.size <= U32 && d.blocksStart <= U32;
        int frag = d.fragmentIndex < 0 ? INVALID32 : d.fragmentIndex;
        if (basic) {
            begin(n, 2);
            inodes.putInt(d.blocksStart);
            inodes.putInt(frag);
            inodes.putInt(d.fragmentOffset);
            inodes.putInt(d.size);
        } else {
            begin(n, 9);
            inodes.putLong(d.blocksStart);
            inodes.putLong(d.size);
            inodes.putLong(sparse);
            inodes.putInt(n.linkCount);
            inodes.putInt(frag);
            inodes.putInt(d.fragmentOffset);
            inodes.putInt(xattr);
        }
        for (int w : words) {
            inodes.putInt(w);
        }
    }

    /** Common header (§6.1); records the inode's reference for entries and the export table. */
    private void begin(Inode n, int type) throws IOException {
        n.ref = inodes.ref();
        exportRefs[n.number - 1] = n.ref;
        long uid = opt.allRoot() ? 0 : n.uid;
        long gid = opt.allRoot() ? 0 : n.gid;
        long mtime = opt.allTime() >= 0 ? opt.allTime()
                : opt.clampTime() >= 0 ? Math.min(n.mtime, opt.clampTime()) : n.mtime;
        inodes.putShort(type);
        inodes.putShort(n.permissions & 07777);
        inodes.putShort(ids.indexOf(uid));
        inodes.putShort(ids.indexOf(gid));
        inodes.putInt(Math.max(0, Math.min(mtime, U32)));
        inodes.putInt(n.number);
    }

    private int xattrIndex(Inode n) {
        if (!opt.xattrs() || !n.hasXattrs()) {
            return INVALID32;
        }
        int i = xattrs.add(n.xattrs);
        return i < 0 ? INVALID32 : i;
    }

    /** Writes a lookup table's blocks and then its index list; returns the index list's position. */
    private static long putTable(FileChannel ch, long position, MetadataWriter t) throws IOException {
        t.finish();
        long blocks = position;
        long listAt = put(ch, position, t.bytes());
        long[] starts = t.blockStarts();
        ByteBuffer list = le(8 * starts.length);
        for (long s : starts) {
            list.putLong(blocks + s);
        }
        put(ch, listAt, list.flip());
        return listAt;
    }

    private static long put(FileChannel ch, long position, MetadataWriter.GrowableBytes b) throws IOException {
        return put(ch, position, ByteBuffer.wrap(b.array(), 0, b.size()));
    }

    private static long put(FileChannel ch, long position, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            position += ch.write(b, position);
        }
        return position;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
