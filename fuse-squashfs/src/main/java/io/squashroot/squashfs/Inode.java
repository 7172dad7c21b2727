package io.squashroot.squashfs;

import java.util.Arrays;

/**
 * One inode of an image (§6), as an immutable record per kind. All 14 on-disk types map onto
 * seven records; {@link #type()} keeps the on-disk type (1..14, extended = basic + 7) and
 * {@link #isExtended()} tells the two apart. Ids are resolved: {@link #uid()} and {@link #gid()}
 * are the numeric ids, not table indexes.
 *
 * <p>Two names of one hard-linked inode yield equal {@link #ref()} and {@link #number()}.
 */
public sealed interface Inode permits Inode.Directory, Inode.RegularFile, Inode.Symlink,
        Inode.BlockDevice, Inode.CharDevice, Inode.Fifo, Inode.Socket {

    /** {@code xattrIndex()} value of an inode without extended attributes. */
    int NO_XATTRS = -1;

    /** POSIX file-type bits (S_IFMT) by basic type 1..7. */
    int S_IFDIR = 0040000;
    int S_IFREG = 0100000;
    int S_IFLNK = 0120000;
    int S_IFBLK = 0060000;
    int S_IFCHR = 0020000;
    int S_IFIFO = 0010000;
    int S_IFSOCK = 0140000;

    /** Fields every inode has (§6.1), with ids resolved through the id table. */
    record Attributes(int type, int permissions, long uid, long gid, long mtime, long number,
                      long linkCount, int xattrIndex, long ref) {
    }

    Attributes attributes();

    /** On-disk type 1..14. */
    default int type() {
        return attributes().type();
    }

    /** Basic type 1..7 (what directory entries record). */
    default int basicType() {
        int t = type();
        return t > 7 ? t - 7 : t;
    }

    default boolean isExtended() {
        return type() > 7;
    }

    /** Permission bits {@code & 07777} (setuid, setgid, sticky, rwx). */
    default int permissions() {
        return attributes().permissions();
    }

    /** st_mode: file-type bits plus permissions. */
    default int mode() {
        int ifmt = switch (basicType()) {
            case 1 -> S_IFDIR;
            case 2 -> S_IFREG;
            case 3 -> S_IFLNK;
            case 4 -> S_IFBLK;
            case 5 -> S_IFCHR;
            case 6 -> S_IFIFO;
            default -> S_IFSOCK;
        };
        return ifmt | permissions();
    }

    default long uid() {
        return attributes().uid();
    }

    default long gid() {
        return attributes().gid();
    }

    /** Modification time, seconds since the epoch (atime and ctime are not stored). */
    default long mtime() {
        return attributes().mtime();
    }

    /** Inode number, 1..inode_count. */
    default long number() {
        return attributes().number();
    }

    /** st_nlink: 2 + subdirectories for a directory, the number of names otherwise. */
    default long linkCount() {
        return attributes().linkCount();
    }

    /** Index into the xattr-id table, or {@link #NO_XATTRS}. */
    default int xattrIndex() {
        return attributes().xattrIndex();
    }

    /** Inode reference (§4.3): block position in the inode table << 16 | offset. */
    default long ref() {
        return attributes().ref();
    }

    /** st_size: file size, directory listing length + 3, symlink target length, else 0. */
    default long size() {
        return 0;
    }

    /**
     * A directory (types 1 and 8). {@code fileSize} is the listing length + 3; the listing starts
     * at ({@code blockStart} relative to the directory table, {@code blockOffset}).
     * {@code indexCount} directory index entries follow an extended inode (§9.7).
     */
    record Directory(Attributes attributes, long blockStart, int blockOffset, long fileSize, long parent,
                     int indexCount) implements Inode {
        @Override
        public long size() {
            return fileSize;
        }
    }

    /**
     * A regular file (types 2 and 9). {@code blocks} holds the on-disk size words (§7.2; 0 =
     * sparse block) and where each block starts; the tail lives in fragment {@code fragmentIndex} at {@code fragmentOffset}
     * unless the index is {@link #NO_FRAGMENT}. {@code sparse} is the writer's count of bytes
     * not stored (type 9 only; 0 for type 2).
     */
    record RegularFile(Attributes attributes, long blocksStart, long size, long sparse, int fragmentIndex,
                       int fragmentOffset, BlockList blocks) implements Inode {
        /** {@code fragmentIndex} of a file without a tail in a fragment. */
        public static final int NO_FRAGMENT = -1;

        public boolean hasFragment() {
            return fragmentIndex != NO_FRAGMENT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RegularFile f && f.attributes.equals(attributes) && f.blocksStart == blocksStart
                    && f.size == size && f.sparse == sparse && f.fragmentIndex == fragmentIndex
                    && f.fragmentOffset == fragmentOffset && f.blocks.equals(blocks);
        }

        @Override
        public int hashCode() {
            return attributes.hashCode() * 31 + Long.hashCode(blocksStart);
        }

        @Override
        public String toString() {
            return "RegularFile[" + attributes + ", size=" + size + ", blocks=" + blocks.count()
                    + ", fragment=" + fragmentIndex + "]";
        }
    }

    /** A symbolic link (types 3 and 10); the target is raw bytes, not NUL-terminated. */
    record Symlink(Attributes attributes, byte[] target) implements Inode {
        @Override
        public long size() {
            return target.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Symlink s && s.attributes.equals(attributes) && Arrays.equals(s.target, target);
        }

        @Override
        public int hashCode() {
            return attributes.hashCode() * 31 + Arrays.hashCode(target);
        }

        @Override
        public String toString() {
            return "Symlink[" + attributes + ", target=" + new String(target, java.nio.charset.StandardCharsets.UTF_8) + "]";
        }
    }

    /** A block device (types 4 and 11); {@code rdev} in Linux's 32-bit encoding (§6.8). */
    record BlockDevice(Attributes attributes, int rdev) implements Inode {
        public int major() {
            return Inode.major(rdev);
        }

        public int minor() {
            return Inode.minor(rdev);
        }
    }

    /** A character device (types 5 and 12). A 0:0 char device is an overlay whiteout. */
    record CharDevice(Attributes attributes, int rdev) implements Inode {
        public int major() {
            return Inode.major(rdev);
        }

        public int minor() {
            return Inode.minor(rdev);
        }
    }

    /** A named pipe (types 6 and 13). */
    record Fifo(Attributes attributes) implements Inode {
    }

    /** A Unix socket (types 7 and 14). */
    record Socket(Attributes attributes) implements Inode {
    }

    /** Major number of a §6.8 device encoding. */
    static int major(int rdev) {
        return (rdev >>> 8) & 0xFFF;
    }

    /** Minor number of a §6.8 device encoding. */
    static int minor(int rdev) {
        return (rdev & 0xFF) | ((rdev >>> 12) & 0xFFF00);
    }
}
