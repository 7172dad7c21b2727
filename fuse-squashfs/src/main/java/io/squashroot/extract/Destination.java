package io.squashroot.extract;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The rules for touching the destination directory: an existing DIR must be empty unless
 * {@code force}; anything already at an output path is replaced only with {@code force} and is
 * removed, never followed (a planted symlink is deleted, not written through); a directory is
 * accepted only if it is a real directory, checked with {@code NOFOLLOW_LINKS}.
 */
final class Destination {
    private final boolean force;

    Destination(boolean force) {
        this.force = force;
    }

    Path prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            Path real = dir.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new FileAlreadyExistsException(dir + ": exists and is not a directory");
            }
            if (!force) {
                try (var s = Files.list(real)) {
                    if (s.findAny().isPresent()) {
                        throw new FileAlreadyExistsException(dir + ": directory is not empty (use --force to overwrite)");
                    }
                }
            }
            return real;
        }
        Files.createDirectories(dir);
        return dir.toRealPath();
    }

    void makeDirectory(Path p) throws IOException {
        try {
            Files.createDirectory(p);
        } catch (FileAlreadyExistsException ex) {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isDirectory()) {
                return;
            }
            if (!force) {
                throw new FileAlreadyExistsException(p + ": exists (use --force to overwrite)");
            }
            Files.delete(p);
            Files.createDirectory(p);
        }
    }

    /** With force, removes what is at p (never following a symlink); without, refuses. */
    void replaceable(Path p) throws IOException {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            if (!force) {
                throw new FileAlreadyExistsException(p + ": exists (use --force to overwrite)");
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(p);
            } else {
                Files.delete(p);
            }
        }
    }

    private void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            List<Path> all = s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
            for (Path q : all) {
                Files.delete(q);
            }
        }
    }
}
