package io.squashroot.runtime.config;

import java.util.Locale;

/**
 * {@code SQUASHROOT_SUBIDS}: whether a rootless fuse-mode container maps the caller's
 * subordinate id range (/etc/subuid, /etc/subgid) besides the caller itself. {@code auto} (the
 * default, also for an empty value) maps it when everything it needs is there; a value reading
 * as "no" by enroot's rule never maps it; any other value insists on it, and a start that cannot
 * have it fails.
 */
public enum Subids {
    AUTO, YES, NO;

    public static Subids parse(String value) {
        if (value == null || value.isEmpty() || value.trim().toLowerCase(Locale.ROOT).equals("auto")) {
            return AUTO;
        }
        return EnrootBoolean.isFalsy(value) ? NO : YES;
    }
}
