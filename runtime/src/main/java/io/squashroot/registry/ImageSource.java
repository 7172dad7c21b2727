package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Where an image comes from: a registry, a {@code docker save} archive, or an OCI layout (a
 * directory or its tar). Layers are opened as raw blob streams (compressed as stored) that
 * verify their digest when read to the end.
 */
interface ImageSource extends AutoCloseable {

    /**
     * What a source resolved to.
     *
     * @param reference  the name the cache records the image under
     * @param provenance the URI written to /etc/rc ({@code # enroot-provenance: ...})
     * @param layers     bottom layer first
     */
    record Resolved(String reference, String provenance, Digest manifest, Digest configDigest, byte[] config,
                    List<Descriptor> layers) {
    }

    Resolved resolve(Platform platform) throws IOException;

    InputStream openLayer(Descriptor layer, LongConsumer progress) throws IOException;

    @Override
    void close() throws IOException;
}
