package io.squashroot.registry;

import java.io.IOException;

/**
 * A registry answered with an error or broke a transfer. The message is one line that names the
 * registry, the repository and the object (manifest, blob digest), and the HTTP status if any.
 */
public final class RegistryException extends IOException {
    private final int status;

    RegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status that caused it, or 0 for transport and verification errors. */
    public int status() {
        return status;
    }
}
