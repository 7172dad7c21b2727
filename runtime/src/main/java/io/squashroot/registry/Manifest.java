package io.squashroot.registry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed manifest document: either an image manifest (config + layers, bottom layer first) or
 * an index / manifest list (platform entries). Docker schema 1 is refused by name: it carries no
 * content-addressed config and registries have deprecated it.
 */
record Manifest(String mediaType, Descriptor config, List<Descriptor> layers, List<Descriptor> entries) {

    /** Manifests and indexes larger than this are refused before parsing (spec suggests 4 MiB). */
    static final int MAX_SIZE = 4 << 20;

    static Manifest parse(byte[] body, String contentType, String where) {
        if (body.length > MAX_SIZE) {
            throw new IllegalArgumentException(where + ": manifest larger than " + MAX_SIZE + " bytes");
        }
        Map<String, Object> m = Json.object(Json.parse(new String(body, StandardCharsets.UTF_8), where), where);
        String mt = Json.string(m.get("mediaType"));
        if (mt == null) {
            mt = contentType == null ? "" : contentType.split(";")[0].trim();
        }
        if (mt.isEmpty() || mt.equals("application/json")) {
            // OCI documents may omit mediaType: tell them apart by their fields.
            mt = m.containsKey("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (mt.equals(MediaTypes.DOCKER_SCHEMA1) || mt.equals(MediaTypes.DOCKER_SCHEMA1_SIGNED)
                || Long.valueOf(1).equals(m.get("schemaVersion"))) {
            throw new IllegalArgumentException(where + ": Docker schema 1 manifests are not supported");
        }
        if (MediaTypes.isIndex(mt)) {
            List<Descriptor> entries = new ArrayList<>();
            for (Object o : Json.list(m.get("manifests"), where + ": manifests")) {
                entries.add(Descriptor.from(o, where));
            }
            return new Manifest(mt, null, List.of(), List.copyOf(entries));
        }
        if (!MediaTypes.isManifest(mt)) {
            throw new IllegalArgumentException(where + ": unsupported manifest type " + mt);
        }
        if (m.get("config") == null) {
            throw new IllegalArgumentException(where + ": manifest without config");
        }
        Descriptor config = Descriptor.from(m.get("config"), where + ": config");
        List<Descriptor> layers = new ArrayList<>();
        for (Object o : Json.list(m.get("layers"), where + ": layers")) {
            layers.add(Descriptor.from(o, where + ": layer"));
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException(where + ": manifest has no layers");
        }
        return new Manifest(mt, config, List.copyOf(layers), List.of());
    }

    boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** The index entry for {@code want}; the error lists what the index offers. */
    Descriptor select(Platform want, String where) {
        for (Descriptor d : entries) {
            if (MediaTypes.isIndex(d.mediaType())) {
                continue;
            }
            if (want.accepts(d.platform())) {
                return d;
            }
        }
        List<String> have = new ArrayList<>();
        for (Descriptor d : entries) {
            if (d.platform() != null) {
                have.add(d.platform().toString());
            }
        }
        throw new IllegalArgumentException(where + ": no image for " + want + " (index has " + have + ")");
    }
}
