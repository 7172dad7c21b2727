package io.squashroot.tree;

/**
 * A failed filesystem operation, carrying the errno the kernel should see. The stack trace is
 * not filled in: ENOENT on lookups is the common case, not an exceptional one.
 */
public class FsException extends Exception {
    private final int errno;

    public FsException(int errno) {
        this(errno, null);
    }

    public FsException(int errno, String message) {
        super(message == null ? "errno " + errno : message, null, false, false);
        this.errno = errno;
    }

    public FsException(int errno, String message, Throwable cause) {
        super(message, cause, false, false);
        this.errno = errno;
    }

    /** The positive errno value (ENOENT = 2, ...). */
    public int errno() {
        return errno;
    }
}
