package io.squashroot.squashfs.write;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Small tar archives written entry by entry, for the hostile and layer tests. */
final class TarBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    TarBuilder() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    TarBuilder dir(String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040755);
        return put(e, null);
    }

    TarBuilder file(String name, String content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true); // true: keep a leading '/', hostile tests need it
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        e.setSize(b.length);
        e.setMode(0100644);
        return put(e, b);
    }

    /** A file with PAX SCHILY.xattr headers: name/value pairs. */
    TarBuilder xattrFile(String name, String... xattrs) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(0);
        e.setMode(0100644);
        for (int i = 0; i < xattrs.length; i += 2) {
            e.addPaxHeader("SCHILY.xattr." + xattrs[i], xattrs[i + 1]);
        }
        return put(e, new byte[0]);
    }

    TarBuilder symlink(String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        return put(e, null);
    }

    TarBuilder hardlink(String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        return put(e, null);
    }

    private TarBuilder put(TarArchiveEntry e, byte[] data) throws IOException {
        e.setModTime(SampleTree.TIME * 1000);
        tar.putArchiveEntry(e);
        if (data != null) {
            tar.write(data);
        }
        tar.closeArchiveEntry();
        return this;
    }

    InputStream stream() throws IOException {
        tar.finish();
        return new ByteArrayInputStream(bytes.toByteArray());
    }
}
