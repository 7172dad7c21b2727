package io.squashroot.squashfs.write;

import java.util.Locale;

/**
 * The compressors the writer can produce, with their superblock ids (format doc §2.2) and the
 * default level mksquashfs 4.5.1 uses, so that an image made with the same flags compares with
 * one made by mksquashfs. lzma (id 2) is absent on purpose: the Linux kernel cannot read it.
 */
public enum Compression {
    GZIP(1, 9, 1, 9),
    LZO(3, 0, 0, 0),
    XZ(4, 6, 0, 9),
    LZ4(5, 0, 0, 0),
    ZSTD(6, 15, 1, 22);

    private final int id;
    private final int defaultLevel;
    private final int minLevel;
    private final int maxLevel;

    Compression(int id, int defaultLevel, int minLevel, int maxLevel) {
        this.id = id;
        this.defaultLevel = defaultLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
    }

    /** The superblock compression id. */
    public int id() {
        return id;
    }

    /** The level used when none is given (mksquashfs's default for this compressor). */
    public int defaultLevel() {
        return defaultLevel;
    }

    /** True when {@code level} is accepted (lz4 has no levels: only {@link #defaultLevel()}). */
    public boolean acceptsLevel(int level) {
        return level >= minLevel && level <= maxLevel;
    }

    /** The range accepted by {@link #acceptsLevel}, for error messages. */
    public String levelRange() {
        return minLevel == maxLevel ? "none" : minLevel + ".." + maxLevel;
    }

    /** The mksquashfs name ({@code gzip}, {@code zstd}, ...). */
    public String mksquashfsName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a mksquashfs compressor name; the message names the value and the choices. */
    public static Compression byName(String name) {
        for (Compression c : values()) {
            if (c.mksquashfsName().equals(name)) {
                return c;
            }
        }
        if ("lzma".equals(name)) {
            throw new IllegalArgumentException("compressor lzma is not supported: the Linux kernel cannot read it");
        }
        throw new IllegalArgumentException("unknown compressor '" + name + "' (gzip, lzo, xz, lz4, zstd)");
    }
}
