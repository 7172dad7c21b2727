package io.squashroot.overlay;

import io.squashroot.tree.FileAttr;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The markers that hide lower entries, as Linux overlayfs and the OCI image spec define them.
 * A whiteout is a character device 0:0 (overlayfs) or an empty file {@code .wh.NAME} (OCI); a
 * directory is opaque when it carries {@code trusted.overlay.opaque=y} (or the unprivileged
 * {@code user.overlay.opaque=y}) or holds an entry {@code .wh..wh..opq}. Names starting with
 * {@code .wh.} are markers in every layer and never shown.
 */
final class Whiteout {
    static final String PREFIX = ".wh.";
    static final String OPAQUE_ENTRY = ".wh..wh..opq";
    /** Scratch space for copy-up and other atomic replacements, at the root of the upper. */
    static final String WORK_DIR = ".wh..wh..work";
    static final String TRUSTED_OPAQUE = "trusted.overlay.opaque";
    static final String USER_OPAQUE = "user.overlay.opaque";
    private static final byte[] YES = "y".getBytes(StandardCharsets.US_ASCII);

    private Whiteout() {
    }

    static boolean isWhiteout(FileAttr attr) {
        return (attr.mode() & FileAttr.S_IFMT) == FileAttr.S_IFCHR && attr.rdev() == 0;
    }

    static boolean isMarkerName(String name) {
        return name.startsWith(PREFIX);
    }

    /** The name hidden by a {@code .wh.NAME} entry, or null when {@code name} hides nothing. */
    static String hiddenBy(String name) {
        if (!name.startsWith(PREFIX) || name.startsWith(PREFIX + PREFIX)) {
            return null;
        }
        return name.substring(PREFIX.length());
    }

    static boolean isYes(byte[] value) {
        return value != null && Arrays.equals(value, YES);
    }

    static byte[] yes() {
        return YES.clone();
    }

    /** Overlay-internal xattrs that must not be shown or copied as user data. */
    static boolean isInternalXattr(String name) {
        return name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.")
                || name.startsWith(RecordedStat.PREFIX);
    }
}
