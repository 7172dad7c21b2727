package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The on-disk cache: converted layer images by blob digest, image configs, the generated
 * configuration layers (/etc/rc & co.), flat images, and one record per imported reference.
 *
 * <pre>
 * CACHE/                      0700 (or the mode an admin gave a shared cache, see docs/registries.md)
 *   layers/HEX.sqsh           layer image converted from blob sha256:HEX   (the commit marker)
 *   layers/HEX.json           {blob, size, image size, image sha256}       (written before .sqsh)
 *   configs/HEX.json          image config blob sha256:HEX, verified
 *   rc/KEY.sqsh               the enroot configuration layer of one (config, URI)
 *   flat/KEY.sqsh             the flat image of one (manifest, URI, squash options)
 *   images/NAME.json          what a reference resolved to: manifest, config, layers, rc
 *   pins/KEY.json             a named fuse-mode container's image (its layers are never pruned)
 *   verified/HEX.stamp        identity of a system-cache layer image this user has hashed
 *   tmp/                      work files, renamed into place only when complete and verified
 *   locks/                    per-digest locks; cache.lock: imports shared, prune exclusive
 * </pre>
 *
 * Every entry is written to {@code tmp/}, fsynced, and renamed atomically, so a reader sees a
 * complete file or none; a crash leaves only {@code tmp/} litter, which prune removes.
 */
public final class LayerCache {

    private final Path root;
    private final Set<PosixFilePermission> fileMode;
    private final Set<PosixFilePermission> dirMode;

    private LayerCache(Path root, boolean groupReadable) {
        this.root = root;
        this.fileMode = PosixFilePermissions.fromString(groupReadable ? "rw-r-----" : "rw-------");
        this.dirMode = PosixFilePermissions.fromString(groupReadable ? "rwxr-x---" : "rwx------");
    }

    /**
     * Opens (creating it 0700 if missing) the cache at {@code root}. An existing root that an
     * admin made group-readable (a shared system cache) keeps that: new entries are 0640/0750.
     */
    public static LayerCache open(Path root) throws IOException {
        boolean groupReadable = false;
        if (Files.isDirectory(root)) {
            groupReadable = Files.getPosixFilePermissions(root).contains(PosixFilePermission.GROUP_READ);
        } else {
            Files.createDirectories(root.getParent());
            try {
                Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException ignored) {
                // another import created it meanwhile
            }
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        }
        LayerCache c = new LayerCache(root, groupReadable);
        for (String d : List.of("layers", "configs", "rc", "flat", "images", "pins", "verified", "tmp", "locks")) {
            c.dir(d);
        }
        return c;
    }

