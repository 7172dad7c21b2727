package io.squashroot.squashfs.write;

/**
 * Everything {@link SquashfsWriter.Builder} validated, as one immutable value the package passes
 * around. Field names follow the mksquashfs flags they mirror.
 */
record WriterOptions(
        Compression compression,
        int level,
        boolean lz4Hc,
        int blockSize,
        boolean fragments,       // false = -no-fragments
        boolean tailPacking,     // -always-use-fragments
        boolean duplicates,      // false = -no-duplicates
        boolean sparse,          // false = -no-sparse
        boolean xattrs,          // false = -no-xattrs
        boolean allRoot,         // -all-root
        boolean exportTable,     // false = -no-exports
        boolean rawInodes,       // -noI
        boolean rawData,         // -noD
        boolean rawFragments,    // -noF
        boolean rawXattrs,       // -noX
        int threads,
        long mkfsTime,           // superblock mod_time
        long allTime,            // -1, or the mtime every inode gets (-all-time)
        long clampTime,          // -1, or the latest mtime stored (SOURCE_DATE_EPOCH clamps)
        boolean pad,
        boolean durable) {       // fsync before the rename

    int blockLog() {
        return Integer.numberOfTrailingZeros(blockSize);
    }

    BlockCompressor newCompressor() {
        return BlockCompressor.create(compression, level, blockSize, lz4Hc);
    }
}
