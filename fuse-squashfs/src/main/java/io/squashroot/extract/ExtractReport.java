package io.squashroot.extract;

/**
 * What an extraction produced. {@code skippedSpecial} counts device nodes (and FIFOs or sockets)
 * that could not be created for lack of privilege; {@code skippedXattrs} the attributes the
 * caller may not set (trusted.*, security.* as an ordinary user). Both are warnings, not errors,
 * as with unsquashfs. {@code skippedNames} counts entries (with everything below them) whose
 * names this JVM cannot spell as a path because they are not valid in its file-name encoding
 * (sun.jnu.encoding, UTF-8 under a UTF-8 locale); callers should treat a non-zero count as a
 * failure.
 */
public record ExtractReport(long directories, long files, long symlinks, long hardLinks, long specials,
                            long bytes, long skippedSpecial, long skippedXattrs, long skippedNames) {
}
