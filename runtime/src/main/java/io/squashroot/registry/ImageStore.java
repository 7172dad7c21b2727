package io.squashroot.registry;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The entry point of the package: imports images into the layer cache and hands them out as
 * ordered layer images (for the overlay) or as one flat enroot-compatible .sqsh.
 *
 * <pre>{@code
 * ImageStore store = ImageStore.open(RegistrySettings.fromEnvironment(System::getenv));
 * StoredImage img = store.pull("docker://ubuntu:24.04", Platform.host(), ImportProgress.NONE);
 * img.lowersTopFirst();   // configuration layer, top layer, ..., base layer
 * store.importFlat("docker://ubuntu:24.04", Platform.host(), Path.of("ubuntu.sqsh"), ImportProgress.NONE);
 * }</pre>
 *
 * Sources: {@code docker://[USER@][REGISTRY#]IMAGE[:TAG|@DIGEST]} (and the REGISTRY/IMAGE form),
 * {@code docker-archive:FILE}, {@code oci-archive:PATH[:TAG]} and {@code oci:DIR[:TAG]}.
 */
public final class ImageStore {

    private final RegistrySettings settings;
    private final LayerCache cache;
    private final LayerCache systemCache;
    private final LayerConverter converter;
    private final Sleeper sleeper;

    ImageStore(RegistrySettings settings, LayerConverter converter, Sleeper sleeper) throws IOException {
        this.settings = settings;
        this.cache = LayerCache.open(settings.cacheDir());
        LayerCache sys = null;
        if (settings.systemCache() != null && Files.isDirectory(settings.systemCache())
                && !settings.systemCache().toAbsolutePath().normalize().equals(settings.cacheDir().toAbsolutePath().normalize())) {
            sys = LayerCache.openReadOnly(settings.systemCache());
        }
        this.systemCache = sys;
        this.converter = converter;
        this.sleeper = sleeper;
    }

    public static ImageStore open(RegistrySettings settings) throws IOException {
        return new ImageStore(settings, new WriterConverter(settings.writerEnvironment()), Sleeper.REAL);
    }

    public LayerCache cache() {
        return cache;
    }

    /** True for the URI schemes this package imports. */
    public static boolean isImageUri(String s) {
        return ImageReference.isDockerUri(s) || ArchiveSource.handles(s);
    }

    /** The image as last imported under {@code source}, without contacting any registry. */
    public Optional<StoredImage> cached(String source, Platform platform) throws IOException {
        String ref = ImageReference.isDockerUri(source) ? ImageReference.parse(source).uri() : source;
        Path recPath = cache.imagePath(ImageRecord.key(ref, platform.toString()));
        if (!Files.isRegularFile(recPath)) {
            return Optional.empty();
        }
        Optional<StoredImage> img = resolve(ImageRecord.read(recPath));
        if (img.isPresent()) {
            cache.touch(recPath);
        }
        return img;
    }

    /** The image a record names, if every entry it needs is in the cache (or the verified system cache). */
    private Optional<StoredImage> resolve(ImageRecord rec) throws IOException {
        List<Path> layers = new ArrayList<>();
        for (Digest d : rec.layers()) {
            Path p = cache.layerPath(d);
            if (!Files.isRegularFile(p)) {
                p = systemCache == null ? null : SystemCacheCheck.verified(systemCache, cache, d);
                if (p == null) {
                    return Optional.empty();
                }
            }
            layers.add(p);
        }
        Path config = cache.configPath(rec.config());
        Path rc = cache.rcPath(rec.rcKey());
        if (!Files.isRegularFile(config) || !Files.isRegularFile(rc)) {
            return Optional.empty();
        }
        ImageConfig cfg;
        try {
            cfg = ImageConfig.parse(Files.readAllBytes(config), config.toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(new StoredImage(rec.reference(), rec.manifest(), cfg, config, layers, rc));
    }

    /**
     * Pins {@code source}'s image for the named container whose directory is {@code owner}
     * ({@code create} in fuse mode): the image recorded for the reference, imported first if it
     * is not there, becomes the container's own ordered list of layer images, which
     * {@link #pinned} returns at every start and {@code cache prune} keeps while {@code owner}
     * exists. No flat image is written.
     */
    public StoredImage pin(String source, Platform platform, Path owner, ImportProgress progress) throws IOException {
        // Shared lock from lookup to pin: a prune (exclusive) cannot remove the layers in between.
        try (CacheLock l = cache.lockShared()) {
            if (cached(source, platform).isEmpty()) {
                pull(source, platform, progress);
            }
            // The record, not the pulled image: it names digests (a concurrent import of a moved
            // tag may have replaced it meanwhile, but always by a complete record).
            String ref = ImageReference.isDockerUri(source) ? ImageReference.parse(source).uri() : source;
            ImageRecord rec = ImageRecord.read(cache.imagePath(ImageRecord.key(ref, platform.toString())));
            rec = new ImageRecord(rec.reference(), rec.platform(), rec.manifest(), rec.config(), rec.layers(), rec.rcKey(), null);
            ContainerPin pin = new ContainerPin(owner, rec);
            cache.writeAtomically(cache.pinPath(ContainerPin.key(owner)), pin.toJson());
            return pinned(owner);
        }
    }

    /**
     * The image pinned for the container at {@code owner}, from the cache only. Fails naming the
     * container when the pin or one of its layer images is gone (e.g. a system-cache layer its
     * admin pruned): creating the container again imports what is missing.
     */
    public StoredImage pinned(Path owner) throws IOException {
        Path p = cache.pinPath(ContainerPin.key(owner));
        if (!Files.isRegularFile(p)) {
            throw new java.nio.file.NoSuchFileException(p.toString(), null,
                    "no layer-cache pin for container " + owner + " (create it again)");
        }
        ContainerPin pin = ContainerPin.read(p);
        if (!pin.owner().equals(owner.toAbsolutePath().normalize())) {
            throw new IOException(p + ": pin belongs to " + pin.owner() + ", not " + owner);
        }
        return resolve(pin.image()).orElseThrow(() -> new IOException("container " + owner + ": image "
                + pin.image().reference() + " (" + pin.image().manifest() + ") is no longer complete in the layer cache "
                + cache.root() + " (create the container again)"));
    }

    /** Where the pin of the container at {@code owner} is (whether or not it exists). */
    public Path pinFile(Path owner) {
        return cache.pinPath(ContainerPin.key(owner));
    }

    /** Drops the pin of the container at {@code owner} (removed or re-created); none is fine. */
    public void unpin(Path owner) throws IOException {
        Files.deleteIfExists(cache.pinPath(ContainerPin.key(owner)));
    }

    /** Imports {@code source} into the cache (only missing layers are fetched and converted). */
    public StoredImage pull(String source, Platform platform, ImportProgress progress) throws IOException {
        try (CacheLock l = cache.lockShared(); Session s = session(source)) {
            return new Importer(cache, systemCache, converter, progress, settings.maxConnections())
                    .pull(s.source, platform);
        }
    }

    /**
     * The flat image of {@code source} in the cache, for {@code create}/{@code start} with an image
     * URI: the one recorded for the reference is used without contacting the registry (Docker's
     * pull-if-missing), otherwise the image is imported first.
     */
    public Path flatImage(String source, Platform platform, ImportProgress progress) throws IOException {
        String ref = ImageReference.isDockerUri(source) ? ImageReference.parse(source).uri() : source;
        Path recPath = cache.imagePath(ImageRecord.key(ref, platform.toString()));
        if (Files.isRegularFile(recPath)) {
            ImageRecord rec = ImageRecord.read(recPath);
            if (rec.flatKey() != null && Files.isRegularFile(cache.flatPath(rec.flatKey()))) {
                cache.touch(recPath);
                cache.touch(cache.flatPath(rec.flatKey()));
                return cache.flatPath(rec.flatKey());
            }
        }
        try (CacheLock l = cache.lockShared(); Session s = session(source)) {
            Importer imp = new Importer(cache, systemCache, converter, progress, settings.maxConnections());
            return imp.flat(imp.pull(s.source, platform), platform.toString());
        }
    }

    /**
     * Imports {@code source} and writes the flat image to {@code output}, which must not exist
     * (as enroot: "File already exists"). The flat image is cached per manifest; the output is a
     * hard link to it (mode 0444) when the cache is on the same file system, else a copy (0644).
     */
    public Path importFlat(String source, Platform platform, Path output, ImportProgress progress) throws IOException {
        Path out = output.toAbsolutePath();
        if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(out.toString(), null, "file already exists");
        }
        try (CacheLock l = cache.lockShared(); Session s = session(source)) {
            Importer imp = new Importer(cache, systemCache, converter, progress, settings.maxConnections());
            StoredImage img = imp.pull(s.source, platform);
            Path flat = imp.flat(img, platform.toString());
            progress.phase("Writing " + out);
            try {
                // Same file system: the output is the cached flat image itself (read-only, so
                // neither can change the other), which makes a re-import cost no copy.
                Files.createLink(out, flat);
                return out;
            } catch (FileAlreadyExistsException e) {
                throw new FileAlreadyExistsException(out.toString(), null, "file already exists");
            } catch (IOException | UnsupportedOperationException e) {
                // another file system, or links refused: copy
            }
            Path tmp = Files.createTempFile(out.getParent(), "." + out.getFileName(), ".part");
            try {
                Files.copy(flat, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return out;
        }
    }

    /** A source plus what must be closed after it. */
    private final class Session implements AutoCloseable {
        final ImageSource source;
        final HttpTransport transport;

        Session(ImageSource source, HttpTransport transport) {
            this.source = source;
            this.transport = transport;
        }

        @Override
        public void close() throws IOException {
            try {
                source.close();
            } finally {
                if (transport != null) {
                    transport.close();
                }
            }
        }
    }

    private Session session(String source) throws IOException {
        if (ArchiveSource.handles(source)) {
            return new Session(ArchiveSource.open(source), null);
        }
        if (!ImageReference.isDockerUri(source)) {
            throw new IllegalArgumentException("unsupported image URI (docker://, docker-archive:, oci-archive:, oci:): " + source);
        }
        ImageReference ref = ImageReference.parse(source);
        HttpTransport t = new HttpTransport(settings);
        RegistryClient c = new RegistryClient(t, Credentials.load(settings.credentialsFile()), ref, sleeper);
        return new Session(new RegistrySource(c, ref), t);
    }
}
