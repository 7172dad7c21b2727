package io.squashroot.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one reference resolved to at import time, stored as {@code images/KEY.json}: the
 * manifest digest, the config, the layer digests bottom first, and the keys of its configuration
 * layer and flat image. KEY is a hash of reference + platform, so names never need escaping.
 */
record ImageRecord(String reference, String platform, Digest manifest, Digest config, List<Digest> layers,
                   String rcKey, String flatKey) {

    static String key(String reference, String platform) {
        return Digest.of((reference + "\n" + platform).getBytes(StandardCharsets.UTF_8)).hex();
    }

    List<String> entryNames() {
        List<String> out = new ArrayList<>();
        for (Digest d : layers) {
            out.add("layer:" + d.hex());
        }
        out.add("config:" + config.hex());
        out.add("rc:" + rcKey);
        if (flatKey != null) {
            out.add("flat:" + flatKey);
        }
        return out;
    }

    byte[] toJson() {
        StringBuilder b = new StringBuilder("{\"reference\":").append(Json.quote(reference))
                .append(",\"platform\":").append(Json.quote(platform))
                .append(",\"manifest\":").append(Json.quote(manifest.toString()))
                .append(",\"config\":").append(Json.quote(config.toString()))
                .append(",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            b.append(i > 0 ? "," : "").append(Json.quote(layers.get(i).toString()));
        }
        b.append("],\"rc\":").append(Json.quote(rcKey));
        if (flatKey != null) {
            b.append(",\"flat\":").append(Json.quote(flatKey));
        }
        return b.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    static ImageRecord read(Path p) throws IOException {
        if (Files.size(p) > 1 << 20) {
            throw new IOException(p + ": image record larger than 1 MiB");
        }
        try {
            return fromMap(Json.object(Json.parse(Files.readString(p), p.toString()), p.toString()), p.toString());
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(p + ": corrupt image record: " + e.getMessage(), e);
        }
    }

    /** The record in a parsed JSON object (also embedded in a container pin). */
    static ImageRecord fromMap(Map<String, Object> m, String where) {
        List<Digest> layers = new ArrayList<>();
        for (Object o : Json.list(m.get("layers"), where + ": layers")) {
            layers.add(Digest.parse((String) o));
        }
        return new ImageRecord(Json.string(m.get("reference")), Json.string(m.get("platform")),
                Digest.parse(Json.string(m.get("manifest"))), Digest.parse(Json.string(m.get("config"))),
                List.copyOf(layers), Json.string(m.get("rc")), Json.string(m.get("flat")));
    }
}
