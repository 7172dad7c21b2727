package io.squashroot.cli;

import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.ReadStats;
import io.squashroot.squashfs.SquashfsImage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mount's read metrics, written by its server to the per-user run directory every second and
 * at unmount, so {@code squashroot stats} (and admins' scripts) can see what each mounted image
 * costs the storage: requests and bytes sent to the image file, and hits and misses of the chunk
 * memory cache, the node cache and the decoded-block cache. One "key value" per line; the file is
 * replaced atomically and removed when the mount goes away.
 */
final class MountStats implements Closeable {

    static final String SUFFIX = ".stats";
    private static final long PERIOD_MS = 1000;

    private final Path file;
    private final Path mountpoint;
    private final Path image;
    private final SquashfsImage img;
    private final BlockCache cache;
    private final Thread thread;
    private volatile boolean running = true;

    private MountStats(Path file, Path mountpoint, Path image, SquashfsImage img) {
        this.file = file;
        this.mountpoint = mountpoint;
        this.image = image;
        this.img = img;
        this.cache = img.cache();
        this.thread = new Thread(this::loop, "mount-stats");
        this.thread.setDaemon(true);
    }

    /** Starts writing the metrics of {@code img}, served at {@code mountpoint}. */
    static MountStats start(Path mountpoint, Path image, SquashfsImage img) throws IOException {
        MountStats s = new MountStats(fileFor(mountpoint), mountpoint, image.toAbsolutePath(), img);
        s.write();
        s.thread.start();
        return s;
    }

    static Path fileFor(Path mountpoint) throws IOException {
        String mp = mountpoint.toAbsolutePath().normalize().toString();
        String name = mountpoint.getFileName() == null ? "root" : mountpoint.getFileName().toString();
        return MountDaemon.runDir().resolve("mount-" + Integer.toHexString(mp.hashCode()) + "-"
                + name.replaceAll("[^A-Za-z0-9_.-]", "_") + SUFFIX);
    }

    /** Every stats file in the run directory, parsed. */
    static List<Map<String, String>> all() throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(MountDaemon.runDir(), "*" + SUFFIX)) {
            for (Path f : ds) {
                read(f).ifPresent(out::add);
            }
        }
        out.sort((a, b) -> a.getOrDefault("mountpoint", "").compareTo(b.getOrDefault("mountpoint", "")));
        return out;
    }

    static java.util.Optional<Map<String, String>> read(Path f) {
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    m.put(line.substring(0, sp), line.substring(sp + 1));
                }
            }
            return java.util.Optional.of(m);
        } catch (IOException e) {
            return java.util.Optional.empty(); // removed while we looked: that mount is gone
        }
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(PERIOD_MS);
                write();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                // the run dir went away; try again next period
            }
        }
    }

    synchronized void write() throws IOException {
        ReadStats r = img.readStats();
        StringBuilder sb = new StringBuilder();
        line(sb, "mountpoint", mountpoint.toString());
        line(sb, "image", image.toString());
        line(sb, "pid", ProcessHandle.current().pid());
        line(sb, "updated", Instant.now());
        line(sb, "backing_requests", r.backingRequests());
        line(sb, "backing_bytes", r.backingBytes());
        line(sb, "chunk_memory_hits", r.memoryHits());
        line(sb, "chunk_memory_misses", r.memoryMisses());
        line(sb, "node_cache_hits", r.nodeHits());
        line(sb, "node_cache_misses", r.nodeMisses());
        line(sb, "node_cache_corrupt", r.nodeCorrupt());
        line(sb, "readahead_chunks", r.readaheadChunks());
        line(sb, "block_cache_hits", cache.hitCount());
        line(sb, "block_cache_misses", cache.missCount());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append(' ').append(value).append('\n');
    }

    @Override
    public void close() throws IOException {
        running = false;
        thread.interrupt();
        Files.deleteIfExists(file);
    }
}
