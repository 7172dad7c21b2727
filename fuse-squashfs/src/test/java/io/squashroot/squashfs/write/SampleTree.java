package io.squashroot.squashfs.write;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;

/**
 * A small host tree with every case the format treats specially (format doc §20.1): block-size
 * boundaries, sparse and all-zero files, duplicates, hard links, every inode type, xattrs in all
 * three namespaces, odd names, big directories, several owners, setuid/sticky bits.
 * Needs root (devices, chown, trusted. xattrs).
 */
final class SampleTree {
    static final long TIME = 1_700_000_000L;

    private SampleTree() {
    }

    static void create(Path root) throws Exception {
        Random r = new Random(42);
        Files.createDirectories(root);
        Path files = Files.createDirectory(root.resolve("files"));
        for (int size : new int[] {0, 1, 4095, 4096, 4097, 65536, 131071, 131072, 131073, 300_000}) {
            Files.write(files.resolve("size_" + size), random(r, size));
        }
        byte[] text = "the quick brown fox jumps over the lazy dog\n".repeat(9000).getBytes();
        Files.write(files.resolve("text"), text);
        Files.write(files.resolve("dup_of_text"), text);
        Files.write(files.resolve("dup_small_a"), "same small".getBytes());
        Files.write(files.resolve("dup_small_b"), "same small".getBytes());
        Files.write(files.resolve("zeros_100"), new byte[100]);
        Files.write(files.resolve("zeros_300k"), new byte[300_000]);
        try (RandomAccessFile f = new RandomAccessFile(files.resolve("sparse").toFile(), "rw")) {
            f.seek(400_000);
            f.write(random(r, 5000));
            f.setLength(1_000_077);
        }
        Path links = Files.createDirectory(root.resolve("links"));
        Files.write(links.resolve("target"), random(r, 9000));
        Files.createLink(links.resolve("hard1"), links.resolve("target"));
        Files.createLink(files.resolve("hard2"), links.resolve("target"));
        Files.createSymbolicLink(links.resolve("rel"), Path.of("target"));
        Files.createSymbolicLink(links.resolve("abs"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(links.resolve("long"), Path.of("x/".repeat(600) + "end"));
        Files.createSymbolicLink(links.resolve("dangling"), Path.of("nowhere"));
        Path dev = Files.createDirectory(root.resolve("dev"));
        Tools.run("mknod", dev.resolve("null").toString(), "c", "1", "3");
        Tools.run("mknod", dev.resolve("sda1").toString(), "b", "8", "1");
        Tools.run("mknod", dev.resolve("big").toString(), "c", "300", "70000");
        Tools.run("mkfifo", dev.resolve("fifo").toString());
        Tools.run("python3", "-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])",
                dev.resolve("sock").toString());
        Path names = Files.createDirectory(root.resolve("names"));
        for (String n : new String[] {"été", "☃", "a b", ".hidden", "~", "B", "a", "Z".repeat(255), "tab\tname"}) {
            Files.write(names.resolve(n), n.getBytes());
        }
        Path big = Files.createDirectory(root.resolve("big_dir"));
        for (int i = 0; i < 700; i++) {
            Files.write(big.resolve("entry_with_a_longish_name_" + i), new byte[] {(byte) i});
        }
        Path deep = root;
        for (int i = 0; i < 30; i++) {
            deep = Files.createDirectory(deep.resolve("d" + i));
        }
        Files.writeString(deep.resolve("bottom"), "deep");
        Path own = Files.createDirectory(root.resolve("owners"));
        int[][] ids = {{0, 0}, {1000, 1000}, {65534, 65534}, {4000000, 6}};
        for (int[] id : ids) {
            Path p = own.resolve("u" + id[0]);
            Files.writeString(p, "x");
            Tools.run("chown", id[0] + ":" + id[1], p.toString());
        }
        Path modes = Files.createDirectory(root.resolve("modes"));
        for (String m : new String[] {"4755", "2755", "1777", "0000", "0600"}) {
            Path p = modes.resolve("m" + m);
            Files.writeString(p, m);
            Tools.run("chmod", m, p.toString());
        }
        Path x = Files.createDirectory(root.resolve("xattrs"));
        Path xf = x.resolve("file");
        Files.writeString(xf, "with xattrs");
        Tools.run("setfattr", "-n", "user.comment", "-v", "hello", xf.toString());
        Tools.run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", x.toString());
        Tools.run("setfattr", "-n", "security.capability", "-v", "0x0100000200200000000000000000000000000000",
                xf.toString());
        Path xs = x.resolve("same_set");
        Files.writeString(xs, "other");
        Tools.run("setfattr", "-n", "user.comment", "-v", "hello", xs.toString());
        Tools.run("setfattr", "-n", "security.capability", "-v", "0x0100000200200000000000000000000000000000",
                xs.toString());
        Path xl = x.resolve("link");
        Files.createSymbolicLink(xl, Path.of("file"));
        Tools.run("setfattr", "-h", "-n", "trusted.big", "-v", "0x" + "ab".repeat(600), xl.toString());
        Files.createDirectory(root.resolve("empty_dir"));
        setTimes(root);
    }

    /** Fixed times everywhere, so listings with times compare across builds. */
    static void setTimes(Path root) throws IOException, InterruptedException {
        Tools.run("find", root.toString(), "-exec", "touch", "-h", "-d", "@" + TIME, "{}", "+");
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static FileTime time() {
        return FileTime.fromMillis(TIME * 1000);
    }
}
