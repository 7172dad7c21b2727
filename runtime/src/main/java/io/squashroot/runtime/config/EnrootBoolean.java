package io.squashroot.runtime.config;

import java.util.regex.Pattern;

/**
 * enroot's truth rule for ENROOT_* settings: after loading, enroot unsets every variable whose
 * value looks like a "no" ({@code n}, {@code no}, {@code N}, {@code NO}, {@code No}, {@code f},
 * {@code false}, {@code F}, {@code False}, {@code FALSE}) and then tests the others with
 * {@code [ -n "$VAR" ]}. So {@code 0} is true, and an empty value falls back to the default.
 */
final class EnrootBoolean {
    private static final Pattern FALSY = Pattern.compile("no?|N[oO]?|[fF](alse)?|FALSE");

    private EnrootBoolean() {
    }

    static boolean isFalsy(String value) {
        return FALSY.matcher(value).matches();
    }

    static boolean isTrue(String value) {
        return value != null && !value.isEmpty() && !isFalsy(value);
    }
}
