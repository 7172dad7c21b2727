package io.squashroot.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * An image stored locally: {@code docker-archive:FILE} (the tar {@code docker save} writes, whose
 * manifest.json lists a config and layer tars) or {@code oci-archive:PATH[:TAG]} (an OCI image
 * layout, as a directory or a tar of one). Archives are read in place through the tar's index,
 * never unpacked; every blob is checked against its digest as it streams.
 */
final class ArchiveSource implements ImageSource {

    private final String uri;
    private final Path path;
    private final String tag;
    private final boolean docker;
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> entries = new HashMap<>();
    private final Map<Digest, String> layerPaths = new HashMap<>();

    private ArchiveSource(String uri, Path path, String tag, boolean docker) throws IOException {
        this.uri = uri;
        this.path = path;
        this.tag = tag;
        this.docker = docker;
        if (Files.isDirectory(path)) {
            this.tar = null;
        } else {
            try {
                this.tar = new TarFile(path);
            } catch (IOException e) {
                throw new IOException(path + ": not a readable tar archive: " + e.getMessage(), e);
            }
            for (TarArchiveEntry e : tar.getEntries()) {
                entries.put(normalize(e.getName()), e);
            }
        }
    }

    static boolean handles(String uri) {
        return uri.startsWith("docker-archive:") || uri.startsWith("oci-archive:") || uri.startsWith("oci:");
    }

    static ArchiveSource open(String uri) throws IOException {
        boolean docker = uri.startsWith("docker-archive:");
        String rest = uri.substring(uri.indexOf(':') + 1);
        String tag = null;
        Path p = Path.of(rest);
        if (!Files.exists(p) && rest.lastIndexOf(':') > 0) {
            tag = rest.substring(rest.lastIndexOf(':') + 1);
            p = Path.of(rest.substring(0, rest.lastIndexOf(':')));
        }
        if (!Files.exists(p)) {
            throw new java.nio.file.NoSuchFileException(p.toString());
        }
        return new ArchiveSource(uri, p.toAbsolutePath(), tag, docker);
    }

    private static String normalize(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n;
    }

    private long size(String name) throws IOException {
        if (tar == null) {
            Path f = path.resolve(name).normalize();
            if (!f.startsWith(path) || !Files.isRegularFile(f)) {
                throw new IOException(uri + ": missing " + name);
            }
            return Files.size(f);
        }
        TarArchiveEntry e = entries.get(name);
        if (e == null || !e.isFile()) {
            throw new IOException(uri + ": missing " + name);
        }
        return e.getSize();
    }

    private InputStream openEntry(String name) throws IOException {
        size(name); // existence and containment checks
        if (tar == null) {
            return Files.newInputStream(path.resolve(name));
        }
        TarArchiveEntry e = entries.get(name);
        if (e.isSparse()) {
            throw new IOException(uri + ": " + name + " is a sparse tar entry (docker save and OCI tools write none)");
        }
        return new FileSlice(path, e.getDataOffset(), e.getSize());
    }

    private byte[] readSmall(String name) throws IOException {
        long n = size(name);
        if (n > RegistryClient.MAX_SMALL_BLOB) {
            throw new IOException(uri + ": " + name + " is larger than " + RegistryClient.MAX_SMALL_BLOB + " bytes");
        }
        try (InputStream in = openEntry(name)) {
            return in.readNBytes((int) n);
        }
    }

    private byte[] readBlob(Descriptor d) throws IOException {
        byte[] b = readSmall(blobPath(d.digest()));
        if (!Digest.of(b).equals(d.digest())) {
            throw new IOException(uri + ": blob " + d.digest() + " does not match its digest");
        }
        return b;
    }

    private static String blobPath(Digest d) {
        return "blobs/sha256/" + d.hex();
    }

    @Override
    public Resolved resolve(Platform platform) throws IOException {
        try {
            boolean hasDockerManifest = tar == null ? Files.exists(path.resolve("manifest.json"))
                    : entries.containsKey("manifest.json");
            return docker && hasDockerManifest ? resolveDocker() : resolveOci(platform);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(uri + ": " + e.getMessage(), e);
        }
    }

