package io.squashroot.squashfs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the long numeric listing of {@code unsquashfs -lln} byte for byte: mode string,
 * uid/gid, size (or the device quirk of §20.2.12: {@code rdev >> 8, rdev & 0xff} of the raw
 * value), local modification time, {@code squashfs-root/}path, and {@code -> target} for
 * symlinks. Names are written as their raw bytes. Entries come in stored order, each directory
 * followed by its contents (pre-order), as unsquashfs prints them.
 */
public final class Listing {
    /** unsquashfs' TOTALCHARS: width shared by "uid/gid" and the size column. */
    private static final int TOTAL_CHARS = 25;
    private static final byte[] ROOT = "squashfs-root".getBytes(StandardCharsets.US_ASCII);

    private final SquashfsImage image;
    private final OutputStream out;
    private final ZoneId zone;
    /** Directories listed so far: one seen twice means a cycle (directories cannot be hard-linked). */
    private final java.util.Set<Long> seen = new java.util.HashSet<>();

    private Listing(SquashfsImage image, OutputStream out, ZoneId zone) {
        this.image = image;
        this.out = out;
        this.zone = zone;
    }

    /**
     * Lists {@code path} ("" or "/" for everything): the directories leading to it, then it
     * and, for a directory, everything below it.
     *
     * @throws java.nio.file.NoSuchFileException when the path does not exist in the image
     */
    public static void write(SquashfsImage image, String path, OutputStream out, ZoneId zone) throws IOException {
        new Listing(image, out, zone).run(path);
    }

    private void run(String path) throws IOException {
        Inode cur = image.root();
        byte[] name = ROOT;
        List<byte[]> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty() && !p.equals(".")) {
                parts.add(io.squashroot.tree.NameBytes.encode(p));
            }
        }
        for (byte[] part : parts) {
            if (!(cur instanceof Inode.Directory dir)) {
                throw new java.nio.file.NoSuchFileException(image.name() + ":" + path);
            }
            line(cur, name);
            DirEntry e = image.lookup(dir, part).orElseThrow(
                    () -> new java.nio.file.NoSuchFileException(image.name() + ":" + path));
            cur = image.inode(e);
            name = join(name, part);
        }
        tree(cur, name, 0);
        out.flush();
    }

    private void tree(Inode inode, byte[] path, int depth) throws IOException {
        line(inode, path);
        if (inode instanceof Inode.Directory dir) {
            if (!seen.add(dir.ref())) {
                throw new CorruptImageException(image.name() + ": directory inode " + dir.number()
                        + " is reached twice (a directory cycle)");
            }
            if (depth > 4096) {
                throw new CorruptImageException(image.name() + ": directory inode " + dir.number()
                        + " is nested deeper than 4096 levels");
            }
            for (DirEntry e : image.list(dir)) {
                tree(image.inode(e), join(path, e.nameBytes()), depth + 1);
            }
        }
    }

    private static byte[] join(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + 1 + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        r[a.length] = '/';
        System.arraycopy(b, 0, r, a.length + 1, b.length);
        return r;
    }

    private void line(Inode inode, byte[] path) throws IOException {
        StringBuilder sb = new StringBuilder(96);
        String user = Long.toString(inode.uid());
        String group = Long.toString(inode.gid());
        sb.append(modeString(inode.mode())).append(' ').append(user).append('/').append(group).append(' ');
        int pad = TOTAL_CHARS - user.length() - group.length();
        if (inode instanceof Inode.BlockDevice || inode instanceof Inode.CharDevice) {
            int rdev = inode instanceof Inode.BlockDevice b ? b.rdev() : ((Inode.CharDevice) inode).rdev();
            sb.append(String.format("%" + Math.max(pad - 7, 1) + "s%3d,%3d ", " ", rdev >> 8, rdev & 0xFF));
        } else {
            sb.append(String.format("%" + Math.max(pad, 1) + "d ", inode.size()));
        }
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(inode.mtime()), zone);
        sb.append(String.format("%d-%02d-%02d %02d:%02d ", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                t.getHour(), t.getMinute()));
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(path);
        if (inode instanceof Inode.Symlink s) {
            out.write(" -> ".getBytes(StandardCharsets.US_ASCII));
            out.write(s.target());
        }
        out.write('\n');
    }

    /** "drwxr-xr-x" with s/S/t/T for setuid, setgid and sticky, as ls and unsquashfs print it. */
    static String modeString(int mode) {
        char[] c = new char[10];
        c[0] = switch (mode & 0170000) {
            case Inode.S_IFDIR -> 'd';
            case Inode.S_IFLNK -> 'l';
            case Inode.S_IFBLK -> 'b';
            case Inode.S_IFCHR -> 'c';
            case Inode.S_IFIFO -> 'p';
            case Inode.S_IFSOCK -> 's';
            default -> '-';
        };
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            c[i + 1] = (mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-';
        }
        if ((mode & 04000) != 0) {
            c[3] = c[3] == 'x' ? 's' : 'S';
        }
        if ((mode & 02000) != 0) {
            c[6] = c[6] == 'x' ? 's' : 'S';
        }
        if ((mode & 01000) != 0) {
            c[9] = c[9] == 'x' ? 't' : 'T';
        }
        return new String(c);
    }
}