    /** A cache this process only reads (the shared system cache): nothing is created. */
    static LayerCache openReadOnly(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new java.nio.file.NoSuchFileException(root.toString(), null, "system cache directory does not exist");
        }
        return new LayerCache(root, true);
    }

    public Path root() {
        return root;
    }

    private Path dir(String name) throws IOException {
        Path d = root.resolve(name);
        if (!Files.isDirectory(d)) {
            try {
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(dirMode));
            } catch (FileAlreadyExistsException ignored) {
                // created concurrently
            }
        }
        return d;
    }

    Path layerPath(Digest d) {
        return root.resolve("layers").resolve(d.hex() + ".sqsh");
    }

    Path layerMetaPath(Digest d) {
        return root.resolve("layers").resolve(d.hex() + ".json");
    }

    Path configPath(Digest d) {
        return root.resolve("configs").resolve(d.hex() + ".json");
    }

    Path rcPath(String key) {
        return root.resolve("rc").resolve(key + ".sqsh");
    }

    Path flatPath(String key) {
        return root.resolve("flat").resolve(key + ".sqsh");
    }

    Path imagePath(String name) {
        return root.resolve("images").resolve(name + ".json");
    }

    /** The stamp of a system-cache layer image this user has hashed (SystemCacheCheck). */
    Path verifiedPath(Digest d) {
        return root.resolve("verified").resolve(d.hex() + ".stamp");
    }

    Path pinPath(String key) {
        return root.resolve("pins").resolve(key + ".json");
    }

    CacheLock lockShared() throws IOException {
        return CacheLock.shared(root.resolve("locks").resolve("cache.lock"));
    }

    CacheLock lockExclusive() throws IOException {
        return CacheLock.exclusive(root.resolve("locks").resolve("cache.lock"));
    }

    CacheLock lockEntry(String key) throws IOException {
        return CacheLock.exclusive(root.resolve("locks").resolve(key + ".lock"));
    }

    /** A fresh work file in tmp/ (same file system as the entries, so the final rename is atomic). */
    Path newTemp(String hint) throws IOException {
        return Files.createTempFile(root.resolve("tmp"), hint + ".", ".part",
                PosixFilePermissions.asFileAttribute(fileMode));
    }

    /** fsyncs {@code tmp} and renames it to {@code target} atomically; the cache's mode applies. */
    void commit(Path tmp, Path target) throws IOException {
        commit(tmp, target, fileMode);
    }

    /**
     * Commits a flat image read-only: it may be hard-linked as an import's output, and the cache
     * directory (0700, or the admin's group mode) is what keeps others out, not this mode.
     */
    void commitReadOnly(Path tmp, Path target) throws IOException {
        Set<PosixFilePermission> ro = PosixFilePermissions.fromString(
                fileMode.contains(PosixFilePermission.GROUP_READ) ? "r--r-----" : "r--r--r--");
        commit(tmp, target, ro);
    }

    private void commit(Path tmp, Path target, Set<PosixFilePermission> mode) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.setPosixFilePermissions(tmp, mode);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(target + ": cache directory does not support atomic rename", e);
        }
        try (FileChannel dirCh = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dirCh.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
    }

    void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = newTemp(target.getFileName().toString());
        try {
            Files.write(tmp, data, StandardOpenOption.TRUNCATE_EXISTING);
            commit(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Marks an entry as used now (prune --older-than looks at this time). */
    void touch(Path p) {
        try {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // a read-only shared cache: its admin prunes it
        }
    }

    /** The metadata written beside a layer image. */
    record LayerMeta(Digest blob, long blobSize, long imageSize, String imageSha256, String mediaType) {
        String toJson() {
            return "{\"blob\":" + Json.quote(blob.toString()) + ",\"blobSize\":" + blobSize
                    + ",\"imageSize\":" + imageSize + ",\"imageSha256\":" + Json.quote(imageSha256)
                    + ",\"mediaType\":" + Json.quote(mediaType == null ? "" : mediaType) + "}";
        }

        static LayerMeta parse(byte[] json, String where) {
            var m = Json.object(Json.parse(new String(json, StandardCharsets.UTF_8), where), where);
            return new LayerMeta(Digest.parse(Json.string(m.get("blob"))), ((Number) m.get("blobSize")).longValue(),
                    ((Number) m.get("imageSize")).longValue(), Json.string(m.get("imageSha256")),
                    Json.string(m.get("mediaType")));
        }
    }

    Optional<LayerMeta> layerMeta(Digest d) throws IOException {
        Path p = layerMetaPath(d);
        if (!Files.isRegularFile(layerPath(d)) || !Files.isRegularFile(p)) {
            return Optional.empty();
        }
        return Optional.of(LayerMeta.parse(Files.readAllBytes(p), p.toString()));
    }

    static String sha256Of(Path file) throws IOException {
        MessageDigest md = Digest.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** One cache entry as {@code cache list} shows it. */
    public record Entry(String kind, String name, long bytes, Instant lastUsed) {
    }

    /** Every entry: images (by reference), container pins (by owner), layers, configuration layers, flat images. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Path p : files("pins", ".json")) {
            ContainerPin pin;
            try {
                pin = ContainerPin.read(p);
            } catch (IOException e) {
                continue; // corrupt: prune removes it
            }
            out.add(new Entry("pin", pin.owner() + (pin.ownerExists() ? "" : " (gone)") + " " + pin.image().manifest(),
                    Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        }
        for (Path p : files("images", ".json")) {
            String ref = ImageRecord.read(p).reference();
            out.add(new Entry("image", ref, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        }
        for (Path p : files("layers", ".sqsh")) {
            out.add(new Entry("layer", "sha256:" + stem(p), Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        }
        for (Path p : files("rc", ".sqsh")) {
            out.add(new Entry("rc", stem(p), Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        }
        for (Path p : files("flat", ".sqsh")) {
            out.add(new Entry("flat", stem(p), Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        }
        return out;
    }

    /**
     * Removes image records not used since {@code cutoff} and container pins whose container is
     * gone, then every layer, configuration layer, config and flat image that no remaining record
     * or pin uses and that is itself older than the cutoff, and all work files. A pin keeps its
     * entries whatever their age: a fuse-mode container starts from them. Runs under the
     * exclusive cache lock, so an import in progress (which holds it shared) finishes first.
     * Returns the bytes freed.
     */
    public long prune(Instant cutoff) throws IOException {
        long freed = 0;
        try (CacheLock l = lockExclusive()) {
            Set<String> keep = new java.util.HashSet<>();
            for (Path p : files("pins", ".json")) {
                ContainerPin pin;
                try {
                    pin = ContainerPin.read(p);
                } catch (IOException | RuntimeException e) {
                    freed += delete(p);
                    continue;
                }
                if (pin.ownerExists()) {
                    keep.addAll(pin.image().entryNames());
                } else {
                    freed += delete(p);
                }
            }
            for (Path p : files("images", ".json")) {
                ImageRecord r;
                try {
                    r = ImageRecord.read(p);
                } catch (IOException | RuntimeException e) {
                    freed += delete(p);
                    continue;
                }
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    freed += delete(p);
                } else {
                    keep.addAll(r.entryNames());
                }
            }
            freed += sweep("layers", ".sqsh", keep, "layer:", cutoff);
            freed += sweep("layers", ".json", keep, "layer:", cutoff);
            freed += sweep("configs", ".json", keep, "config:", cutoff);
            freed += sweep("rc", ".sqsh", keep, "rc:", cutoff);
            freed += sweep("flat", ".sqsh", keep, "flat:", cutoff);
            for (Path p : files("verified", ".stamp")) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    freed += delete(p); // the next use hashes that system-cache layer again
                }
            }
            for (Path p : files("tmp", "")) {
                freed += delete(p);
            }
        }
        return freed;
    }

    private long sweep(String dir, String ext, Set<String> keep, String prefix, Instant cutoff) throws IOException {
        long freed = 0;
        for (Path p : files(dir, ext)) {
            if (!keep.contains(prefix + stem(p)) && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                freed += delete(p);
            }
        }
        return freed;
    }

    private static long delete(Path p) throws IOException {
        long n = Files.size(p);
        Files.deleteIfExists(p);
        return n;
    }

    private List<Path> files(String dir, String ext) throws IOException {
        List<Path> out = new ArrayList<>();
        Path d = root.resolve(dir);
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(ext)) {
                    out.add(p);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.sort(null);
        return out;
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.indexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }
}
