package io.squashroot.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Unsquashes an image into a new directory, as {@code enroot create} does: with
 * {@code unsquashfs -processors $ENROOT_MAX_PROCESSORS -user-xattrs}, then enroot's permission
 * fix (owner read/search everywhere, owner write on directories) so the tree can be used and
 * removed without privileges. The target must not exist; on failure nothing is left.
 */
final class RootfsExtractor {
    private RootfsExtractor() {
    }

    static void extract(Path image, Path target, int processors) throws IOException {
        if (Files.exists(target)) {
            throw new IOException("File already exists: " + target);
        }
        Files.createDirectories(target.getParent());
        List<String> cmd = List.of("unsquashfs", "-no-progress", "-processors",
                Integer.toString(Math.max(1, processors)), "-user-xattrs", "-d", target.toString(), image.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0 || !Files.isDirectory(target)) {
                String last = out.strip();
                int nl = last.lastIndexOf('\n');
                throw new IOException(image + ": extraction failed: " + (nl >= 0 ? last.substring(nl + 1) : last));
            }
            fixPermissions(target);
        } catch (IOException e) {
            Tree.deleteQuietly(target);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Tree.deleteQuietly(target);
            throw new IOException(image + ": extraction interrupted");
        }
    }

    private static void fixPermissions(Path dir) throws IOException, InterruptedException {
        new ProcessBuilder("chmod", "-f", "-R", "u+rX", dir.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        new ProcessBuilder("find", dir.toString(), "-maxdepth", "15", "-type", "d", "!", "-perm", "-u=w",
                "-exec", "chmod", "-f", "u+w", "{}", "+").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
