package io.squashroot.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel says is mounted where (/proc/self/mountinfo), and unmounting with the
 * system's tools: fusermount for an ordinary user, umount(8) for root. Kept free of native
 * calls so the CLI can use it without loading libfuse.
 */
public final class MountTable {

    private MountTable() {
    }

    /** The filesystem type mounted exactly at {@code mountpoint} (topmost), if any. */
    public static Optional<String> fsType(Path mountpoint) throws IOException {
        String want = mountpoint.toAbsolutePath().normalize().toString();
        String found = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length < 5 || dash < 0) {
                continue;
            }
            if (unescape(f[4]).equals(want)) {
                found = line.substring(dash + 3).split(" ")[0];
            }
        }
        return Optional.ofNullable(found);
    }

    /** True when a FUSE filesystem is mounted at {@code mountpoint}. */
    public static boolean isFuseMount(Path mountpoint) throws IOException {
        return fsType(mountpoint).map(t -> t.equals("fuse") || t.startsWith("fuse.")).orElse(false);
    }

    /**
     * True when a FUSE mount sits at {@code mountpoint} but its server is gone: the kernel
     * answers ENOTCONN ("Transport endpoint is not connected") to every access.
     */
    public static boolean isStale(Path mountpoint) throws IOException {
        if (!isFuseMount(mountpoint)) {
            return false;
        }
        // Not stat: the kernel may answer that from its attribute cache without asking the
        // (dead) server. Opening the directory always reaches the server.
        try (var dir = Files.newDirectoryStream(mountpoint)) {
            return false;
        } catch (IOException e) {
            return String.valueOf(e.getMessage()).contains("Transport endpoint is not connected");
        }
    }

    /** Whether this process runs as root (then umount(8) is used, else fusermount). */
    public static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The uid and gid of this process ({uid, gid}). */
    public static long[] processOwner() {
        try {
            Path self = Path.of("/proc/self");
            return new long[] {((Number) Files.getAttribute(self, "unix:uid")).longValue(),
                    ((Number) Files.getAttribute(self, "unix:gid")).longValue()};
        } catch (IOException | UnsupportedOperationException e) {
            return new long[] {-1, -1};
        }
    }

    /**
     * Unmounts {@code mountpoint}; {@code lazy} detaches it even while files are open (the
     * server keeps serving them until closed).
     *
     * @throws IOException with the tool's one-line complaint when it fails
     */
    public static void unmount(Path mountpoint, boolean lazy) throws IOException {
        String mp = mountpoint.toAbsolutePath().normalize().toString();
        List<String> cmd = new ArrayList<>();
        if (runningAsRoot()) {
            cmd.add("umount");
            if (lazy) {
                cmd.add("-l");
            }
            cmd.add(mp);
        } else {
            cmd.add("fusermount");
            cmd.add("-u");
            if (lazy) {
                cmd.add("-z");
            }
            cmd.add("--");
            cmd.add(mp);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(mp + ": " + cmd.get(0) + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(mp + ": interrupted while unmounting");
        }
        if (p.exitValue() != 0) {
            throw new IOException(mp + ": unmount failed: "
                    + (out.isEmpty() ? cmd.get(0) + " exited " + p.exitValue() : out.lines().findFirst().orElse("")));
        }
    }

    /** Unmounts, falling back to a lazy unmount when the mount is busy. */
    public static void unmountOrDetach(Path mountpoint) throws IOException {
        try {
            unmount(mountpoint, false);
        } catch (IOException busy) {
            if (!isFuseMount(mountpoint)) {
                return; // went away meanwhile
            }
            unmount(mountpoint, true);
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo; this undoes it. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
