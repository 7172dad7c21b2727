package io.squashroot.registry;

/** Media types of the distribution and image specs that this package understands. */
final class MediaTypes {
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    /**
     * Sent with every manifest request: a registry answers with the first type it has in this list
     * order, and without the OCI types some registries return 404 for OCI-only images.
     */
    static final String ACCEPT_ALL = String.join(", ", DOCKER_MANIFEST, OCI_MANIFEST, DOCKER_LIST, OCI_INDEX);

    static boolean isIndex(String mt) {
        return DOCKER_LIST.equals(mt) || OCI_INDEX.equals(mt);
    }

    static boolean isManifest(String mt) {
        return DOCKER_MANIFEST.equals(mt) || OCI_MANIFEST.equals(mt);
    }

    private MediaTypes() {
    }
}
