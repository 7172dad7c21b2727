package io.squashroot.registry;

import java.util.Map;

/**
 * A content descriptor (OCI image spec "descriptor"): what a manifest says about a blob.
 *
 * @param platform for entries of an index: architecture/os/variant, else null
 */
record Descriptor(String mediaType, Digest digest, long size, Platform platform) {

    /** Largest blob size accepted from a manifest: 1 TiB, far above any real layer. */
    static final long MAX_BLOB_SIZE = 1L << 40;

    static Descriptor from(Object json, String where) {
        Map<String, Object> m = Json.object(json, where);
        String digest = Json.string(m.get("digest"));
        if (digest == null) {
            throw new IllegalArgumentException(where + ": descriptor without digest");
        }
        long size = m.get("size") instanceof Long l ? l : -1;
        if (size < 0 || size > MAX_BLOB_SIZE) {
            throw new IllegalArgumentException(where + ": descriptor " + digest + " has invalid size " + m.get("size"));
        }
        Platform p = m.get("platform") == null ? null : Platform.from(m.get("platform"), where);
        try {
            return new Descriptor(Json.string(m.get("mediaType")), Digest.parse(digest), size, p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
