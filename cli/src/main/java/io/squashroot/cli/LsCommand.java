package io.squashroot.cli;

import io.squashroot.squashfs.Listing;
import io.squashroot.squashfs.SquashfsImage;
import java.io.BufferedOutputStream;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code squashroot ls IMAGE [PATH]}: the listing of {@code unsquashfs -lln}, byte for byte. */
@Command(name = "ls",
        description = {"List an image's contents as 'unsquashfs -lln' does: mode, uid/gid, size, mtime, path.",
                "With PATH, list the directories leading to it, then PATH and everything below it."})
final class LsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "SquashFS image file")
    Path image;

    @Parameters(index = "1", paramLabel = "PATH", arity = "0..1", description = "path inside the image (default: all)")
    String path = "";

    @Override
    public Integer call() throws Exception {
        try (SquashfsImage img = SquashfsImage.open(image)) {
            BufferedOutputStream out = new BufferedOutputStream(System.out, 1 << 16);
            Listing.write(img, path, out, ZoneId.systemDefault());
            out.flush();
        }
        return 0;
    }
}
