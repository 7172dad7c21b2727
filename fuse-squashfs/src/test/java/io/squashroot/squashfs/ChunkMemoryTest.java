package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ChunkMemoryTest {

    private static ChunkedImageSource.Key key(long i) {
        return new ChunkedImageSource.Key("img", 1024, i);
    }

    @Test
    void keepsFreshChunk_evenWhenOlderOnesWereUsedOften() {
        ChunkMemory m = new ChunkMemory(3 * (1024 + 64));
        m.put(key(0), new byte[1024]);
        m.put(key(1), new byte[1024]);
        for (int i = 0; i < 50; i++) {
            m.get(key(0)); // popular
            m.get(key(1));
        }
        m.put(key(2), new byte[1024]);
        m.put(key(3), new byte[1024]); // evicts the least recently used (0), not the newcomer
        assertNotNull(m.get(key(3)));
        assertNotNull(m.get(key(2)));
        assertNull(m.get(key(0)));
        assertNotNull(m.get(key(1)));
    }

    @Test
    void dropsOneImagesChunks_onRemoveIf() {
        ChunkMemory m = new ChunkMemory(1 << 20);
        m.put(key(0), new byte[10]);
        m.put(new ChunkedImageSource.Key("other", 1024, 0), new byte[10]);
        m.removeIf(k -> k.image().equals("img"));
        assertNull(m.get(key(0)));
        assertNotNull(m.get(new ChunkedImageSource.Key("other", 1024, 0)));
    }
}
