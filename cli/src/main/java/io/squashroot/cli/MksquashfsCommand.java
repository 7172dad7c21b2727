package io.squashroot.cli;

import io.squashroot.squashfs.write.Compression;
import io.squashroot.squashfs.write.SquashfsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code squashroot mksquashfs SOURCE OUT.sqsh [options]}: squashfs-tools' mksquashfs for the
 * flags enroot passes (ENROOT_SQUASH_OPTIONS and its own), written by the Java writer, so images
 * can be built where squashfs-tools is not installed. A tar source is converted in one pass.
 */
@Command(name = "mksquashfs",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = "Make a SquashFS image from a directory, a tar file or a tar on stdin ('-'); gzip, zstd, "
                + "xz and bzip2 tars are recognised. Takes the mksquashfs flags enroot uses. OUT is replaced if "
                + "it exists (mksquashfs would append; squashroot never does) and appears only when complete.",
        footer = {"", "SOURCE_DATE_EPOCH, when set, is the image time and clamps later file times."})
final class MksquashfsCommand implements Runnable {

    @Parameters(index = "0", paramLabel = "SOURCE", description = "directory, tar file, or - for a tar on stdin")
    String source;

    @Parameters(index = "1", paramLabel = "OUT.sqsh", description = "image to write")
    Path out;

    @Option(names = "-comp", paramLabel = "COMP", description = "compressor: gzip (default), lzo, xz, lz4, zstd")
    String comp = "gzip";

    @Option(names = "-b", paramLabel = "SIZE", description = "block size, 4K..1M (suffix K or M), default 128K")
    String blockSize = "128K";

    @Option(names = "-Xcompression-level", paramLabel = "N",
            description = "gzip 1..9 (9), zstd 1..22 (15), xz preset 0..9 (6)")
    Integer level;

    @Option(names = "-Xhc", description = "lz4 high compression")
    boolean lz4Hc;

    @Option(names = "-noI", description = "do not compress inode, directory, export and id tables")
    boolean noI;

    @Option(names = "-noD", description = "do not compress data blocks")
    boolean noD;

    @Option(names = "-noF", description = "do not compress fragment blocks")
    boolean noF;

    @Option(names = "-noX", description = "do not compress xattr tables")
    boolean noX;

    @Option(names = "-no-duplicates", description = "do not detect duplicate files")
    boolean noDuplicates;

    @Option(names = "-no-fragments", description = "do not pack small files and tails into fragments")
    boolean noFragments;

    @Option(names = "-always-use-fragments", description = "pack the tails of large files into fragments too")
    boolean alwaysFragments;

    @Option(names = "-no-xattrs", description = "do not store extended attributes")
    boolean noXattrs;

    @Option(names = "-xattrs", description = "store extended attributes (default)")
    boolean xattrs;

    @Option(names = "-no-sparse", description = "store zero blocks like any other")
    boolean noSparse;

    @Option(names = "-no-exports", description = "do not write the NFS export table")
    boolean noExports;

    @Option(names = "-all-root", description = "make every file owned by root (0:0)")
    boolean allRoot;

    @Option(names = "-mkfs-time", paramLabel = "SECONDS", description = "image creation time")
    Long mkfsTime;

    @Option(names = "-all-time", paramLabel = "SECONDS", description = "set every file's time")
    Long allTime;

    @Option(names = "-nopad", description = "do not pad the image to a multiple of 4 KiB")
    boolean noPad;

    @Option(names = "-processors", paramLabel = "N", description = "compression threads (default: all CPUs)")
    Integer processors;

    @Option(names = {"-noappend", "-no-progress", "-quiet", "-no-recovery"},
            description = "accepted for compatibility; squashroot never appends and prints one line")
    boolean ignored;

    @Option(names = "--layer", description = "SOURCE is an OCI layer tar: write .wh. whiteouts as overlayfs "
            + "whiteouts (docs/layer-format.md)")
    boolean layer;

    @Unmatched
    List<String> unmatched;

    @Override
    public void run() {
        if (unmatched != null && !unmatched.isEmpty()) {
            String first = unmatched.get(0);
            throw new ExitException(2, first.startsWith("-")
                    ? "mksquashfs option " + first + " is not supported (see squashroot mksquashfs --help)"
                    : "mksquashfs: unexpected argument '" + first + "' (one SOURCE and one OUT)");
        }
        SquashfsWriter.Builder b = SquashfsWriter.builder()
                .compression(Compression.byName(comp.toLowerCase(Locale.ROOT)))
                .blockSize(parseSize(blockSize))
                .lz4HighCompression(lz4Hc)
                .uncompressedInodes(noI).uncompressedData(noD).uncompressedFragments(noF).uncompressedXattrs(noX)
                .duplicates(!noDuplicates).fragments(!noFragments).alwaysUseFragments(alwaysFragments)
                .xattrs(!noXattrs).sparse(!noSparse).exportTable(!noExports).allRoot(allRoot).pad(!noPad)
                .durable(false); // like mksquashfs: no fsync; the rename still hides a partial image
        if (level != null) {
            b.compressionLevel(level);
        }
        if (processors != null) {
            b.threads(processors);
        }
        if (mkfsTime != null) {
            b.mkfsTime(mkfsTime);
        }
        if (allTime != null) {
            b.allTime(allTime);
        }
        SquashfsWriter writer = b.build();
        try {
            SquashfsWriter.Result r = write(writer);
            for (String w : r.warnings()) {
                System.err.println("squashroot: warning: " + ErrorReporter.oneLine(w));
            }
            System.err.println("squashroot: wrote " + r.image() + " (" + r.bytes() + " bytes, " + r.inodes()
                    + " inodes)");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private SquashfsWriter.Result write(SquashfsWriter writer) throws IOException {
        if (source.equals("-")) {
            return tar(writer, System.in);
        }
        Path src = Path.of(source);
        if (Files.isDirectory(src)) {
            if (layer) {
                throw new ExitException(2, "--layer needs a tar SOURCE, not the directory " + src);
            }
            return writer.writeDirectory(src, out);
        }
        if (!Files.exists(src)) {
            throw new java.nio.file.NoSuchFileException(src.toString());
        }
        try (InputStream in = Files.newInputStream(src)) {
            return tar(writer, in);
        }
    }

    private SquashfsWriter.Result tar(SquashfsWriter writer, InputStream in) throws IOException {
        return layer ? writer.writeLayer(in, out) : writer.writeTar(in, out);
    }

    /** mksquashfs's -b syntax: bytes, or a number with K or M. */
    static int parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("K")) {
            mult = 1024;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("M")) {
            mult = 1024 * 1024;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t) * mult;
            if (v > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("block size '" + s + "' is not a number of bytes (suffix K or M allowed)");
        }
    }
}
