package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A separate process for the node cache tests (fcntl locks and the chunk memory cache are per
 * process, so sharing can only be shown between processes): opens an image with the given read
 * settings, reads every regular file, and prints a digest of (path, content) in path order and
 * the image's read counters.
 *
 * <p>usage: ImageReadProbe IMAGE CHUNK NODE_CACHE_DIR|- NODE_CACHE_MAX [THREADS [GO_FILE]]; with
 * THREADS, each thread reads every file in its own shuffled order, and all must agree; with
 * GO_FILE, reading starts when that file appears.
 */
public final class ImageReadProbe {

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        ReadSettings s = new ReadSettings(BlockCache.parseSize(args[1]), 0, 64L << 20,
                args[2].equals("-") ? null : Path.of(args[2]), BlockCache.parseSize(args[3]));
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0), s)) {
            if (args.length > 5) {
                // A start line: every probe opens the image, then all read at once.
                Path go = Path.of(args[5]);
                while (!java.nio.file.Files.exists(go)) {
                    Thread.sleep(2);
                }
            }
            List<String> digests = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = ProcessHandle.current().pid() * 31 + t;
                Thread th = new Thread(() -> {
                    try {
                        Map<String, Inode.RegularFile> files = new TreeMap<>();
                        list(img, img.root(), "", files);
                        List<String> order = new ArrayList<>(files.keySet());
                        if (threads > 1) {
                            java.util.Collections.shuffle(order, new java.util.Random(seed));
                        }
                        Map<String, byte[]> content = new TreeMap<>();
                        for (String p : order) {
                            content.put(p, read(img, files.get(p)));
                        }
                        digests.add(digest(content));
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                th.start();
                ts.add(th);
            }
            for (Thread th : ts) {
                th.join();
            }
            if (!errors.isEmpty()) {
                throw new IOException("read failed: " + errors.get(0), errors.get(0));
            }
            if (digests.stream().distinct().count() != 1) {
                throw new IOException("threads disagree: " + digests);
            }
            ReadStats r = img.readStats();
            System.out.println("digest " + digests.get(0));
            System.out.println("stats " + r.backingRequests() + " " + r.backingBytes() + " " + r.nodeHits() + " "
                    + r.nodeMisses() + " " + r.nodeCorrupt());
        }
    }

    static String digest(Map<String, byte[]> files) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            md.update(e.getValue());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void list(SquashfsImage img, Inode.Directory dir, String prefix, Map<String, Inode.RegularFile> out)
            throws IOException {
        for (DirEntry e : img.list(dir)) {
            Inode i = img.inode(e);
            String path = prefix + "/" + e.name();
            if (i instanceof Inode.Directory d) {
                list(img, d, path, out);
            } else if (i instanceof Inode.RegularFile f) {
                out.put(path, f);
            }
        }
    }

    static byte[] read(SquashfsImage img, Inode.RegularFile f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) f.size());
        while (b.hasRemaining() && img.read(f, b.position(), b) > 0) {
            // read to the end
        }
        return b.array();
    }

    static void walk(SquashfsImage img, Inode.Directory dir, String prefix, Map<String, byte[]> out) throws IOException {
        Map<String, Inode.RegularFile> files = new TreeMap<>();
        list(img, dir, prefix, files);
        for (Map.Entry<String, Inode.RegularFile> e : files.entrySet()) {
            out.put(e.getKey(), read(img, e.getValue()));
        }
    }
}
