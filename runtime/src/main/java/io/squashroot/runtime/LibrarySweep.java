package io.squashroot.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code gc}'s part for the script library ({@link ScriptLibrary}): every jar build unpacks its
 * own {@code lib-HASH} directory and links {@code jar-SIZE-MTIME} to it in the runtime path, and
 * nothing else ever removes them. Removed: the links of other jars, and the directories that
 * neither the running code uses nor a running container recorded in its run directory.
 *
 * <p>A start may pick a library up while gc decides. So a directory is first renamed aside
 * (after which no start finds it), then the running starts' records are read again: one naming
 * it gets it back; otherwise it is deleted. A start records its library before it checks that
 * the library is there ({@link ScriptLibrary#claim}), so it either is seen here or unpacks anew.
 * A running start without a record (one from before records, or one between its run directory
 * and its claim) keeps every directory: gc cannot tell which it runs.
 *
 * <p>Also removed: the temporaries of a start killed while it unpacked or linked a library
 * ({@code .lib-PID-RANDOM} directories, {@code .link-PID-TID} links), once that pid is not
 * running, as for a killed gc's {@code .gc-} directories: a start that is still writing one is
 * running. Older builds named the directory {@code .lib-RANDOM}, without the pid: such a one
 * goes once it is {@link #NO_PID_AGE} old, far longer than an unpack (milliseconds) takes.
 */
final class LibrarySweep {
    private static final Pattern LIB = Pattern.compile("lib-[0-9a-f]{12}");
    private static final Pattern JAR = Pattern.compile("jar-[0-9]+-[0-9]+");
    private static final Pattern ASIDE = Pattern.compile("\\.gc-lib-[0-9a-f]{12}-([0-9]{1,9})");
    private static final Pattern LIB_TEMP = Pattern.compile("\\.lib-([0-9]{1,9})-[0-9]+");
    private static final Pattern LINK_TEMP = Pattern.compile("\\.link-([0-9]{1,9})-[0-9]+");
    private static final Pattern LIB_TEMP_NO_PID = Pattern.compile("\\.lib-[0-9]+");
    /** How old a temporary library without a pid in its name must be before it goes. */
    static final Duration NO_PID_AGE = Duration.ofHours(1);

    private final RunDirs runDirs;
    private final Set<String> current;

    /** @param current what the running code uses ({@link ScriptLibrary#currentNames}) */
    LibrarySweep(RunDirs runDirs, Set<String> current) {
        this.runDirs = runDirs;
        this.current = Set.copyOf(current);
    }

    /** As gc runs it: the running code's own names. */
    static LibrarySweep of(RunDirs runDirs) throws IOException {
        return new LibrarySweep(runDirs, ScriptLibrary.currentNames(runDirs.root()));
    }

    /** Removes (or, dry, lists) unused links and directories into {@code items}; returns bytes freed. */
    long run(boolean dryRun, List<String> items) throws IOException {
        Path root = runDirs.root();
        if (!Files.isDirectory(root)) {
            return 0;
        }
        List<Path> links = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        List<Path> aside = new ArrayList<>();
        List<Path> tempLinks = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (current.contains(n)) {
                    continue;
                }
                if (JAR.matcher(n).matches() && Files.isSymbolicLink(p)) {
                    links.add(p);
                } else if (LIB.matcher(n).matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(p);
                } else if ((isLeftAside(n) || isTempOfDeadStart(p)) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    aside.add(p);
                } else if (isDeadPid(LINK_TEMP, n) && Files.isSymbolicLink(p)) {
                    tempLinks.add(p);
                }
            }
        }
        links.sort(null);
        dirs.sort(null);
        aside.sort(null);
        links.addAll(tempLinks.stream().sorted().toList());
        for (Path l : links) {
            items.add("script library link " + l);
            if (!dryRun) {
                Files.deleteIfExists(l); // a shortcut only: that jar's next start unpacks again
            }
        }
        long bytes = 0;
        for (Path d : aside) { // no start can find these any more, nor is one writing them
            items.add("script library " + d);
            bytes += Tree.sizeOnDisk(d);
            if (!dryRun) {
                Tree.delete(d);
            }
        }
        Optional<Set<String>> used = recorded();
        if (used.isEmpty()) {
            return bytes;
        }
        for (Path d : dirs) {
            if (used.get().contains(d.getFileName().toString())) {
                continue;
            }
            long size = dryRun ? Tree.sizeOnDisk(d) : remove(d);
            if (size >= 0) {
                items.add("script library " + d);
                bytes += size;
            }
        }
        return bytes;
    }

    /** {@code .gc-lib-HASH-PID} of a gc that was killed between its move and its delete. */
    private static boolean isLeftAside(String name) {
        return isDeadPid(ASIDE, name);
    }

    /** A temporary library directory that its start, killed while unpacking, left behind. */
    private static boolean isTempOfDeadStart(Path p) throws IOException {
        String name = p.getFileName().toString();
        if (isDeadPid(LIB_TEMP, name)) {
            return true;
        }
        if (!LIB_TEMP_NO_PID.matcher(name).matches()) {
            return false;
        }
        try {
            Instant changed = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
            return changed.isBefore(Instant.now().minus(NO_PID_AGE));
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /** {@code name} matches {@code p}, whose first group is a pid, and that pid is not running. */
    private static boolean isDeadPid(Pattern p, String name) {
        var m = p.matcher(name);
        return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty();
    }

    /** Moves {@code dir} aside, then deletes it unless a running start claimed it meanwhile; -1 if kept. */
    private long remove(Path dir) throws IOException {
        Path aside = dir.resolveSibling(".gc-" + dir.getFileName() + "-" + ProcessHandle.current().pid());
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException gone) {
            return -1; // another gc took it
        }
        Optional<Set<String>> used = recorded();
        if (used.isEmpty() || used.get().contains(dir.getFileName().toString())) {
            try {
                Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException unpackedAgain) {
                Tree.delete(aside); // the start made a fresh copy under the name
            }
            return -1;
        }
        long size = Tree.sizeOnDisk(aside);
        Tree.delete(aside);
        return size;
    }

    /**
     * The library names that running starts recorded, or empty when one of them has no record
     * (then none may go).
     */
    private Optional<Set<String>> recorded() throws IOException {
        Set<String> names = new HashSet<>();
        for (Path d : runDirs.live()) {
            try {
                names.add(Files.readString(d.resolve(ScriptLibrary.RECORD), StandardCharsets.UTF_8).trim());
            } catch (NoSuchFileException none) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.empty();
                } // else that start has just ended
            }
        }
        return Optional.of(names);
    }
}
