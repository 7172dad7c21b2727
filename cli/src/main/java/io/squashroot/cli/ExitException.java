package io.squashroot.cli;

/** Ends a command with a given exit status and, optionally, a one-line message. */
public final class ExitException extends RuntimeException {
    private final int status;

    public ExitException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
