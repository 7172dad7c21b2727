package io.squashroot.runtime;

import io.squashroot.overlay.IdMap;
import io.squashroot.overlay.ImageLayers;
import io.squashroot.overlay.Overlay;
import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.write.Compression;
import io.squashroot.squashfs.write.SquashfsWriter;
import io.squashroot.tree.Caller;
import io.squashroot.tree.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * For the class-data-sharing training run only: a fuse-mode start's file-system work without a
 * mount. Two small images (zstd, and lzo as enroot writes them) are made in a scratch directory,
 * opened as the lowers of an overlay, and asked what a container's first commands ask (lookups,
 * listings, a read across data blocks, readlink, xattrs, a file created, written and removed in
 * the upper).
 *
 * <p>Why: the archive holds only the classes the training run loaded. Listing class names
 * misses what a start loads only by doing the work (the image reader's records and parsers,
 * the overlay's upper layer, their lambdas): about 100 of our classes that every start then
 * parsed and verified from the jars. Doing the work loads exactly those, and stays right as the
 * code changes.
 */
final class StartRehearsal {
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    /** Two full 128 KiB blocks and a fragment. */
    private static final int DATA_BYTES = 300 << 10;

    private StartRehearsal() {
    }

    /** Best effort: any failure only leaves some classes out of the archive. */
    static void run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("squashroot-rehearsal-");
            rehearse(dir);
        } catch (IOException | RuntimeException e) {
            // training only
        } finally {
            if (dir != null) {
                delete(dir);
            }
        }
    }

    /**
     * The rehearsal in {@code dir} (left for the caller to delete); returns the requests that
     * failed, one line each (a missing xattr's ENODATA is expected).
     */
    static List<String> rehearse(Path dir) throws IOException {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("etc"));
        Files.createDirectories(tree.resolve("bin"));
        Files.writeString(tree.resolve("etc/os-release"), "NAME=rehearsal\n", StandardCharsets.UTF_8);
        byte[] data = new byte[DATA_BYTES];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 >>> 7);
        }
        Files.write(tree.resolve("bin/data"), data);
        Files.createSymbolicLink(tree.resolve("bin/sh"), Path.of("data"));
        Path zstd = dir.resolve("zstd.sqsh");
        Path lzo = dir.resolve("lzo.sqsh");
        SquashfsWriter.builder(Map.of()).compression(Compression.ZSTD).build().writeDirectory(tree, zstd);
        SquashfsWriter.builder(Map.of()).compression(Compression.LZO).uncompressedData(true).build()
                .writeDirectory(tree, lzo);
        Files.createDirectories(dir.resolve("upper"));
        try (ImageLayers layers = ImageLayers.open(List.of(zstd, lzo), dir.resolve("upper"),
                BlockCache.shared(), FuseRootfs.READAHEAD_BLOCKS, IdMap.identity())) {
            return ask(layers.overlay());
        }
    }

    private static List<String> ask(Overlay fs) {
        Caller me = new Caller(HostIds.uid(), HostIds.gid(), ProcessHandle.current().pid());
        List<String> failed = new ArrayList<>();
        // each step on its own: an answer such as ENODATA must not skip the steps after it
        attempt("getattr /", failed, () -> fs.getattr("/"));
        attempt("readdir /", failed, () -> fs.readdir("/", (name, attr) -> true));
        attempt("getattr /etc/os-release", failed, () -> fs.getattr("/etc/os-release"));
        attempt("readlink /bin/sh", failed, () -> fs.readlink("/bin/sh"));
        attempt("listxattr /etc/os-release", failed, () -> fs.listxattr("/etc/os-release"));
        attempt("getxattr /etc/os-release security.capability", failed,
                () -> fs.getxattr("/etc/os-release", "security.capability"));
        attempt("read /bin/data", failed, () -> {
            long h = fs.open("/bin/data", O_RDONLY, me);
            ByteBuffer buf = ByteBuffer.allocateDirect(128 << 10);
            long off = 0;
            for (int n; (n = fs.read("/bin/data", h, buf.clear(), off)) > 0; ) {
                off += n; // the whole file: blocks, cache, prefetch, the fragment
            }
            fs.release("/bin/data", h);
            if (off != DATA_BYTES) {
                throw new IllegalStateException(off + " bytes");
            }
        });
        attempt("statfs /", failed, () -> fs.statfs("/"));
        attempt("mkdir /tmp", failed, () -> fs.mkdir("/tmp", 0755, me));
        attempt("create and write /tmp/x", failed, () -> {
            long h = fs.create("/tmp/x", 0644, O_WRONLY, me);
            fs.write("/tmp/x", h, ByteBuffer.wrap(new byte[] {'x'}), 0);
            fs.release("/tmp/x", h);
        });
        attempt("chmod /etc/os-release", failed, () -> fs.chmod("/etc/os-release", 0600));
        attempt("unlink /tmp/x", failed, () -> fs.unlink("/tmp/x"));
        return failed;
    }

    /** One request to the tree. */
    private interface Step {
        void run() throws FsException;
    }

    private static void attempt(String what, List<String> failed, Step s) {
        try {
            s.run();
        } catch (FsException | RuntimeException e) {
            failed.add(what + ": " + e.getMessage());
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // a temporary directory left behind
        }
    }
}
