package io.squashroot.registry;

import io.squashroot.squashfs.write.Compression;
import io.squashroot.squashfs.write.SquashfsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import io.squashroot.fuse.SquashfsTree;
import io.squashroot.squashfs.SquashfsImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Layer conversion with the project's SquashFS writer. Layer images are zstd level 3: they are
 * read many times (every start mounts them) and written once, and zstd decodes fastest of the
 * kernel-readable compressors at a good ratio. The flat image follows ENROOT_SQUASH_OPTIONS as
 * enroot's mksquashfs call does (default {@code -comp lzo -noD}); the options the writer has are
 * honoured, the rest (e.g. -exit-on-error, which is what the writer always does) are ignored.
 */
final class WriterConverter implements LayerConverter {

    static final String DEFAULT_SQUASH_OPTIONS = "-comp lzo -noD -exit-on-error";

    private final SquashfsWriter layerWriter;
    private final SquashfsWriter flatWriter;
    private final String flatOptions;

    WriterConverter(Map<String, String> env) {
        this.layerWriter = SquashfsWriter.builder(env).compression(Compression.ZSTD).compressionLevel(3).build();
        String opts = env.get("ENROOT_SQUASH_OPTIONS");
        this.flatWriter = flatBuilder(env, opts == null ? DEFAULT_SQUASH_OPTIONS : opts).build();
        this.flatOptions = "squash=" + (opts == null ? DEFAULT_SQUASH_OPTIONS : opts.trim())
                + "\nepoch=" + env.getOrDefault("SOURCE_DATE_EPOCH", "");
    }

    @Override
    public String flatOptions() {
        return flatOptions;
    }

    static SquashfsWriter.Builder flatBuilder(Map<String, String> env, String options) {
        SquashfsWriter.Builder b = SquashfsWriter.builder(env);
        String[] w = options.trim().isEmpty() ? new String[0] : options.trim().split("\\s+");
        for (int i = 0; i < w.length; i++) {
            String arg = i + 1 < w.length ? w[i + 1] : null;
            switch (w[i]) {
                case "-comp" -> {
                    b.compression(Compression.valueOf(need(arg, "-comp").toUpperCase(Locale.ROOT)));
                    i++;
                }
                case "-Xcompression-level" -> {
                    b.compressionLevel(Integer.parseInt(need(arg, "-Xcompression-level")));
                    i++;
                }
                case "-b" -> {
                    b.blockSize(blockSize(need(arg, "-b")));
                    i++;
                }
                case "-noD", "-noData" -> b.uncompressedData(true);
                case "-noI", "-noInodeCompression" -> b.uncompressedInodes(true);
                case "-noF", "-noFragmentCompression" -> b.uncompressedFragments(true);
                case "-noX", "-noXattrCompression" -> b.uncompressedXattrs(true);
                case "-no-fragments" -> b.fragments(false);
                case "-no-xattrs" -> b.xattrs(false);
                case "-all-root" -> b.allRoot(true);
                case "-processors" -> {
                    b.threads(Integer.parseInt(need(arg, "-processors")));
                    i++;
                }
                default -> {
                    // mksquashfs options without a writer equivalent do not change the content
                }
            }
        }
        return b;
    }

    private static String need(String arg, String opt) {
        if (arg == null) {
            throw new IllegalArgumentException("ENROOT_SQUASH_OPTIONS: " + opt + " needs a value");
        }
        return arg;
    }

    private static int blockSize(String s) {
        String l = s.toUpperCase(Locale.ROOT);
        int mult = l.endsWith("K") ? 1024 : l.endsWith("M") ? 1024 * 1024 : 1;
        return Integer.parseInt(mult == 1 ? l : l.substring(0, l.length() - 1)) * mult;
    }

    @Override
    public void convertLayer(InputStream layerBlob, Path target) throws IOException {
        layerWriter.writeLayer(layerBlob, target);
    }

    @Override
    public void flatten(List<Path> layersLowestFirst, Path target) throws IOException {
        List<SquashfsImage> images = new ArrayList<>();
        try {
            List<SquashfsTree> trees = new ArrayList<>();
            for (Path p : layersLowestFirst) {
                SquashfsImage img = SquashfsImage.open(p);
                images.add(img);
                // The writer reads each file once, front to back: no asynchronous readahead.
                trees.add(new SquashfsTree(img, Runnable::run, 0));
            }
            flatWriter.writeFlattened(trees, target);
        } finally {
            for (SquashfsImage img : images) {
                img.close();
            }
        }
    }
}
