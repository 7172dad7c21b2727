package io.squashroot.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The caller's own locale, for what runs outside this JVM.
 *
 * <p>Why: Java 17 takes the charset of command-line arguments and java.nio path Strings from the
 * locale and ignores {@code -Dsun.jnu.encoding}; under C/POSIX it is ASCII, so any non-ASCII
 * argument or overlay path would break. bin/squashroot therefore starts the JVM with
 * {@code LC_ALL=C.UTF-8} when the caller's locale is C, POSIX or unset, and keeps the caller's
 * {@code LC_ALL} (empty when it was unset) in {@value #SAVED}. Containers, hooks and commands
 * run for the user must not see that substitute: {@link #restore} puts the caller's value back
 * into a child's environment.
 */
public final class HostLocale {
    /** Set by bin/squashroot: the caller's LC_ALL before it was replaced ("" when it was unset). */
    public static final String SAVED = "SQUASHROOT_HOST_LC_ALL";

    private HostLocale() {
    }

    /** Puts the caller's LC_ALL back into {@code env} (a child's environment made from this JVM's). */
    public static void restore(Map<String, String> env) {
        String saved = env.remove(SAVED);
        if (saved == null) {
            return;
        }
        if (saved.isEmpty()) {
            env.remove("LC_ALL");
        } else {
            env.put("LC_ALL", saved);
        }
    }

    /** The caller's environment: {@code jvmEnvironment} with the caller's locale put back. */
    public static Map<String, String> callerEnvironment(Map<String, String> jvmEnvironment) {
        Map<String, String> env = new LinkedHashMap<>(jvmEnvironment);
        restore(env);
        return env;
    }
}
