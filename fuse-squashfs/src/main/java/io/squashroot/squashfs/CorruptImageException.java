package io.squashroot.squashfs;

import java.io.IOException;

/**
 * The image breaks the SquashFS 4.0 format: a length, count or reference is out of range, a
 * block does not decompress, or the image ends early. The message is one line naming the image,
 * the structure and its position, e.g. {@code img.sqsh: directory header at 0x3f2a10+0x10:
 * entry count 70000 exceeds 256}.
 */
public final class CorruptImageException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptImageException(String message) {
        super(message);
    }
}
