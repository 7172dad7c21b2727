package io.squashroot.cli;

import io.squashroot.squashfs.SquashfsImage;
import io.squashroot.squashfs.Superblock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code squashroot info IMAGE}: the superblock facts. */
@Command(name = "info", description = "Print a SquashFS image's superblock: compressor, block size, counts, tables.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "SquashFS image file")
    Path image;

    private static final String[] FLAG_NAMES = {"uncompressed-inodes", "uncompressed-data", "check",
        "uncompressed-fragments", "no-fragments", "always-fragments", "duplicates", "exportable",
        "uncompressed-xattrs", "no-xattrs", "compressor-options", "uncompressed-ids"};

    @Override
    public Integer call() throws Exception {
        try (SquashfsImage img = SquashfsImage.open(image)) {
            Superblock sb = img.superblock();
            List<String> flags = new ArrayList<>();
            for (int i = 0; i < FLAG_NAMES.length; i++) {
                if ((sb.flags() & (1 << i)) != 0) {
                    flags.add(FLAG_NAMES[i]);
                }
            }
            StringBuilder s = new StringBuilder();
            line(s, "image", image.toString());
            line(s, "version", sb.versionMajor() + "." + sb.versionMinor());
            line(s, "compression", sb.compressionName());
            line(s, "block size", Integer.toString(sb.blockSize()));
            line(s, "bytes used", Long.toString(sb.bytesUsed()));
            line(s, "created", Instant.ofEpochSecond(sb.modTime()).toString());
            line(s, "inodes", Long.toString(sb.inodeCount()));
            line(s, "fragments", Long.toString(sb.fragmentCount()));
            line(s, "ids", Integer.toString(sb.idCount()));
            line(s, "flags", String.format("0x%04x %s", sb.flags(), String.join(",", flags)));
            line(s, "root inode", String.format("0x%x", sb.rootInodeRef()));
            line(s, "inode table", hex(sb.inodeTableStart()));
            line(s, "directory table", hex(sb.directoryTableStart()));
            line(s, "fragment table", sb.fragmentCount() == 0 ? "none" : hex(sb.fragmentTableStart()));
            line(s, "export table", sb.hasExportTable() ? hex(sb.exportTableStart()) : "none");
            line(s, "id table", hex(sb.idTableStart()));
            line(s, "xattr table", sb.hasXattrs() ? hex(sb.xattrIdTableStart()) : "none");
            System.out.print(s);
        }
        return 0;
    }

    private static String hex(long v) {
        return String.format("0x%x", v);
    }

    private static void line(StringBuilder s, String k, String v) {
        s.append(String.format("%-16s %s%n", k + ":", v));
    }
}
