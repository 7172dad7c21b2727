package io.squashroot.fuse;

import java.io.IOException;

/**
 * FUSE cannot be used on this machine (no libfuse2, no /dev/fuse, no fusermount); the message
 * is one line saying what to install or change.
 */
public final class FuseUnavailableException extends IOException {
    public FuseUnavailableException(String message) {
        super(message);
    }
}
