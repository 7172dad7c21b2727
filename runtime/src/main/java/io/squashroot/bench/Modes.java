package io.squashroot.bench;

import java.io.IOException;
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
        boolean start = o.subcommands().contains("start");
        modes.add(withStart(new DaemonMount("fuse", (img, mnt) -> concat(self, "mount", "--foreground", img.toString(),
                mnt.toString()), o.subcommands().contains("mount") ? Optional.empty()
                        : Optional.of("this squashroot has no 'mount' command"),
                new SquashrootMetrics(self)), start ? self : null));
        modes.add(withStart(new Extraction("extract", (img, dir) -> concat(self, "extract", img.toString(), dir.toString()),
                o.subcommands().contains("extract") ? Optional.empty()
                        : Optional.of("this squashroot has no 'extract' command")), start ? self : null));
        if (o.peers() || !o.only().isEmpty()) { // naming a peer in --mode asks for it
            modes.add(new DaemonMount("squashfuse", (img, mnt) -> List.of("squashfuse", "-f", img.toString(), mnt.toString()),
                    missing("squashfuse"), DaemonMount.MetricsSource.NONE));
            modes.add(new DaemonMount("squashfuse_ll", (img, mnt) -> List.of("squashfuse_ll", "-f", img.toString(), mnt.toString()),
                    missing("squashfuse_ll"), DaemonMount.MetricsSource.NONE));
            modes.add(new Extraction("unsquashfs", Modes::unsquashfs, missing("unsquashfs")));
            modes.add(new OverlayStack());
            modes.add(new KernelMount());
        }
        if (!o.only().isEmpty()) {
            List<String> known = modes.stream().map(Mode::name).toList();
            for (String n : o.only()) {
                if (!known.contains(n)) {
                    throw new IllegalArgumentException("--mode " + n + ": no such mode (modes: " + String.join(", ", known) + ")");
                }
            }
            modes.removeIf(m -> !o.only().contains(m.name()));
        }
        return modes;
    }

    /**
     * The mode, also able to start a container in one command: {@code squashroot start
     * --mount-mode=NAME IMAGE /bin/sh -c WORKLOAD}, the way users start one.
     */
    static Mode withStart(Mode m, List<String> self) {
        if (self == null) {
            return m;
        }
        return new Mode() {
            @Override
            public String name() {
                return m.name();
            }

            @Override
            public Optional<String> unavailable() {
                return m.unavailable();
            }

            @Override
            public Session open(Path image, Path workDir, Commands commands) throws IOException {
                return m.open(image, workDir, commands);
            }

            @Override
            public List<String> startCommand(Path image, String workload) {
                return concat(self, "start", "--mount-mode=" + m.name(), image.toString(), "/bin/sh", "-c", workload);
            }
        };
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
