package io.squashroot.squashfs.write;

/** What a tar source does with OCI whiteout entries ({@code .wh.NAME}, {@code .wh..wh..opq}). */
enum Whiteouts {
    /** Store them as the ordinary files they are in the tar. */
    KEEP,
    /** Layer image: char device 0:0 for {@code .wh.NAME}, trusted.overlay.opaque=y for opaque dirs. */
    OVERLAY,
    /** Leave the markers out (a lone layer flattened: nothing lies below to hide). */
    DROP;

    static final String PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    static final String OPAQUE_XATTR = "trusted.overlay.opaque";
}
