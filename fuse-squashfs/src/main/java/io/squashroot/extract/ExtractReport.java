package io.squashroot.extract;

/**
 * What an extraction produced. {@code skippedSpecial} counts device nodes (and FIFOs or sockets)
 * that could not be created for lack of privilege; {@code skippedXattrs} the attributes the
 * caller may not set (trusted.*, security.* as an ordinary user). Both are warnings, not errors,
 * as with unsquashfs. Every name is extracted with its exact bytes, whatever the locale.
 */
public record ExtractReport(long directories, long files, long symlinks, long hardLinks, long specials,
                            long bytes, long skippedSpecial, long skippedXattrs) {
}
