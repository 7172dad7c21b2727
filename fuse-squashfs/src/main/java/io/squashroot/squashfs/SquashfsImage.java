package io.squashroot.squashfs;

import io.squashroot.tree.NameBytes;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only SquashFS 4.0 image, read in place.
 *
 * <p>Opening reads and checks the superblock and loads the small tables (ids, index lists);
 * everything else is decoded on demand through a {@link BlockCache}. All methods are safe to
 * call from any number of threads at once: reads are positional and there is no shared cursor.
 * Damaged or hostile images raise {@link CorruptImageException} with a one-line message naming
 * the image, the structure and its position; nothing is allocated beyond what the format allows
 * for the structure being read.
 *
 * <pre>{@code
 * try (SquashfsImage img = SquashfsImage.open(Path.of("ubuntu.sqsh"))) {
 *     Inode.RegularFile f = (Inode.RegularFile) img.lookup("/etc/os-release").orElseThrow();
 *     ByteBuffer buf = ByteBuffer.allocate((int) f.size());
 *     img.read(f, 0, buf);
 * }
 * }</pre>
 */
public final class SquashfsImage implements Closeable {
    /** Symlink depth is not followed here; path lookups resolve names only. */
    private final ImageContext ctx;
    private final InodeParser inodes;
    private final DirectoryReader dirs;
    private final FileData data;
    private final XattrTable xattrs;
    private final LookupTable exports;
    private final Inode.Directory root;
    private final ReadCounters counters;

    private SquashfsImage(ImageContext ctx, ReadCounters counters) throws IOException {
        this.ctx = ctx;
        this.counters = counters;
        Superblock sb = ctx.sb;
        checkOptions();
        long[] ids = loadIds();
        this.xattrs = sb.hasXattrs() ? XattrTable.open(ctx) : null;
        LookupTable fragments = sb.fragmentCount() > 0
                ? new LookupTable(ctx, "fragment table", sb.fragmentTableStart(), sb.fragmentCount(), 16) : null;
        this.exports = sb.hasExportTable()
                ? new LookupTable(ctx, "export table", sb.exportTableStart(), sb.inodeCount(), 8) : null;
        this.inodes = new InodeParser(ctx, ids, xattrs == null ? 0 : xattrs.count());
        this.dirs = new DirectoryReader(ctx);
        this.data = new FileData(ctx, fragments);
        Inode r = inodes.parse(sb.rootInodeRef());
        if (!(r instanceof Inode.Directory d)) {
            throw ctx.corrupt("superblock", 32, "root inode is a " + r.getClass().getSimpleName() + ", not a directory");
        }
        this.root = d;
    }

    /** Opens {@code path} with the process-wide {@link BlockCache#shared()}. */
    public static SquashfsImage open(Path path) throws IOException {
        return open(path, BlockCache.shared());
    }

    /**
     * Opens {@code path} caching decoded blocks in {@code cache}, reading as the environment says
     * for where the image lies ({@link ReadSettings#forImage}).
     */
    public static SquashfsImage open(Path path, BlockCache cache) throws IOException {
        return open(path, cache, ReadSettings.forImage(path));
    }

