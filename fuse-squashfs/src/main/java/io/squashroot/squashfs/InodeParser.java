package io.squashroot.squashfs;

import java.io.IOException;
import java.util.Arrays;

/**
 * Decodes inodes (§6) from the inode table. Every count and length is checked before anything
 * is allocated for it; a file's block list grows as its words are actually read, so a hostile
 * {@code file_size} cannot make the reader allocate ahead of the metadata that backs it.
 */
final class InodeParser {
    /** Linux PATH_MAX - 1: the longest symlink target that can be created (§6.7). */
    static final int MAX_SYMLINK = 4095;

    private final ImageContext ctx;
    private final long[] ids;
    private final long xattrCount;

    InodeParser(ImageContext ctx, long[] ids, long xattrCount) {
        this.ctx = ctx;
        this.ids = ids;
        this.xattrCount = xattrCount;
    }

    Inode parse(long ref) throws IOException {
        long block = ref >>> 16;
        int offset = (int) (ref & 0xFFFF);
        long tableLen = ctx.sb.bytesUsed() - ctx.sb.inodeTableStart();
        if (ref < 0 || block >= tableLen || offset >= ImageContext.METADATA_SIZE) {
            throw ctx.corrupt("inode reference", ctx.sb.inodeTableStart(), "reference 0x" + Long.toHexString(ref)
                    + " is outside the inode table");
        }
        MetadataCursor c = new MetadataCursor(ctx, "inode", ctx.sb.inodeTableStart() + block, offset);
        int type = c.u16();
        int perms = c.u16();
        int uidIdx = c.u16();
        int gidIdx = c.u16();
        long mtime = Integer.toUnsignedLong(c.u32());
        long number = Integer.toUnsignedLong(c.u32());
        if (type < 1 || type > 14) {
            throw corrupt(ref, "unknown inode type " + type);
        }
        if (perms > 07777) {
            throw corrupt(ref, "permissions 0" + Integer.toOctalString(perms) + " have bits above 07777");
        }
        if (number == 0 || number > ctx.sb.inodeCount()) {
            throw corrupt(ref, "inode number " + number + " is not in 1.." + ctx.sb.inodeCount());
        }
        long uid = id(ref, uidIdx, "uid");
        long gid = id(ref, gidIdx, "gid");
        return switch (type) {
            case 1 -> {
                long blockStart = Integer.toUnsignedLong(c.u32());
                long links = Integer.toUnsignedLong(c.u32());
                int fileSize = c.u16();
                int blockOffset = c.u16();
                long parent = Integer.toUnsignedLong(c.u32());
                yield directory(ref, attrs(type, perms, uid, gid, mtime, number, links, Inode.NO_XATTRS, ref),
                        blockStart, blockOffset, fileSize, parent, 0);
            }
            case 8 -> {
                long links = Integer.toUnsignedLong(c.u32());
                long fileSize = Integer.toUnsignedLong(c.u32());
                long blockStart = Integer.toUnsignedLong(c.u32());
                long parent = Integer.toUnsignedLong(c.u32());
                int indexCount = c.u16();
                int blockOffset = c.u16();
                int xattr = xattr(ref, c.u32());
                yield directory(ref, attrs(type, perms, uid, gid, mtime, number, links, xattr, ref),
                        blockStart, blockOffset, fileSize, parent, indexCount);
            }
            case 2 -> {
                long start = Integer.toUnsignedLong(c.u32());
                int frag = c.u32();
                int fragOffset = c.u32();
                long size = Integer.toUnsignedLong(c.u32());
                yield file(c, ref, attrs(type, perms, uid, gid, mtime, number, 1, Inode.NO_XATTRS, ref),
                        start, size, 0, frag, fragOffset);
            }
            case 9 -> {
                long start = c.u64();
                long size = c.u64();
                long sparse = c.u64();
                long links = Integer.toUnsignedLong(c.u32());
                int frag = c.u32();
                int fragOffset = c.u32();
                int xattr = xattr(ref, c.u32());
                yield file(c, ref, attrs(type, perms, uid, gid, mtime, number, links, xattr, ref),
                        start, size, sparse, frag, fragOffset);
            }
            case 3, 10 -> {
                long links = Integer.toUnsignedLong(c.u32());
                long len = Integer.toUnsignedLong(c.u32());
                if (len > MAX_SYMLINK) {
                    throw corrupt(ref, "symlink target of " + len + " bytes exceeds " + MAX_SYMLINK);
                }
                byte[] target = c.bytes((int) len);
                int xattr = type == 10 ? xattr(ref, c.u32()) : Inode.NO_XATTRS;
                yield new Inode.Symlink(attrs(type, perms, uid, gid, mtime, number, links, xattr, ref), target);
            }
            case 4, 5, 11, 12 -> {
                long links = Integer.toUnsignedLong(c.u32());
                int rdev = c.u32();
                int xattr = type > 7 ? xattr(ref, c.u32()) : Inode.NO_XATTRS;
                Inode.Attributes a = attrs(type, perms, uid, gid, mtime, number, links, xattr, ref);
                yield type == 4 || type == 11 ? new Inode.BlockDevice(a, rdev) : new Inode.CharDevice(a, rdev);
            }
            default -> {
                long links = Integer.toUnsignedLong(c.u32());
                int xattr = type > 7 ? xattr(ref, c.u32()) : Inode.NO_XATTRS;
                Inode.Attributes a = attrs(type, perms, uid, gid, mtime, number, links, xattr, ref);
                yield type == 6 || type == 13 ? new Inode.Fifo(a) : new Inode.Socket(a);
            }
        };
    }

