package io.squashroot.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Checks and fingerprints a container image file. */
final class ImageFile {
    private static final int SQUASHFS_MAGIC = 0x73717368; // "hsqs" little-endian, squashfs superblock

    private ImageFile() {
    }

    /** True when {@code p} is a regular file that starts with the SquashFS magic. */
    static boolean isSquashfs(Path p) {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill
            }
            return !b.hasRemaining() && b.getInt(0) == SQUASHFS_MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /** Checks {@code p} is a readable SquashFS image; the message is enroot's. */
    static Path require(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new IOException("No such file or directory: " + abs);
        }
        if (!isSquashfs(abs)) {
            throw new IOException("Invalid image format: " + abs);
        }
        return abs.toRealPath();
    }

    /** {@code sha256:HEX} of the file's bytes. */
    static String digest(Path p) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }
}
