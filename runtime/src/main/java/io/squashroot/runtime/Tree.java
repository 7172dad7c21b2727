package io.squashroot.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whole-directory operations on container trees. Removal goes through {@code rm
 * --one-file-system} (with enroot's chmod retry for directories an image made unwritable), so
 * it never descends into a mount that is still attached; size is {@code du}'s, in bytes on disk.
 */
final class Tree {
    private Tree() {
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (deleteSmall(dir)) {
            return;
        }
        String d = dir.toString();
        if (run(List.of("rm", "--one-file-system", "--preserve-root", "-rf", d)) != 0) {
            run(List.of("chmod", "-f", "-R", "u+rwX", d));
            if (run(List.of("rm", "--one-file-system", "--preserve-root", "-rf", d)) != 0) {
                throw new IOException(d + ": could not remove (a mount inside it, or permission denied)");
            }
        }
    }

    /**
     * Deletes a small tree in-process (a start's runtime directory: a handful of files), which
     * saves two process spawns on every start; gives up (false) on anything unusual, leaving the
     * rest to rm. Never crosses into a mount: a mount point is a different device.
     */
    private static boolean deleteSmall(Path dir) {
        try {
            Object dev = Files.getAttribute(dir, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            java.util.List<Path> all = new java.util.ArrayList<>();
            try (var s = Files.walk(dir)) {
                var it = s.iterator();
                while (it.hasNext()) {
                    Path p = it.next();
                    if (!dev.equals(Files.getAttribute(p, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                            || all.size() > 1000) {
                        return false;
                    }
                    all.add(p);
                }
            }
            for (int i = all.size() - 1; i >= 0; i--) {
                Files.delete(all.get(i));
            }
            return true;
        } catch (IOException | java.io.UncheckedIOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            // best effort: gc finds what is left
        }
    }

    /** Bytes on disk used by the tree at {@code dir} (0 if it does not exist). */
    static long sizeOnDisk(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try {
            Process p = new ProcessBuilder("du", "-sxk", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(60, TimeUnit.SECONDS);
            int tab = out.indexOf('\t');
            return tab > 0 ? Long.parseLong(out.substring(0, tab)) * 1024 : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static int run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new IOException(cmd.get(0) + " interrupted");
        }
    }
}