    private static Inode.Attributes attrs(int type, int perms, long uid, long gid, long mtime, long number,
                                          long links, int xattr, long ref) {
        return new Inode.Attributes(type, perms, uid, gid, mtime, number, links, xattr, ref);
    }

    private Inode directory(long ref, Inode.Attributes a, long blockStart, int blockOffset, long fileSize,
                            long parent, int indexCount) throws CorruptImageException {
        if (fileSize < 3) {
            throw corrupt(ref, "directory size " + fileSize + " is below the minimum 3");
        }
        if (blockOffset >= ImageContext.METADATA_SIZE) {
            throw corrupt(ref, "directory block offset " + blockOffset + " exceeds 8191");
        }
        if (fileSize > 3 && blockStart >= ctx.sb.bytesUsed() - ctx.sb.directoryTableStart()) {
            throw corrupt(ref, "directory block 0x" + Long.toHexString(blockStart) + " is outside the directory table");
        }
        return new Inode.Directory(a, blockStart, blockOffset, fileSize, parent, indexCount);
    }

    private Inode file(MetadataCursor c, long ref, Inode.Attributes a, long start, long size, long sparse,
                       int frag, int fragOffset) throws IOException {
        int bs = ctx.sb.blockSize();
        if (size < 0) {
            throw corrupt(ref, "file size " + Long.toUnsignedString(size) + " is too large");
        }
        if (start < 0 || (start != 0 && start >= ctx.sb.bytesUsed())) {
            throw corrupt(ref, "data start 0x" + Long.toHexString(start) + " is outside the image");
        }
        long count;
        if (frag == Inode.RegularFile.NO_FRAGMENT) {
            count = (size + bs - 1) / bs;
        } else {
            if (Integer.toUnsignedLong(frag) >= ctx.sb.fragmentCount()) {
                throw corrupt(ref, "fragment index " + Integer.toUnsignedString(frag) + " exceeds the fragment count "
                        + ctx.sb.fragmentCount());
            }
            if (size % bs == 0) {
                throw corrupt(ref, "file of " + size + " bytes has a fragment but no tail");
            }
            if (fragOffset < 0 || fragOffset >= bs) {
                throw corrupt(ref, "fragment offset " + Integer.toUnsignedString(fragOffset) + " exceeds the block size");
            }
            count = size / bs;
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw corrupt(ref, "file of " + size + " bytes has more blocks than this reader can index");
        }
        // Grow as words arrive: the allocation stays proportional to metadata actually present.
        int n = (int) count;
        int[] words = new int[Math.min(n, 4096)];
        for (int i = 0; i < n; i++) {
            if (i == words.length) {
                words = Arrays.copyOf(words, (int) Math.min(n, (long) words.length * 2));
            }
            int w = c.u32();
            if ((w >>> 25) != 0 || (w & 0x00FF_FFFF) > bs) {
                throw corrupt(ref, "block " + i + " size word 0x" + Integer.toHexString(w) + " is invalid for block size " + bs);
            }
            words[i] = w;
        }
        return new Inode.RegularFile(a, start, size, sparse, frag, frag == Inode.RegularFile.NO_FRAGMENT ? 0 : fragOffset,
                BlockList.of(words, n));
    }

    private long id(long ref, int index, String what) throws CorruptImageException {
        if (index >= ids.length) {
            throw corrupt(ref, what + " index " + index + " exceeds the id count " + ids.length);
        }
        return ids[index];
    }

    private int xattr(long ref, int index) throws CorruptImageException {
        if (index == Inode.NO_XATTRS) {
            return index;
        }
        if (Integer.toUnsignedLong(index) >= xattrCount) {
            throw corrupt(ref, "xattr index " + Integer.toUnsignedString(index) + " exceeds the xattr id count " + xattrCount);
        }
        return index;
    }

    private CorruptImageException corrupt(long ref, String detail) {
        return ctx.corrupt("inode", ctx.sb.inodeTableStart() + (ref >>> 16), (int) (ref & 0xFFFF), detail);
    }
}
