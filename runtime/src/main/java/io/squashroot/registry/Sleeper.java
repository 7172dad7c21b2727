package io.squashroot.registry;

import java.time.Duration;

/** How retry back-off waits; tests pass one that records the delays instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
}
