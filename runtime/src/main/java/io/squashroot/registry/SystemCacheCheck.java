package io.squashroot.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lookups in the shared system cache (SQUASHROOT_SYSTEM_CACHE), which users read but do not own:
 * a layer image there is used only after its content hashes to the sha256 recorded beside it
 * when it was converted, once per process and file version (path, size, mtime).
 */
final class SystemCacheCheck {

    private static final Map<String, Boolean> VERIFIED = new ConcurrentHashMap<>();

    private SystemCacheCheck() {
    }

    static Path verified(LayerCache system, Digest d) throws IOException {
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
        String key = p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
        Boolean ok = VERIFIED.get(key);
        if (ok == null) {
            ok = Files.size(p) == meta.get().imageSize() && LayerCache.sha256Of(p).equals(meta.get().imageSha256());
            VERIFIED.put(key, ok);
        }
        return ok ? p : null;
    }
}