    private Resolved resolveDocker() throws IOException {
        byte[] mj = readSmall("manifest.json");
        List<?> images = Json.list(Json.parse(new String(mj, StandardCharsets.UTF_8), uri + ": manifest.json"), "manifest.json");
        if (images.isEmpty()) {
            throw new IOException(uri + ": manifest.json lists no image");
        }
        if (images.size() > 1) {
            throw new IOException(uri + ": archive holds " + images.size() + " images; save one image per archive");
        }
        Map<String, Object> img = Json.object(images.get(0), "manifest.json");
        String configName = normalize(Json.string(img.get("Config")));
        byte[] config = readSmall(configName);
        Digest configDigest = Digest.of(config);
        Map<String, Object> cfg = Json.object(Json.parse(new String(config, StandardCharsets.UTF_8), configName), configName);
        List<?> diffIds = Json.list(Json.object(cfg.get("rootfs"), configName + ": rootfs").get("diff_ids"), "diff_ids");
        List<?> layerNames = Json.list(img.get("Layers"), "manifest.json: Layers");
        if (diffIds.size() != layerNames.size()) {
            throw new IOException(uri + ": " + layerNames.size() + " layers but " + diffIds.size() + " diff_ids");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            String name = normalize((String) layerNames.get(i));
            Digest d = name.startsWith("blobs/sha256/") ? new Digest(name.substring(13)) : Digest.parse((String) diffIds.get(i));
            layers.add(new Descriptor("application/vnd.docker.image.rootfs.diff.tar", d, size(name), null));
            layerPaths.put(d, name);
        }
        return new Resolved(uri, uri, Digest.of(mj), configDigest, config, List.copyOf(layers));
    }

    private Resolved resolveOci(Platform platform) throws IOException {
        byte[] ij = readSmall("index.json");
        Manifest index = Manifest.parse(ij, MediaTypes.OCI_INDEX, uri + ": index.json");
        Descriptor pick = null;
        for (Descriptor d : index.entries()) {
            if (tag == null || tag.equals(refName(ij, d))) {
                pick = d;
                break;
            }
        }
        if (pick == null) {
            throw new IOException(uri + ": no image tagged " + tag + " in index.json");
        }
        for (int depth = 0; depth < 4; depth++) {
            byte[] body = readBlob(pick);
            Manifest m = Manifest.parse(body, pick.mediaType(), uri + ": " + pick.digest());
            if (!m.isIndex()) {
                for (Descriptor l : m.layers()) {
                    layerPaths.put(l.digest(), blobPath(l.digest()));
                }
                return new Resolved(uri, uri, pick.digest(), m.config().digest(), readBlob(m.config()), m.layers());
            }
            pick = m.select(platform, uri);
        }
        throw new IOException(uri + ": indexes nested too deep");
    }

    /** The org.opencontainers.image.ref.name annotation of an index.json entry. */
    private static String refName(byte[] indexJson, Descriptor d) {
        Map<String, Object> idx = Json.object(Json.parse(new String(indexJson, StandardCharsets.UTF_8), "index.json"), "index.json");
        for (Object o : Json.list(idx.get("manifests"), "manifests")) {
            Map<String, Object> m = Json.object(o, "manifest");
            if (d.digest().toString().equals(m.get("digest")) && m.get("annotations") instanceof Map<?, ?> a) {
                Object n = a.get("org.opencontainers.image.ref.name");
                if (n instanceof String s) {
                    return s;
                }
            }
        }
        return null;
    }

    @Override
    public InputStream openLayer(Descriptor layer, LongConsumer progress) throws IOException {
        String name = layerPaths.get(layer.digest());
        if (name == null) {
            throw new IOException(uri + ": layer " + layer.digest() + " is not in the archive");
        }
        return new VerifyingInputStream(openEntry(name), layer, uri + ": layer " + name, progress);
    }

    @Override
    public void close() throws IOException {
        if (tar != null) {
            tar.close();
        }
    }
}
