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
 * <p>usage: ImageReadProbe IMAGE CHUNK NODE_CACHE_DIR|- NODE_CACHE_MAX
 */
public final class ImageReadProbe {

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        ReadSettings s = new ReadSettings(BlockCache.parseSize(args[1]), 0, 64L << 20,
                args[2].equals("-") ? null : Path.of(args[2]), BlockCache.parseSize(args[3]));
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.create(0), s)) {
            Map<String, byte[]> files = new TreeMap<>();
            walk(img, img.root(), "", files);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update(e.getValue());
            }
            ReadStats r = img.readStats();
            System.out.println("digest " + HexFormat.of().formatHex(md.digest()));
            System.out.println("stats " + r.backingRequests() + " " + r.backingBytes() + " " + r.nodeHits() + " "
                    + r.nodeMisses() + " " + r.nodeCorrupt());
        }
    }

    static void walk(SquashfsImage img, Inode.Directory dir, String prefix, Map<String, byte[]> out) throws IOException {
        List<DirEntry> entries = new ArrayList<>(img.list(dir));
        for (DirEntry e : entries) {
            Inode i = img.inode(e);
            String path = prefix + "/" + e.name();
            if (i instanceof Inode.Directory d) {
                walk(img, d, path, out);
            } else if (i instanceof Inode.RegularFile f) {
                ByteBuffer b = ByteBuffer.allocate((int) f.size());
                while (b.hasRemaining() && img.read(f, b.position(), b) > 0) {
                    // read to the end
                }
                out.put(path, b.array());
            }
        }
    }
}
