package io.squashroot.runtime;

import io.squashroot.runtime.config.MountMode;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Named containers in {@code $ENROOT_DATA_PATH}: {@code NAME/} is the container's tree (the
 * root filesystem in extract mode, as enroot has it; the overlay's upper layer in fuse mode),
 * {@code .squashroot/NAME.properties} its {@link ContainerRecord} and {@code .squashroot/NAME.lock}
 * the lock that starts and removal take. The hidden directory keeps {@code enroot list}'s
 * view (one directory per container) intact.
 */
final class ContainerStore {
    private final Path data;
    private final Path meta;

    ContainerStore(Path dataPath) {
        this.data = dataPath;
        this.meta = dataPath.resolve(".squashroot");
    }

    /** Rejects what enroot rejects (a slash) and what would hide or escape (empty, leading dot). */
    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.startsWith(".") || name.contains("\0")) {
            throw new IllegalArgumentException("Invalid argument: " + name);
        }
        return name;
    }

    Path dir(String name) {
        return data.resolve(checkName(name));
    }

    boolean exists(String name) {
        return Files.isDirectory(dir(name));
    }

    /** Container names, sorted (directories of the data path, as {@code ls -1} shows them). */
    List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(data)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(data)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".") && Files.isDirectory(p)) {
                    out.add(n);
                }
            }
        }
        out.sort(null);
        return out;
    }

    Optional<ContainerRecord> record(String name) throws IOException {
        Path f = meta.resolve(checkName(name) + ".properties");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            String last = p.getProperty("lastStart");
            return Optional.of(new ContainerRecord(name,
                    MountMode.parse(p.getProperty("mode", "extract"), f.toString()),
                    Path.of(p.getProperty("image", "")),
                    p.getProperty("digest", ""),
                    Long.parseLong(p.getProperty("imageSize", "-1")),
                    Long.parseLong(p.getProperty("imageMtime", "-1")),
                    Instant.parse(p.getProperty("created")),
                    last == null || last.isEmpty() ? null : Instant.parse(last),
                    p.getProperty("source")));
        } catch (RuntimeException e) {
            throw new IOException(f + ": corrupt container record (" + e.getMessage() + ")");
        }
    }

    /** Writes the record atomically (temporary file, then rename). */
    void write(ContainerRecord r) throws IOException {
        Files.createDirectories(meta);
        Properties p = new Properties();
        p.setProperty("mode", r.mode().word());
        p.setProperty("image", r.image().toString());
        p.setProperty("digest", r.digest());
        p.setProperty("imageSize", Long.toString(r.imageSize()));
        p.setProperty("imageMtime", Long.toString(r.imageMtimeMillis()));
        p.setProperty("created", r.created().toString());
        p.setProperty("lastStart", r.lastStart() == null ? "" : r.lastStart().toString());
        if (r.source() != null) {
            p.setProperty("source", r.source());
        }
        Path tmp = Files.createTempFile(meta, "." + r.name(), ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "squashroot container " + r.name());
            }
            Files.move(tmp, meta.resolve(r.name() + ".properties"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    void deleteRecord(String name) throws IOException {
        Files.deleteIfExists(meta.resolve(checkName(name) + ".properties"));
    }

    /**
     * Takes the container's lock without waiting: shared (extract-mode starts, which may run
     * side by side on one directory as with enroot) or exclusive (fuse-mode starts, which own
     * the upper layer, and removal). Empty when someone else holds a conflicting lock.
     */
    Optional<Lock> tryLock(String name, boolean exclusive) throws IOException {
        Files.createDirectories(meta);
        FileChannel ch = FileChannel.open(meta.resolve(checkName(name) + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, !exclusive);
            if (l == null) {
                ch.close();
                return Optional.empty();
            }
            return Optional.of(new Lock(ch));
        } catch (OverlappingFileLockException e) {
            ch.close();
            return Optional.empty();
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** A held container lock; closing releases it. */
    static final class Lock implements AutoCloseable {
        private final FileChannel ch;

        private Lock(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
