package io.squashroot.squashfs;

import java.io.IOException;

/** Builds the {@link ImageSource} an image is read through, from the {@link ReadSettings}. */
final class ImageSources {

    private static final java.util.concurrent.atomic.AtomicLong OPENS = new java.util.concurrent.atomic.AtomicLong();

    private ImageSources() {
    }

    static ImageSource open(FileImageSource file, Superblock sb, ReadSettings reads, ReadCounters counters)
            throws IOException {
        long chunk = reads.effectiveChunk(sb.blockSize());
        if (chunk == 0) {
            return file;
        }
        if (reads.nodeCacheDir() == null) {
            // Without a node cache the image needs no content identity: chunks are this open's own.
            return new ChunkedImageSource(file, chunk, reads.readaheadChunks(), reads.memoryBytes(),
                    "open-" + OPENS.incrementAndGet(), null, counters);
        }
        String identity = ImageIdentity.of(file, sb);
        NodeCache.Store store = NodeCache.open(reads.nodeCacheDir(), reads.nodeCacheMaxBytes()).store(identity, chunk);
        return new ChunkedImageSource(file, chunk, reads.readaheadChunks(), reads.memoryBytes(), identity, store,
                counters);
    }
}
