package io.squashroot.squashfs.write;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes SquashFS 4.0 images that the Linux kernel, unsquashfs and squashfuse read, from a
 * directory ({@link #writeDirectory}), a tar stream ({@link #writeTar}, {@link #writeLayer}) or
 * any {@link io.squashroot.tree.FsTree} ({@link #writeTree}).
 *
 * <pre>{@code
 * SquashfsWriter w = SquashfsWriter.builder().compression(Compression.ZSTD).compressionLevel(3).build();
 * w.writeDirectory(Path.of("rootfs"), Path.of("image.sqsh"));
 * }</pre>
 *
 * <p>How: file data streams into compressed blocks as it is read, compressed by a pool of
 * {@code threads} workers and written in order; only metadata (the inode tree, then the inode
 * and directory tables) is held in memory. The image is written under a temporary name in the
 * target directory and renamed into place when complete; on failure it is deleted, so a
 * half-written image never appears under the target name.
 *
 * <p>Defaults follow mksquashfs 4.5.1: gzip level 9, 128 KiB blocks, fragments, duplicate
 * detection, sparse zero blocks, xattrs, an export table, 4 KiB padding. When the environment has
 * SOURCE_DATE_EPOCH, it is the image time and every later file time is clamped to it (as
 * mksquashfs does), so the same input and options give byte-identical images.
 *
 * <p>Instances are immutable and can write several images, one after the other or at once.
 */
public final class SquashfsWriter {
    private final WriterOptions options;

    private SquashfsWriter(WriterOptions options) {
        this.options = options;
    }

    /** A builder with mksquashfs's defaults and SOURCE_DATE_EPOCH taken from the environment. */
    public static Builder builder() {
        return new Builder(System.getenv());
    }

    /** A builder reading SOURCE_DATE_EPOCH from {@code environment} instead of the process's. */
    public static Builder builder(Map<String, String> environment) {
        return new Builder(environment);
    }

    /** What one write produced. {@code warnings} are one line each (skipped xattrs, names). */
    public record Result(Path image, long bytes, int inodes, List<String> warnings) {
    }

    /** Writes the tree under {@code directory} (its own attributes become the root's). */
    public Result writeDirectory(Path directory, Path image) throws IOException {
        return write(image, (builder, skip) -> new DirectorySource(directory, skip).populate(builder));
    }

    /**
     * Converts a tar stream (plain, gzip or zstd, detected from its first bytes) in one pass
     * without unpacking it. {@code .wh.} entries are kept as ordinary files; use
     * {@link #writeLayer} for OCI layer semantics. Hostile entries (absolute paths, ".."
     * escaping the root, hard links to missing or escaping targets) fail the write with a
     * one-line message naming the entry.
     */
    public Result writeTar(InputStream tar, Path image) throws IOException {
        return write(image, (builder, skip) -> new TarSource(tar, Whiteouts.KEEP).populate(builder));
    }

    /**
     * Converts one OCI/Docker layer tar into a layer image in the overlayfs format the overlay
     * reads: {@code .wh.NAME} becomes a character device 0:0 named NAME, {@code .wh..wh..opq}
     * becomes xattr {@code trusted.overlay.opaque=y} on its directory (docs/layer-format.md).
     */
    public Result writeLayer(InputStream layerTar, Path image) throws IOException {
        return write(image, (builder, skip) -> new TarSource(layerTar, Whiteouts.OVERLAY).populate(builder));
    }

    /** Writes the tree an {@link io.squashroot.tree.FsTree} shows, read through its read methods. */
    public Result writeTree(io.squashroot.tree.FsTree tree, Path image) throws IOException {
        return write(image, (builder, skip) -> new TreeSource(tree).populate(builder));
    }

    /**
     * Flattens layer trees, lowest first, into one image: whiteouts (char 0:0 or {@code .wh.}
     * names) and opaque directories of upper layers hide what lies below, and the markers
     * themselves are not stored. Each layer is typically a mounted or opened layer image.
     */
    public Result writeFlattened(List<? extends io.squashroot.tree.FsTree> layersLowestFirst, Path image)
            throws IOException {
        return write(image, (builder, skip) -> new FlattenSource(layersLowestFirst).populate(builder));
    }

    /** The options this writer uses (for tests and diagnostics). */
    WriterOptions options() {
        return options;
    }

    @FunctionalInterface
    interface Source {
        /** Adds every node to {@code builder}; {@code skip} is the output's file key (to ignore). */
        void populate(ImageBuilder builder, Object skip) throws IOException;
    }

    @SuppressWarnings("try") // the channel is closed before the rename, and again (no-op) by try
    Result write(Path image, Source source) throws IOException {
        Path target = image.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean done = false;
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), daemonThreads());
        DataArea data = null;
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ch.truncate(0);
            byte[] compressorOptions = BlockCompressor.optionsBlock(options.compression(), options.level(),
                    options.blockSize(), options.lz4Hc());
            long start = 96;
            if (compressorOptions != null) {
                ByteBuffer b = ByteBuffer.allocate(2 + compressorOptions.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.putShort((short) (0x8000 | compressorOptions.length)).put(compressorOptions).flip();
                while (b.hasRemaining()) {
                    start += ch.write(b, start);
                }
            }
            data = new DataArea(ch, start, options, pool);
            ImageBuilder builder = new ImageBuilder(options, data);
            Object skip = Files.readAttributes(temp, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            source.populate(builder, skip);
            data.finish();
            ImageLayout layout = new ImageLayout(options, builder.root, data);
            long length = layout.write(ch, data.position(), compressorOptions);
            if (options.durable()) {
                ch.force(false);
            }
            ch.close();
            moveIntoPlace(temp, target);
            done = true;
            return new Result(target, length, layout.inodeCount(), builder.warnings());
        } finally {
            if (!done && data != null) {
                data.abort();
            }
            pool.shutdownNow();
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "squashfs-compress-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Validating builder; every setter names mksquashfs's flag where there is one. {@link #build}
     * rejects impossible combinations with a message naming the value.
     */
    public static final class Builder {
        private Compression compression = Compression.GZIP;
        private Integer level;
        private boolean lz4Hc;
        private int blockSize = 128 * 1024;
        private boolean fragments = true;
        private boolean tailPacking;
        private boolean duplicates = true;
        private boolean sparse = true;
        private boolean xattrs = true;
        private boolean allRoot;
        private boolean exportTable = true;
        private boolean rawInodes;
        private boolean rawData;
        private boolean rawFragments;
        private boolean rawXattrs;
        private int threads = Runtime.getRuntime().availableProcessors();
        private Long mkfsTime;
        private long allTime = -1;
        private long clampTime = -1;
        private boolean pad = true;
        private boolean durable = true;

        private Builder(Map<String, String> env) {
            String sde = env.get("SOURCE_DATE_EPOCH");
            if (sde != null && !sde.isBlank()) {
                long t;
                try {
                    t = Long.parseLong(sde.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("SOURCE_DATE_EPOCH '" + sde + "' is not a number of seconds");
                }
                checkTime("SOURCE_DATE_EPOCH", t);
                mkfsTime = t;
                clampTime = t;
            }
        }

        /** -comp */
        public Builder compression(Compression c) {
            this.compression = java.util.Objects.requireNonNull(c);
            return this;
        }

        /** -Xcompression-level (gzip 1..9, zstd 1..22, xz preset 0..9; lz4 and lzo have none). */
        public Builder compressionLevel(int level) {
            this.level = level;
            return this;
        }

        /** lz4 -Xhc: LZ4 high compression. */
        public Builder lz4HighCompression(boolean hc) {
            this.lz4Hc = hc;
            return this;
        }

        /** -b: a power of two from 4 KiB to 1 MiB. */
        public Builder blockSize(int bytes) {
            this.blockSize = bytes;
            return this;
        }

        /** false = -no-fragments: every tail is a short final block. */
        public Builder fragments(boolean on) {
            this.fragments = on;
            return this;
        }

        /** -always-use-fragments: tails of multi-block files go to fragments too. */
        public Builder alwaysUseFragments(boolean on) {
            this.tailPacking = on;
            return this;
        }

        /** false = -no-duplicates. */
        public Builder duplicates(boolean on) {
            this.duplicates = on;
            return this;
        }

        /** false = -no-sparse: zero blocks are stored like any other. */
        public Builder sparse(boolean on) {
            this.sparse = on;
            return this;
        }

        /** false = -no-xattrs. */
        public Builder xattrs(boolean on) {
            this.xattrs = on;
            return this;
        }

        /** -all-root: every file owned by 0:0. */
        public Builder allRoot(boolean on) {
            this.allRoot = on;
            return this;
        }

        /** false = -no-exports: no NFS export table. */
        public Builder exportTable(boolean on) {
            this.exportTable = on;
            return this;
        }

        /** -noI: inode, directory, export and id tables stored uncompressed. */
        public Builder uncompressedInodes(boolean on) {
            this.rawInodes = on;
            return this;
        }

        /** -noD: data blocks stored uncompressed. */
        public Builder uncompressedData(boolean on) {
            this.rawData = on;
            return this;
        }

        /** -noF: fragment blocks (and the fragment table) stored uncompressed. */
        public Builder uncompressedFragments(boolean on) {
            this.rawFragments = on;
            return this;
        }

        /** -noX: xattr tables stored uncompressed. */
        public Builder uncompressedXattrs(boolean on) {
            this.rawXattrs = on;
            return this;
        }

        /** -processors: compression threads (default: available processors). */
        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        /** -mkfs-time: the superblock time, seconds since the epoch (default: SOURCE_DATE_EPOCH or now). */
        public Builder mkfsTime(long seconds) {
            checkTime("mkfs time", seconds);
            this.mkfsTime = seconds;
            return this;
        }

        /** -all-time: every inode gets this mtime. */
        public Builder allTime(long seconds) {
            checkTime("all-time", seconds);
            this.allTime = seconds;
            return this;
        }

        /** false = -nopad: the file ends at bytes_used instead of the next 4 KiB. */
        public Builder pad(boolean on) {
            this.pad = on;
            return this;
        }

        /**
         * false: skip the fsync before the image is renamed into place (what mksquashfs does).
         * Default true: a cache of images must not keep a file that a crash left half on disk.
         */
        public Builder durable(boolean on) {
            this.durable = on;
            return this;
        }

        public SquashfsWriter build() {
            if (blockSize < 4096 || blockSize > 1 << 20 || Integer.bitCount(blockSize) != 1) {
                throw new IllegalArgumentException("block size " + blockSize
                        + " is not a power of two from 4096 to 1048576");
            }
            int lvl = level == null ? compression.defaultLevel() : level;
            if (!compression.acceptsLevel(lvl)) {
                throw new IllegalArgumentException("compression level " + lvl + " is not valid for "
                        + compression.mksquashfsName() + " (levels: " + compression.levelRange() + ")");
            }
            if (lz4Hc && compression != Compression.LZ4) {
                throw new IllegalArgumentException("-Xhc applies to lz4 only, not " + compression.mksquashfsName());
            }
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("thread count " + threads + " is not between 1 and 1024");
            }
            if (tailPacking && !fragments) {
                throw new IllegalArgumentException("-always-use-fragments contradicts -no-fragments");
            }
            long now = mkfsTime != null ? mkfsTime : System.currentTimeMillis() / 1000;
            return new SquashfsWriter(new WriterOptions(compression, lvl, lz4Hc, blockSize, fragments, tailPacking,
                    duplicates, sparse, xattrs, allRoot, exportTable, rawInodes, rawData, rawFragments, rawXattrs,
                    threads, now, allTime, clampTime, pad, durable));
        }

        private static void checkTime(String what, long t) {
            if (t < 0 || t > 0xFFFFFFFFL) {
                throw new IllegalArgumentException(what + " " + t + " is outside 0..4294967295 (SquashFS stores u32 seconds)");
            }
        }
    }
}
