package io.squashroot.runtime;

import io.squashroot.fuse.MountTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads this mount namespace's mount table and detaches leftovers (a dead FUSE server's mount). */
final class Mounts {
    private Mounts() {
    }

    /** Mount points at or below {@code dir}, deepest first. */
    static List<Path> under(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        String prefix = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length < 5) {
                continue;
            }
            String mp = MountTable.unescape(f[4]);
            if (mp.equals(prefix) || mp.startsWith(prefix + "/")) {
                out.add(Path.of(mp));
            }
        }
        out.sort(Comparator.comparingInt((Path p) -> p.getNameCount()).reversed());
        return out;
    }

    static boolean isMountPoint(Path p) throws IOException {
        String s = p.toAbsolutePath().normalize().toString();
        return under(p).stream().anyMatch(m -> m.toString().equals(s));
    }

    /** Lazily unmounts {@code mp}: fusermount -u -z (works unprivileged), else umount -l. */
    static void detach(Path mp) throws IOException {
        if (run("fusermount", "-u", "-z", mp.toString()) == 0 || run("umount", "-l", mp.toString()) == 0) {
            return;
        }
        throw new IOException(mp + ": could not unmount a leftover mount");
    }

    private static int run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (IOException e) {
            return 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
