package io.squashroot.squashfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 96-byte superblock at position 0 (format reference §2). Positions are absolute byte
 * offsets in the image; {@link #NO_TABLE} marks an absent table.
 */
public record Superblock(
        long inodeCount,
        long modTime,
        int blockSize,
        long fragmentCount,
        int compressionId,
        int blockLog,
        int flags,
        int idCount,
        int versionMajor,
        int versionMinor,
        long rootInodeRef,
        long bytesUsed,
        long idTableStart,
        long xattrIdTableStart,
        long inodeTableStart,
        long directoryTableStart,
        long fragmentTableStart,
        long exportTableStart) {

    /** Size of the superblock on disk. */
    public static final int SIZE = 96;
    /** "hsqs" read little-endian. */
    public static final int MAGIC = 0x73717368;
    /** Table position meaning "absent" (INVALID64). */
    public static final long NO_TABLE = -1L;

    /** Flag 0x0400: a compressor options block follows the superblock. */
    public static final int FLAG_COMPRESSOR_OPTIONS = 0x0400;

    /** Name of the compressor, as mksquashfs spells it ({@code -comp}). */
    public String compressionName() {
        return Compression.name(compressionId);
    }

    public boolean hasExportTable() {
        return exportTableStart != NO_TABLE;
    }

    public boolean hasXattrs() {
        return xattrIdTableStart != NO_TABLE;
    }

    /**
     * Parses and validates (§2.3) the superblock. Table pointers are checked against
     * {@code bytes_used}; the table order is deliberately not assumed (§17).
     */
    static Superblock parse(String image, ByteBuffer raw, long fileSize) throws java.io.IOException {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            throw new CorruptImageException(String.format(
                    "%s: superblock at 0x0: bad magic 0x%08x (not a SquashFS image)", image, magic));
        }
        Superblock sb = new Superblock(
                Integer.toUnsignedLong(b.getInt(4)),
                Integer.toUnsignedLong(b.getInt(8)),
                b.getInt(12),
                Integer.toUnsignedLong(b.getInt(16)),
                b.getShort(20) & 0xFFFF,
                b.getShort(22) & 0xFFFF,
                b.getShort(24) & 0xFFFF,
                b.getShort(26) & 0xFFFF,
                b.getShort(28) & 0xFFFF,
                b.getShort(30) & 0xFFFF,
                b.getLong(32), b.getLong(40), b.getLong(48), b.getLong(56),
                b.getLong(64), b.getLong(72), b.getLong(80), b.getLong(88));
        sb.validate(image, fileSize);
        return sb;
    }

    private void validate(String image, long fileSize) throws java.io.IOException {
        if (versionMajor != 4 || versionMinor != 0) {
            throw new UnsupportedFeatureException(String.format(
                    "%s: SquashFS version %d.%d (only 4.0 is supported)", image, versionMajor, versionMinor));
        }
        if (blockSize < 4096 || blockSize > (1 << 20) || Integer.bitCount(blockSize) != 1) {
            throw bad(image, 12, "block size " + Integer.toUnsignedString(blockSize) + " is not a power of two in 4096..1048576");
        }
        if (blockLog > 20 || (1 << blockLog) != blockSize) {
            throw bad(image, 22, "block_log " + blockLog + " disagrees with block size " + blockSize);
        }
        if (compressionId < 1 || compressionId > 6) {
            throw new UnsupportedFeatureException(String.format(
                    "%s: compression id %d (known: 1 gzip, 2 lzma, 3 lzo, 4 xz, 5 lz4, 6 zstd)", image, compressionId));
        }
        if (bytesUsed < SIZE || bytesUsed > fileSize) {
            throw bad(image, 40, "bytes_used " + Long.toUnsignedString(bytesUsed) + " exceeds the file size " + fileSize
                    + " (truncated image?)");
        }
        if (idCount == 0) {
            throw bad(image, 26, "id count is 0");
        }
        if (inodeCount == 0) {
            throw bad(image, 4, "inode count is 0");
        }
        checkPosition(image, 64, "inode_table_start", inodeTableStart);
        checkPosition(image, 72, "directory_table_start", directoryTableStart);
        checkPosition(image, 48, "id_table_start", idTableStart);
        if (inodeTableStart >= directoryTableStart) {
            throw bad(image, 64, "inode table start 0x" + Long.toHexString(inodeTableStart)
                    + " is not before directory table start 0x" + Long.toHexString(directoryTableStart));
        }
        if (fragmentCount > 0) {
            checkPosition(image, 80, "fragment_table_start", fragmentTableStart);
        }
        if (exportTableStart != NO_TABLE) {
            checkPosition(image, 88, "export_table_start", exportTableStart);
        }
        if (xattrIdTableStart != NO_TABLE) {
            checkPosition(image, 56, "xattr_id_table_start", xattrIdTableStart);
        }
        if ((rootInodeRef & 0xFFFF) >= 8192 || (rootInodeRef >>> 16) >= directoryTableStart - inodeTableStart) {
            throw bad(image, 32, "root inode reference 0x" + Long.toHexString(rootInodeRef) + " is outside the inode table");
        }
    }

    private void checkPosition(String image, int field, String name, long pos) throws CorruptImageException {
        if (pos < SIZE || pos >= bytesUsed) {
            throw bad(image, field, name + " 0x" + Long.toHexString(pos) + " is outside the image (bytes_used 0x"
                    + Long.toHexString(bytesUsed) + ")");
        }
    }

    private static CorruptImageException bad(String image, int field, String detail) {
        return new CorruptImageException(String.format("%s: superblock at 0x%x: %s", image, field, detail));
    }
}
