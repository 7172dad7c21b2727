package io.squashroot.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lookups in the shared system cache (SQUASHROOT_SYSTEM_CACHE), which users read but do not own:
 * a layer image there is used only after its content hashes to the sha256 recorded beside it
 * when it was converted.
 *
 * <p>Hashing a multi-gigabyte layer at every start would make a container start cost a full
 * read of its image, so a successful check is remembered in the user's own (private) cache as
 * a stamp of the file's identity: device, inode, size, mtime and ctime. The ctime changes with
 * any write, rename onto the name, chmod or utime and cannot be set back by the file's owner, so
 * a stamp matches only the file version that was hashed; anything else is hashed again.
 */
final class SystemCacheCheck {

    private static final Map<String, Boolean> VERIFIED = new ConcurrentHashMap<>();

    private SystemCacheCheck() {
    }

    /** The layer image of {@code d} in {@code system} if it checks out, else null; {@code user} keeps the stamps. */
    static Path verified(LayerCache system, LayerCache user, Digest d) throws IOException {
        Optional<LayerCache.LayerMeta> meta;
        try {
            meta = system.layerMeta(d);
        } catch (IOException | RuntimeException e) {
            return null; // unreadable or corrupt entry: fetch it ourselves
        }
        if (meta.isEmpty() || !meta.get().blob().equals(d)) {
            return null;
        }
        Path p = system.layerPath(d);
        String stamp;
        try {
            stamp = stamp(p) + " " + meta.get().imageSha256();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        Boolean ok = VERIFIED.get(stamp);
        if (ok == null) {
            Path remembered = user.verifiedPath(d);
            ok = readStamp(remembered).equals(stamp);
            if (!ok) {
                ok = Files.size(p) == meta.get().imageSize() && LayerCache.sha256Of(p).equals(meta.get().imageSha256());
                // The file may have changed while it was hashed: stamp what was there before.
                if (ok && stamp.equals(stamp(p) + " " + meta.get().imageSha256())) {
                    user.writeAtomically(remembered, (stamp + "\n").getBytes(StandardCharsets.UTF_8));
                } else {
                    ok = false;
                }
            }
            VERIFIED.put(stamp, ok);
        }
        return ok ? p : null;
    }

    private static String stamp(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime,ctime");
        return p.toAbsolutePath() + " " + a.get("dev") + " " + a.get("ino") + " " + a.get("size")
                + " " + nanos((FileTime) a.get("lastModifiedTime")) + " " + nanos((FileTime) a.get("ctime"));
    }

    private static long nanos(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static String readStamp(Path p) {
        try {
            if (Files.size(p) > 4096) {
                return "";
            }
            return Files.readString(p, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
