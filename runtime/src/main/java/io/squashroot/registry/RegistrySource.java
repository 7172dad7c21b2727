package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** An image in a registry: the manifest (via the index for the platform), its config and layers. */
final class RegistrySource implements ImageSource {
    private final RegistryClient client;
    private final ImageReference ref;

    RegistrySource(RegistryClient client, ImageReference ref) {
        this.client = client;
        this.ref = ref;
    }

    @Override
    public Resolved resolve(Platform platform) throws IOException {
        RegistryClient.Fetched m = client.manifest(ref.reference(), platform);
        byte[] config = client.smallBlob(m.manifest().config());
        return new Resolved(ref.uri(), ref.uri(), m.digest(), m.manifest().config().digest(), config,
                m.manifest().layers());
    }

    @Override
    public InputStream openLayer(Descriptor layer, LongConsumer progress) {
        return new BlobStream(client, layer, progress);
    }

    @Override
    public void close() {
        // the transport is closed by the importer that made it
    }
}
