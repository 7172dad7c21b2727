package io.squashroot.runtime;

import java.lang.management.ManagementFactory;

/**
 * SQUASHROOT_TRACE=1: one stderr line per start phase with the milliseconds since the JVM
 * started, to see where start latency goes (JVM, mount, namespace setup, command).
 */
final class Trace {
    private static final boolean ON = System.getenv("SQUASHROOT_TRACE") != null;

    private Trace() {
    }

    static void mark(String phase) {
        if (ON) {
            long up = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("squashroot: trace: " + up + " ms " + phase);
        }
    }
}
