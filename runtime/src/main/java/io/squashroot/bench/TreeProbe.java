package io.squashroot.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The harness's own file-system workloads, identical for every mode: a metadata walk (lstat of
 * every entry, no reads) and a full read of every regular file in walk order. Entries the user
 * may not read are counted as skipped rather than failing the run, so an unprivileged admin can
 * still benchmark an image holding root-only files.
 */
final class TreeProbe {

    private static final int BUFFER = 1 << 20;

    /** What a walk saw. */
    record Walk(long entries, List<Path> files) {
    }

    /** What a full read did. */
    record Read(long bytes, long skipped) {
    }

    private TreeProbe() {
    }

    static Walk walk(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        long[] entries = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                entries[0]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                entries[0]++;
                if (attrs.isRegularFile()) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                entries[0]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return new Walk(entries[0], files);
    }

    static Read readAll(List<Path> files) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        long bytes = 0;
        long skipped = 0;
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                int n;
                while ((n = ch.read(buf.clear())) > 0) {
                    bytes += n;
                }
            } catch (IOException e) {
                skipped++;
            }
        }
        return new Read(bytes, skipped);
    }
}
