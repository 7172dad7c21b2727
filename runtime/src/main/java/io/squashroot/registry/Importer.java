package io.squashroot.registry;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One import: resolve the image, bring every missing layer into the cache (download and convert
 * in one pass, {@code maxConnections} layers at a time), add the configuration layer, and record
 * the result. Layers already in the cache cost nothing but a stat; a layer that another process
 * is converting right now is waited for (per-digest lock) and then reused.
 */
final class Importer {

    private final LayerCache cache;
    private final LayerCache systemCache;
    private final LayerConverter converter;
    private final ImportProgress progress;
    private final int parallel;

    Importer(LayerCache cache, LayerCache systemCache, LayerConverter converter, ImportProgress progress, int parallel) {
        this.cache = cache;
        this.systemCache = systemCache;
        this.converter = converter;
        this.progress = progress;
        this.parallel = parallel;
    }

    /** Runs the import under the shared cache lock; returns the record and the stored image. */
    StoredImage pull(ImageSource source, Platform platform) throws IOException {
        progress.phase("Fetching image manifest");
        ImageSource.Resolved r = source.resolve(platform);
        ImageConfig config;
        try {
            config = ImageConfig.parse(r.config(), r.reference() + ": config " + r.configDigest());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (config.architecture() != null && !config.architecture().equals(platform.architecture())) {
            progress.phase("warning: image architecture doesn't match the requested one: "
                    + config.architecture() + " != " + platform.architecture());
        }
        Path configPath = cache.configPath(r.configDigest());
        if (!Files.isRegularFile(configPath)) {
            cache.writeAtomically(configPath, r.config());
        }
        List<Path> layers = layers(source, r.layers(), r.reference());
        Path rc = rcLayer(r, config);
        String key = ImageRecord.key(r.reference(), platform.toString());
        ImageRecord rec = new ImageRecord(r.reference(), platform.toString(), r.manifest(), r.configDigest(),
                r.layers().stream().map(Descriptor::digest).toList(), rcKey(r), null);
        Path recPath = cache.imagePath(key);
        ImageRecord old = Files.isRegularFile(recPath) ? readOrNull(recPath) : null;
        if (old != null && old.manifest().equals(rec.manifest()) && old.flatKey() != null) {
            rec = new ImageRecord(rec.reference(), rec.platform(), rec.manifest(), rec.config(), rec.layers(),
                    rec.rcKey(), old.flatKey());
        }
        byte[] json = rec.toJson();
        if (old != null && java.util.Arrays.equals(json, old.toJson())) {
            cache.touch(recPath); // a re-import: same record, no fsynced rewrite
        } else {
            cache.writeAtomically(recPath, json);
        }
        cache.touch(configPath);
        return new StoredImage(r.reference(), r.manifest(), config, configPath, layers, rc);
    }

    private static ImageRecord readOrNull(Path p) {
        try {
            return ImageRecord.read(p);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The flat image of {@code image} in the cache, built once per manifest, URI (its /etc/rc
     * names it), platform and squash options: a re-import with other ENROOT_SQUASH_OPTIONS
     * writes a new one rather than handing out the old compression.
     */
    Path flat(StoredImage image, String platform) throws IOException {
        String key = Digest.of((image.manifest() + "\n" + image.reference() + "\n" + platform + "\n" + converter.flatOptions())
                .getBytes(StandardCharsets.UTF_8)).hex();
        Path flat = cache.flatPath(key);
        try (CacheLock l = cache.lockEntry("flat-" + key)) {
            if (!Files.isRegularFile(flat)) {
                progress.phase("Creating squashfs filesystem");
                List<Path> lowers = new ArrayList<>(image.layersLowestFirst());
                lowers.add(image.rcLayer());
                Path tmp = tempTarget("flat-" + key);
                try {
                    converter.flatten(lowers, tmp);
                    cache.commitReadOnly(tmp, flat);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        cache.touch(flat);
        String recKey = ImageRecord.key(image.reference(), platform);
        Path recPath = cache.imagePath(recKey);
        ImageRecord rec = readOrNull(recPath);
        if (rec != null && !key.equals(rec.flatKey())) {
            cache.writeAtomically(recPath, new ImageRecord(rec.reference(), rec.platform(), rec.manifest(), rec.config(),
                    rec.layers(), rec.rcKey(), key).toJson());
        }
        return flat;
    }

    private Path tempTarget(String hint) throws IOException {
        Path t = cache.newTemp(hint);
        Files.delete(t); // the writer creates the file itself; we only reserve a unique name
        return t;
    }

    private List<Path> layers(ImageSource source, List<Descriptor> descs, String reference) throws IOException {
        Map<Digest, Descriptor> distinct = new LinkedHashMap<>();
        for (Descriptor d : descs) {
            distinct.putIfAbsent(d.digest(), d);
        }
        Map<Digest, Path> done = new LinkedHashMap<>();
        List<Descriptor> missing = new ArrayList<>();
        int i = 0;
        for (Descriptor d : distinct.values()) {
            i++;
            Path p = cachedLayer(d.digest());
            if (p != null) {
                done.put(d.digest(), p);
                progress.layer(i, distinct.size(), d.digest(), d.size(), ImportProgress.LayerState.CACHED);
            } else {
                missing.add(d);
            }
        }
        if (!missing.isEmpty()) {
            progress.phase("Downloading " + missing.size() + " missing layers");
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, missing.size()), r -> {
                Thread t = new Thread(r, "squashroot-layer");
                t.setDaemon(true);
                return t;
            });
            try {
                Map<Digest, Future<Path>> futures = new LinkedHashMap<>();
                List<Descriptor> all = List.copyOf(distinct.values());
                for (Descriptor d : missing) {
                    int index = all.indexOf(d) + 1;
                    futures.put(d.digest(), pool.submit(() -> fetchLayer(source, d, index, all.size(), reference)));
                }
                for (Map.Entry<Digest, Future<Path>> f : futures.entrySet()) {
                    done.put(f.getKey(), await(f.getValue()));
                }
            } finally {
                pool.shutdownNow();
            }
        }
        List<Path> out = new ArrayList<>();
        for (Descriptor d : descs) {
            Path p = done.get(d.digest());
            cache.touch(p);
            out.add(p);
        }
        return out;
    }

    private static Path await(Future<Path> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while importing");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        }
    }

    /** The layer image for {@code d} if the user's cache or the verified system cache has it. */
    private Path cachedLayer(Digest d) throws IOException {
        if (cache.layerMeta(d).isPresent()) {
            return cache.layerPath(d);
        }
        if (systemCache != null) {
            Path p = SystemCacheCheck.verified(systemCache, cache, d);
            if (p == null && Files.exists(systemCache.layerPath(d))) {
                progress.phase("warning: layer " + d + " in the system cache " + systemCache.root()
                        + " does not match the digest recorded for it; fetching it into the user's cache");
            }
            return p;
        }
        return null;
    }

    private Path fetchLayer(ImageSource source, Descriptor d, int index, int count, String reference) throws IOException {
        try (CacheLock l = cache.lockEntry(d.digest().hex())) {
            if (cache.layerMeta(d.digest()).isPresent()) {
                progress.layer(index, count, d.digest(), d.size(), ImportProgress.LayerState.CACHED);
                return cache.layerPath(d.digest());
            }
            progress.layer(index, count, d.digest(), d.size(), ImportProgress.LayerState.DOWNLOADING);
            Path tmp = tempTarget(d.digest().hex());
            try {
                try (InputStream raw = source.openLayer(d, n -> progress.bytes(d.digest(), n))) {
                    try {
                        converter.convertLayer(new KeepOpen(raw), tmp);
                    } catch (IOException e) {
                        throw explain(e, raw, reference + ": layer " + d.digest());
                    }
                    // The writer stops at the tar's end marker; the digest covers the whole blob.
                    raw.transferTo(OutputStream.nullOutputStream());
                }
                String sha = LayerCache.sha256Of(tmp);
                LayerCache.LayerMeta meta = new LayerCache.LayerMeta(d.digest(), d.size(), Files.size(tmp), sha, d.mediaType());
                cache.writeAtomically(cache.layerMetaPath(d.digest()), meta.toJson().getBytes(StandardCharsets.UTF_8));
                cache.commit(tmp, cache.layerPath(d.digest()));
                progress.layer(index, count, d.digest(), d.size(), ImportProgress.LayerState.CONVERTED);
                return cache.layerPath(d.digest());
            } catch (IOException | RuntimeException e) {
                progress.layer(index, count, d.digest(), d.size(), ImportProgress.LayerState.FAILED);
                throw e;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Why a layer did not convert. A transfer failure inside (timeout, broken connection) is
     * reported as itself, without the writer's tar-entry prefix. Bad tar or compressed data is
     * first checked against the blob's digest by reading the rest of the blob: a corrupt download
     * shows up as bad data long before the digest check at its end, and "digest mismatch" is the
     * cause to name. Only a blob that verifies is reported as a bad layer.
     */
    private static IOException explain(IOException e, InputStream raw, String what) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RegistryException r) {
                return r;
            }
        }
        try {
            raw.transferTo(OutputStream.nullOutputStream());
        } catch (IOException verify) {
            verify.addSuppressed(e);
            return verify;
        }
        return new IOException(what + ": " + e.getMessage(), e);
    }

    private static String rcKey(ImageSource.Resolved r) {
        return Digest.of((r.configDigest() + "\n" + r.provenance()).getBytes(StandardCharsets.UTF_8)).hex();
    }

    private Path rcLayer(ImageSource.Resolved r, ImageConfig config) throws IOException {
        String key = rcKey(r);
        Path p = cache.rcPath(key);
        try (CacheLock l = cache.lockEntry("rc-" + key)) {
            if (!Files.isRegularFile(p)) {
                byte[] tar = RcFiles.tar(RcFiles.files(config, r.provenance()), 0);
                Path tmp = tempTarget("rc-" + key);
                try {
                    converter.convertLayer(new ByteArrayInputStream(tar), tmp);
                    cache.commit(tmp, p);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        cache.touch(p);
        return p;
    }

    /** Hides close() from the writer, so the blob can be read to its end (and verified) afterwards. */
    private static final class KeepOpen extends FilterInputStream {
        KeepOpen(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
