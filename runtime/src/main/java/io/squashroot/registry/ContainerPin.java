package io.squashroot.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A named container's hold on an imported image, stored as {@code pins/KEY.json}: the image
 * record the container was created from (manifest, config, layer digests, configuration layer)
 * and the container directory that owns it. A fuse-mode container starts from exactly these
 * layer images every time, so {@code cache prune} keeps every entry a pin names for as long as
 * the owner directory exists, and drops a pin whose owner is gone. KEY is a hash of the owner's
 * absolute path, so creating the container again replaces its pin.
 */
record ContainerPin(Path owner, ImageRecord image) {

    ContainerPin {
        owner = owner.toAbsolutePath().normalize();
    }

    static String key(Path owner) {
        return Digest.of(owner.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)).hex();
    }

    /** False once the container was removed (by squashroot or by hand). */
    boolean ownerExists() {
        return Files.isDirectory(owner);
    }

    byte[] toJson() {
        String rec = new String(image.toJson(), StandardCharsets.UTF_8).strip();
        return ("{\"owner\":" + Json.quote(owner.toString()) + ",\"image\":" + rec + "}\n").getBytes(StandardCharsets.UTF_8);
    }

    static ContainerPin read(Path p) throws IOException {
        if (Files.size(p) > 1 << 20) {
            throw new IOException(p + ": container pin larger than 1 MiB");
        }
        try {
            Map<String, Object> m = Json.object(Json.parse(Files.readString(p), p.toString()), p.toString());
            return new ContainerPin(Path.of(Json.string(m.get("owner"))),
                    ImageRecord.fromMap(Json.object(m.get("image"), p + ": image"), p.toString()));
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new IOException(p + ": corrupt container pin: " + e.getMessage(), e);
        }
    }
}
