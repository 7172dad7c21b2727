package io.squashroot.cli;

import io.squashroot.extract.ExtractReport;
import io.squashroot.extract.Extractor;
import io.squashroot.squashfs.BlockCache;
import io.squashroot.squashfs.ReadSettings;
import io.squashroot.squashfs.SquashfsImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code squashroot extract IMAGE DIR}: parallel unsquash, restoring what unsquashfs restores. */
@Command(name = "extract",
        description = {"Extract a SquashFS image into DIR (created if missing) with parallel threads.",
                "Restores content (sparse files stay sparse), mode, mtime, symlinks, hard links; owners,",
                "device nodes and trusted/security xattrs when run as root (otherwise counted in a warning)."})
final class ExtractCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "SquashFS image file")
    Path image;

    @Parameters(index = "1", paramLabel = "DIR", description = "destination directory (must be empty unless --force)")
    Path dir;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: available processors)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = {"-f", "--force"}, description = "extract into a non-empty DIR, replacing existing files")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (threads < 1) {
            throw new ExitException(2, "--threads must be at least 1, got " + threads);
        }
        ExtractReport r;
        try (SquashfsImage img = SquashfsImage.open(image, BlockCache.shared(), ReadSettings.forSequentialScan())) {
            r = Extractor.create(threads, force).extract(img, dir);
        }
        System.out.printf("%s: %d directories, %d files (%d bytes), %d symlinks, %d hard links, %d special files%n",
                image, r.directories(), r.files(), r.bytes(), r.symlinks(), r.hardLinks(), r.specials());
        if (r.skippedSpecial() > 0) {
            System.err.println("squashroot: warning: " + r.skippedSpecial()
                    + " device nodes/FIFOs/sockets not created (not permitted; run as root)");
        }
        if (r.skippedXattrs() > 0) {
            System.err.println("squashroot: warning: " + r.skippedXattrs()
                    + " extended attributes not set (not permitted or not supported by the destination)");
        }
        return 0;
    }
}
