package io.squashroot.squashfs.write;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A random host tree from a seed: names (unicode, spaces, up to 255 bytes), sizes around block
 * boundaries, holes, duplicates, hard links, symlinks, FIFOs, devices, xattrs with binary values,
 * owners from a pool of ids and random modes and times. The same seed gives the same tree.
 */
final class RandomTree {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-+~éü☃中";
    private static final long[] IDS = {0, 1, 6, 1000, 65534, 123456, 3_000_000_000L};

    private RandomTree() {
    }

    static void create(Path root, long seed, int entries, int blockSize) throws Exception {
        Random r = new Random(seed);
        Files.createDirectories(root);
        List<Path> dirs = new ArrayList<>(List.of(root));
        List<Path> files = new ArrayList<>();
        StringBuilder xattrs = new StringBuilder();
        for (int i = 0; i < entries; i++) {
            Path parent = dirs.get(r.nextInt(dirs.size()));
            Path p = parent.resolve(name(r));
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            int kind = r.nextInt(20);
            if (kind < 4) {
                Files.createDirectory(p);
                dirs.add(p);
            } else if (kind < 14) {
                content(r, p, blockSize, files);
                files.add(p);
            } else if (kind < 16 && !files.isEmpty()) {
                Files.createLink(p, files.get(r.nextInt(files.size())));
            } else if (kind < 18) {
                Files.createSymbolicLink(p, Path.of(r.nextBoolean() ? name(r) : "/abs/" + name(r)));
            } else if (kind == 18) {
                Tools.run("mkfifo", p.toString());
            } else {
                Tools.run("mknod", p.toString(), r.nextBoolean() ? "c" : "b",
                        String.valueOf(r.nextInt(4096)), String.valueOf(r.nextInt(1 << 20)));
            }
            if (!Files.isSymbolicLink(p) && r.nextInt(4) == 0) {
                xattrs.append("# file: ").append(p).append('\n');
                String[] ns = {"user.", "trusted.", "security."};
                for (int k = 0; k <= r.nextInt(3); k++) {
                    byte[] v = new byte[r.nextInt(3) == 0 ? 300 : 1 + r.nextInt(20)];
                    r.nextBytes(v);
                    // Linux allows user. xattrs on regular files and directories only.
                    boolean plain = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(p);
                    xattrs.append(ns[plain ? r.nextInt(3) : 1 + r.nextInt(2)]).append("k").append(r.nextInt(5)).append("=0x")
                            .append(HexFormat.of().formatHex(v)).append('\n');
                }
                xattrs.append('\n');
            }
        }
        if (xattrs.length() > 0) {
            Path dump = root.resolveSibling(root.getFileName() + ".xattrs");
            Files.writeString(dump, xattrs);
            Tools.run("setfattr", "--restore=" + dump);
            Files.delete(dump);
        }
        List<Path> all;
        try (var s = Files.walk(root)) {
            all = new ArrayList<>(s.toList());
        }
        all.sort(Comparator.comparing(Path::toString).reversed()); // children before their parents
        StringBuilder times = new StringBuilder();
        for (Path p : all) {
            long uid = IDS[r.nextInt(IDS.length)];
            long gid = IDS[r.nextInt(IDS.length)];
            Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
            if (!Files.isSymbolicLink(p)) {
                int mode = Files.isDirectory(p) ? 0700 | r.nextInt(01000) | (r.nextInt(4) == 0 ? 01000 : 0)
                        : r.nextInt(010000);
                times.append(r.nextInt(Integer.MAX_VALUE)).append('\t').append(mode).append('\t').append(p)
                        .append('\n');
            }
        }
        // Java's setLastModifiedTime and chmod open the file, which blocks on a FIFO: set modes
        // and times in one python3 process instead (no symlinks here, so chmod may follow).
        Path list = root.resolveSibling(root.getFileName() + ".times");
        Files.writeString(list, times);
        Tools.run("python3", "-c", "import os,sys\nfor l in open(sys.argv[1]):\n t,m,p=l.rstrip('\\n').split('\\t',2)\n"
                + " os.chmod(p,int(m))\n os.utime(p,(int(t),int(t)),follow_symlinks=False)", list.toString());
        Files.delete(list);
    }

    private static String name(Random r) {
        int len = r.nextInt(10) == 0 ? 60 + r.nextInt(20) : 1 + r.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        String s = sb.toString();
        return s.equals(".") || s.equals("..") ? s + "x" : s;
    }

    private static void content(Random r, Path p, int bs, List<Path> files) throws Exception {
        int pick = r.nextInt(10);
        if (pick == 0 && !files.isEmpty()) {
            Files.copy(files.get(r.nextInt(files.size())), p); // duplicate content
            return;
        }
        int[] sizes = {0, 1, bs - 1, bs, bs + 1, 3 * bs + 17, 100, 5000};
        int size = pick < 5 ? sizes[r.nextInt(sizes.length)] : r.nextInt(4 * bs);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            int chunks = r.nextInt(4);
            for (int c = 0; c < chunks && size > 0; c++) {
                int off = r.nextInt(size);
                byte[] b = new byte[Math.min(size - off, 1 + r.nextInt(2 * bs))];
                if (r.nextBoolean()) {
                    r.nextBytes(b);
                } else {
                    java.util.Arrays.fill(b, (byte) 'a');
                }
                f.seek(off);
                f.write(b);
            }
        }
    }
}
