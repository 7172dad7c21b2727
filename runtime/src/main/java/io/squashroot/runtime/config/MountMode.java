package io.squashroot.runtime.config;

import java.util.Locale;

/** How a container's root filesystem is made: mounted in place, or unsquashed to disk. */
public enum MountMode {
    FUSE, EXTRACT;

    /** Parses {@code fuse} or {@code extract} (any case); the message names the bad value. */
    public static MountMode parse(String s, String where) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": invalid mount mode '" + s + "' (expected fuse or extract)");
        }
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
