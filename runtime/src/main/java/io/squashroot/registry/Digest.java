package io.squashroot.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest {@code sha256:<64 hex>}, the only algorithm registries use in practice. */
public record Digest(String hex) {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (!HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid sha256 digest: " + hex);
        }
    }

    /** Parses {@code sha256:HEX}; anything else (other algorithms, bad hex) is rejected by name. */
    public static Digest parse(String s) {
        if (s == null || !s.startsWith("sha256:")) {
            throw new IllegalArgumentException("unsupported digest (only sha256): " + s);
        }
        return new Digest(s.substring(7));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    static Digest of(byte[] data) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(data)));
    }

    static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    /** First 12 hex digits, as progress lines show layers. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
