package io.squashroot.squashfs.write;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools the interop tests compare against (squashfs-tools, mount, squashfuse). */
final class Tools {
    private Tools() {
    }

    /** Runs a command, returns stdout; fails the test with stderr on a non-zero exit. */
    static String run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path err = java.nio.file.Files.createTempFile("tool", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out");
        }
        String e = java.nio.file.Files.readString(err);
        java.nio.file.Files.delete(err);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + e);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    static void unsquashfs(Path image, Path dest) throws IOException, InterruptedException {
        run("unsquashfs", "-no-progress", "-d", dest.toString(), image.toString());
    }

    static String listing(Path image) throws IOException, InterruptedException {
        return run("unsquashfs", "-lln", image.toString());
    }

    /** An unsquashfs -lln listing with the size column of directories replaced by "-". */
    static String maskDirectorySizes(String listing) {
        return listing.lines().map(l -> l.startsWith("d") ? l.replaceFirst("^(\\S+\\s+\\S+\\s+)\\d+", "$1-") : l)
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    static void mksquashfs(Path src, Path image, List<String> options) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("mksquashfs", src.toString(), image.toString(),
                "-noappend", "-no-progress", "-quiet", "-processors", "1"));
        cmd.addAll(options);
        run(cmd.toArray(new String[0]));
    }
}
