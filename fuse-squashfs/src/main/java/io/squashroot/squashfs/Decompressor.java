package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decodes one compressed block (§3.3). Instances are not thread-safe; {@link BlockDecoder}
 * keeps one per thread.
 */
interface Decompressor {

    /**
     * Decodes all of {@code src} (position to limit) into {@code dst}, writing at most
     * {@code dst.remaining()} bytes starting at dst's position. Both buffers may be heap or
     * direct. Positions are left unchanged.
     *
     * @return the number of bytes produced
     * @throws IOException with a short reason when the input is not a valid block or would
     *     produce more than {@code dst.remaining()} bytes
     */
    int decompress(ByteBuffer src, ByteBuffer dst) throws IOException;
}
