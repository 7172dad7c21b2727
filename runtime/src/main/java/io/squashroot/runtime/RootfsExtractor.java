package io.squashroot.runtime;

import java.io.IOException;
import io.squashroot.extract.Extractor;
import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.ReadSettings;
import io.squashroot.squashfs.SquashfsImage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unsquashes an image into a new directory, as {@code enroot create} does, with the project's
 * parallel {@link Extractor} ($ENROOT_MAX_PROCESSORS threads), then enroot's permission fix
 * (owner read/search everywhere, owner write on directories) so the tree can be used and
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
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.shared(), ReadSettings.forSequentialScan())) {
            Extractor.create(Math.max(1, processors), false).extract(img, target);
            fixPermissions(target);
        } catch (IOException | RuntimeException e) {
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
