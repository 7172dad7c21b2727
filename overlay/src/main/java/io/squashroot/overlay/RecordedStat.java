package io.squashroot.overlay;

import java.nio.charset.StandardCharsets;

/**
 * Ownership, mode and device number that the host user could not set on an upper file, kept in
 * the xattr {@value #XATTR} as text {@code "uid gid mode rdev"} (decimal, mode with its type
 * bits in octal) and served instead of the host's values. This is what lets an unprivileged
 * container chown files or mknod devices (docs/overlay-format.md).
 */
record RecordedStat(long uid, long gid, int mode, long rdev) {
    static final String PREFIX = "user.squashroot.";
    static final String XATTR = PREFIX + "stat";
    /** Prefix under which xattrs the host refuses (trusted.*, security.*) are stored. */
    static final String XATTR_ESCAPE = PREFIX + "x.";

    byte[] encode() {
        return (uid + " " + gid + " " + Integer.toOctalString(mode) + " " + rdev)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a recorded value; null when it is not one we wrote. */
    static RecordedStat decode(byte[] raw) {
        if (raw == null || raw.length > 128) {
            return null;
        }
        String[] f = new String(raw, StandardCharsets.US_ASCII).trim().split(" ");
        if (f.length != 4) {
            return null;
        }
        try {
            return new RecordedStat(Long.parseLong(f[0]), Long.parseLong(f[1]),
                    Integer.parseInt(f[2], 8), Long.parseLong(f[3]));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