    /** Opens {@code path} caching decoded blocks in {@code cache} and reading the file as {@code reads} says. */
    public static SquashfsImage open(Path path, BlockCache cache, ReadSettings reads) throws IOException {
        ReadCounters counters = new ReadCounters();
        FileImageSource file = new FileImageSource(path, counters);
        try {
            String name = path.toString();
            Superblock sb = readSuperblock(name, file);
            ImageSource source = ImageSources.open(file, sb, reads, counters);
            return new SquashfsImage(new ImageContext(name, sb, source, cache), counters);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    static Superblock readSuperblock(String name, FileImageSource source) throws IOException {
        if (source.size() < Superblock.SIZE) {
            throw new CorruptImageException(name + ": superblock at 0x0: file of " + source.size()
                    + " bytes is shorter than the 96-byte superblock");
        }
        ByteBuffer raw = ByteBuffer.allocate(Superblock.SIZE);
        source.readFully(0, raw);
        return Superblock.parse(name, raw.flip(), source.size());
    }

    /** What reading this image has cost so far: requests and bytes to the file, cache hits and misses. */
    public ReadStats readStats() {
        return counters.snapshot();
    }

    private void checkOptions() throws IOException {
        Superblock sb = ctx.sb;
        boolean has = (sb.flags() & Superblock.FLAG_COMPRESSOR_OPTIONS) != 0;
        if (sb.compressionId() == Compression.LZ4 && has) {
            MetadataCursor c = new MetadataCursor(ctx, "compressor options", Superblock.SIZE, 0);
            int version = c.u32();
            if (version != 1) {
                throw new UnsupportedFeatureException(ctx.name + ": lz4 options version " + version + " (only 1 is defined)");
            }
        }
    }

    private long[] loadIds() throws IOException {
        int n = ctx.sb.idCount();
        LookupTable t = new LookupTable(ctx, "id table", ctx.sb.idTableStart(), n, 4);
        long[] ids = new long[n];
        MetadataCursor c = null;
        for (int i = 0; i < n; i++) {
            if (i % 2048 == 0) {
                c = t.at(i);
            }
            ids[i] = Integer.toUnsignedLong(c.u32());
        }
        return ids;
    }

    /** The image's file name, as used in error messages. */
    public String name() {
        return ctx.name;
    }

    public Superblock superblock() {
        return ctx.sb;
    }

    /** The block cache this image uses. */
    public BlockCache cache() {
        return ctx.cache;
    }

    public Inode.Directory root() {
        return root;
    }

    /** The inode at reference {@code ref} (from a {@link DirEntry} or the export table). */
    public Inode inode(long ref) throws IOException {
        return inodes.parse(ref);
    }

    /** The inode a directory entry names. */
    public Inode inode(DirEntry entry) throws IOException {
        Inode i = inodes.parse(entry.inodeRef());
        if (i.basicType() != entry.type()) {
            throw ctx.corrupt("directory entry", ctx.sb.directoryTableStart(), "entry '" + entry.name() + "' says type "
                    + entry.type() + " but its inode has type " + i.type());
        }
        return i;
    }

    /**
     * The inode with number {@code number} (1..inode_count) through the export table, or empty
     * when the image has none (mksquashfs -no-exports, tar-built layers).
     */
    public Optional<Inode> inodeByNumber(long number) throws IOException {
        if (exports == null) {
            return Optional.empty();
        }
        if (number < 1 || number > ctx.sb.inodeCount()) {
            throw new IllegalArgumentException("inode number " + number + " is not in 1.." + ctx.sb.inodeCount());
        }
        return Optional.of(inodes.parse(exports.at(number - 1).u64()));
    }

    /** The entries of {@code dir} in stored (sorted by unsigned bytes) order, without "." and "..". */
    public List<DirEntry> list(Inode.Directory dir) throws IOException {
        return dirs.list(dir);
    }

    /** The entry called {@code name} in {@code dir}, using the directory index when there is one. */
    public Optional<DirEntry> lookup(Inode.Directory dir, byte[] name) throws IOException {
        return Optional.ofNullable(dirs.lookup(dir, name));
    }

    /** The entry called {@code name} ({@link DirEntry#name()}'s spelling: {@link NameBytes}). */
    public Optional<DirEntry> lookup(Inode.Directory dir, String name) throws IOException {
        return lookup(dir, NameBytes.encode(name));
    }

    /**
     * The inode at {@code path} ("/", "/usr/bin/env", "etc/passwd"; "." and empty components are
     * ignored, ".." goes up; names spelled as {@link NameBytes} decodes them). Symlinks are not
     * followed, so a path through one is not found.
     */
    public Optional<Inode> lookup(String path) throws IOException {
        List<Inode.Directory> stack = new ArrayList<>();
        Inode cur = root;
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (!(cur instanceof Inode.Directory dir)) {
                return Optional.empty();
            }
            if (part.equals("..")) {
                cur = stack.isEmpty() ? root : stack.remove(stack.size() - 1);
                continue;
            }
            Optional<DirEntry> e = lookup(dir, NameBytes.encode(part));
            if (e.isEmpty()) {
                return Optional.empty();
            }
            stack.add(dir);
            cur = inode(e.get());
        }
        return Optional.of(cur);
    }

    /**
     * Reads file content at {@code offset} into {@code dst} (from its position up to its limit,
     * or to the end of the file) and advances dst's position.
     *
     * @return bytes read, or -1 when {@code offset} is at or past the end of the file
     */
    public int read(Inode.RegularFile file, long offset, ByteBuffer dst) throws IOException {
        return data.read(file, offset, dst);
    }

    /**
     * Decodes the whole content of {@code file} into buffers taken from {@code writer} and hands
     * them over with their file positions, on the calling thread; sparse blocks are not
     * delivered (a trailing hole ends with one zero byte at the last position). For extraction
     * with separate decoding and writing threads. Data blocks bypass the block cache.
     *
     * @return the file size
     */
    public long transferTo(Inode.RegularFile file, BlockWriter writer) throws IOException {
        return data.transferTo(file, writer);
    }

    /** The target of {@code link} as raw bytes. */
    public byte[] readlink(Inode.Symlink link) {
        return link.target().clone();
    }

    /**
     * The extended attributes of {@code inode}: full names ("user.x", "trusted.overlay.opaque",
     * "security.capability") to values, in stored order; empty for inodes without any.
     */
    public Map<String, byte[]> xattrs(Inode inode) throws IOException {
        if (inode.xattrIndex() == Inode.NO_XATTRS || xattrs == null) {
            return Map.of();
        }
        return xattrs.get(inode.xattrIndex());
    }

    /** Closes the image file and drops its blocks from the cache. */
    @Override
    public void close() throws IOException {
        ctx.cache.invalidateImage(ctx.id);
        ctx.source.close();
    }

    @Override
    public String toString() {
        return "SquashfsImage[" + ctx.name + "]";
    }
}
