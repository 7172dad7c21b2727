package io.squashroot.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns any exception a command throws into one line on stderr and an exit status.
 * {@link ExitException} carries its own status; I/O and format errors exit 1; anything else is
 * a bug, reported as "internal error" with the exception's class so it can be filed.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        if (System.getenv("SQUASHROOT_DEBUG") != null) {
            ex.printStackTrace();
        }
        Throwable t = ex;
        if (t instanceof UncheckedIOException u && u.getCause() != null) {
            t = u.getCause();
        }
        if (t instanceof ExitException e) {
            if (e.getMessage() != null && !e.getMessage().isEmpty()) {
                System.err.println("squashroot: " + oneLine(e.getMessage()));
            }
            return e.status();
        }
        if (t instanceof IOException || t instanceof IllegalArgumentException) {
            System.err.println("squashroot: " + oneLine(describe(t)));
            return 1;
        }
        System.err.println("squashroot: internal error: " + t.getClass().getName() + ": "
                + oneLine(String.valueOf(t.getMessage())) + " (set SQUASHROOT_DEBUG=1 for details)");
        return 70; // EX_SOFTWARE
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file or directory";
        }
        if (t instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (t instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return m == null ? t.getClass().getSimpleName() : m;
    }

    static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
