package io.squashroot.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The modes the harness compares, wired to the squashroot commands this build has. */
final class Modes {

    private Modes() {
    }

    static List<Mode> all(BenchOptions o) {
        List<Mode> modes = new ArrayList<>();
        List<String> self = o.squashroot();
        modes.add(new DaemonMount("fuse", (img, mnt) -> concat(self, "mount", "--foreground", img.toString(), mnt.toString()),
                o.subcommands().contains("mount") ? Optional.empty()
                        : Optional.of("this squashroot has no 'mount' command"),
                DaemonMount.MetricsSource.NONE));
        modes.add(new Extraction("extract", (img, dir) -> concat(self, "extract", img.toString(), dir.toString()),
                o.subcommands().contains("extract") ? Optional.empty()
                        : Optional.of("this squashroot has no 'extract' command")));
        if (o.peers()) {
            modes.add(new DaemonMount("squashfuse", (img, mnt) -> List.of("squashfuse", "-f", img.toString(), mnt.toString()),
                    missing("squashfuse"), DaemonMount.MetricsSource.NONE));
            modes.add(new DaemonMount("squashfuse_ll", (img, mnt) -> List.of("squashfuse_ll", "-f", img.toString(), mnt.toString()),
                    missing("squashfuse_ll"), DaemonMount.MetricsSource.NONE));
            modes.add(new Extraction("unsquashfs", Modes::unsquashfs, missing("unsquashfs")));
            modes.add(new OverlayStack());
            modes.add(new KernelMount());
        }
        if (!o.only().isEmpty()) {
            modes.removeIf(m -> !o.only().contains(m.name()));
        }
        return modes;
    }

    private static List<String> unsquashfs(Path img, Path dir) {
        List<String> a = new ArrayList<>(List.of("unsquashfs", "-no-progress", "-quiet"));
        if (!Privileges.isRoot()) {
            a.add("-no-xattrs"); // trusted.* and security.* xattrs need root; unsquashfs fails on them
        }
        a.addAll(List.of("-d", dir.toString(), img.toString()));
        return a;
    }

    private static Optional<String> missing(String tool) {
        return Commands.which(tool).isPresent() ? Optional.empty() : Optional.of(tool + " is not installed");
    }

    static List<String> concat(List<String> prefix, String... more) {
        List<String> a = new ArrayList<>(prefix);
        a.addAll(List.of(more));
        return a;
    }
}
