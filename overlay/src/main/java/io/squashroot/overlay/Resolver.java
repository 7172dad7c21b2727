package io.squashroot.overlay;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Lookup from the top: which layer shows a path, and which layers merge into a directory.
 *
 * <p>Resolved paths are kept until a write through the overlay changes them (the caller holds
 * the overlay's write lock while it changes the upper and invalidates). Lower directory
 * listings are kept in a bounded cache ({@link LowerDir}), since lower layers never change.
 */
final class Resolver {
    /** Past this many remembered paths the map is dropped and rebuilt on demand. */
    private static final int MAX_NODES = 200_000;
    private final Upper upper;
    private final List<FsTree> lowers;
    private final ConcurrentHashMap<String, Node> nodes = new ConcurrentHashMap<>();
    /** Marks a path known to show nothing. */
    private static final Node ABSENT = new Node("", -1, null, null);
    /**
     * Marks a path known to show nothing and to have nothing in the upper layer either (no
     * entry, and no whiteout that hides anything: a stale .wh.NAME with no lower NAME below it
     * may be there, and may stay beside a new NAME, as an OCI layer allows), so a create can make
     * it in place without a stat to check.
     */
    private static final Node ABSENT_CLEAN = new Node("", -1, null, null);
    private final Cache<DirKey, LowerDir> lowerDirs;

    /**
     * equals and hashCode written out: a record's own are bootstrapped through
     * java.lang.runtime.ObjectMethods at first use, which spun method-handle classes for ~4 ms
     * while the new mount answered a container's first lookups, and under C1 stay a chain of
     * method handles on every lookup.
     */
    private record DirKey(int layer, String path) {
        @Override
        public boolean equals(Object o) {
            return o instanceof DirKey k && layer == k.layer && path.equals(k.path);
        }

        @Override
        public int hashCode() {
            return 31 * layer + path.hashCode();
        }
    }

    private enum Kind { ABSENT, WHITEOUT, ENTRY }

    private record Probe(Kind kind, boolean dir, FileAttr lowerAttr) {
        static final Probe ABSENT = new Probe(Kind.ABSENT, false, null);
        static final Probe WHITEOUT = new Probe(Kind.WHITEOUT, false, null);
    }

    Resolver(Upper upper, List<FsTree> lowers) {
        this.upper = upper;
        this.lowers = lowers;
        this.lowerDirs = Caffeine.newBuilder()
                .maximumWeight(4_000_000) // names kept, all layers together
                .<DirKey, LowerDir>weigher((k, d) -> 1 + d.names().size() + d.whiteouts().size())
                .build();
    }

    FsTree lower(int layer) {
        return lowers.get(layer - 1);
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i == 0 ? "/" : path.substring(0, i);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    Node resolve(String path) throws FsException {
        Node n = nodes.get(path);
        if (n == ABSENT || n == ABSENT_CLEAN) {
            throw new FsException(Errno.ENOENT);
        }
        if (n != null) {
            return n;
        }
        Node parent = path.equals("/") ? null : resolve(parent(path));
        if (nodes.size() >= MAX_NODES) {
            nodes.clear();
        }
        try {
            n = parent == null ? resolveRoot() : resolveChild(parent, path);
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) {
                // Remembered like a found entry: every write that could create this path
                // invalidates it (a lookup then a create is the common pair: tar, cp, untar).
                nodes.put(path, ABSENT);
            }
            throw e;
        }
        nodes.put(path, n);
        if (n == ABSENT_CLEAN) {
            throw new FsException(Errno.ENOENT);
        }
        return n;
    }

    /**
     * Whether {@code path} is remembered as showing nothing with nothing at its name in the upper
     * layer. Every write that could put something there invalidates the path first.
     */
    boolean absentFromUpper(String path) {
        return nodes.get(path) == ABSENT_CLEAN;
    }

    /** Remembers a regular file or directory just created in the upper layer at {@code path}. */
    void created(String path, boolean dir) {
        nodes.put(path, new Node(path, 0, null, dir ? new int[] {0} : null));
    }

    /** The node, or null when nothing is visible at {@code path}. */
    Node resolveOrNull(String path) throws FsException {
        try {
            return resolve(path);
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    private Node resolveRoot() throws FsException {
        int[] layers = new int[lowers.size() + 1];
        int count = 0;
        layers[count++] = 0;
        if (!upper.isOpaque(upper.path("/"))) {
            for (int l = 1; l <= lowers.size(); l++) {
                layers[count++] = l;
                if (lowerDir(l, "/").opaque()) {
                    break;
                }
            }
        }
        return new Node("/", 0, null, Arrays.copyOf(layers, count));
    }

    private Node resolveChild(Node parent, String path) throws FsException {
        if (!parent.isDirectory()) {
            throw new FsException(Errno.ENOTDIR);
        }
        String name = name(path);
        if (Whiteout.isMarkerName(name)) {
            throw new FsException(Errno.ENOENT);
        }
        int top = -1;
        FileAttr lowerAttr = null;
        int[] dirs = new int[parent.dirLayers().length];
        int count = 0;
        boolean upperClean = false;
        for (int layer : parent.dirLayers()) {
            Probe p = probe(layer, parent, path, name);
            if (p.kind() == Kind.ABSENT) {
                upperClean |= layer == 0;
                continue;
            }
            if (p.kind() == Kind.WHITEOUT || (top >= 0 && !p.dir())) {
                break;
            }
            if (top < 0) {
                top = layer;
                lowerAttr = p.lowerAttr();
                if (!p.dir()) {
                    return new Node(path, top, lowerAttr, null);
                }
            }
            dirs[count++] = layer;
            if (isOpaque(layer, path)) {
                break;
            }
        }
        if (top < 0) {
            if (upperClean) {
                return ABSENT_CLEAN;
            }
            throw new FsException(Errno.ENOENT);
        }
        return new Node(path, top, lowerAttr, Arrays.copyOf(dirs, count));
    }

    private Probe probe(int layer, Node parent, String path, String name) throws FsException {
        if (layer == 0) {
            String hp = upper.path(path);
            HostStat st = HostFs.lstatOrNull(hp);
            if (st != null) {
                return upper.isWhiteoutDevice(hp, st) ? Probe.WHITEOUT : new Probe(Kind.ENTRY, st.isDirectory(), null);
            }
            // A .wh.NAME file hides lower entries only: where no lower layer of the directory has
            // the name, the answer is "absent" either way, and the stat of the marker (every new
            // name an untar or a build makes) is spared.
            return lowerHas(parent, name) && upper.hasWhiteoutFile(hp) ? Probe.WHITEOUT : Probe.ABSENT;
        }
        LowerDir ld = lowerDir(layer, parent.path());
        if (ld.whiteouts().contains(name)) {
            return Probe.WHITEOUT;
        }
        if (!ld.names().contains(name)) {
            return Probe.ABSENT;
        }
        try {
            FileAttr a = lower(layer).getattr(path);
            return new Probe(Kind.ENTRY, a.isDirectory(), a);
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) {
                return Probe.ABSENT;
            }
            throw e;
        }
    }

    /** Whether a lower layer merged into {@code dir} has an entry {@code name} (hidden or not). */
    private boolean lowerHas(Node dir, String name) throws FsException {
        for (int layer : dir.dirLayers()) {
            if (layer != 0 && lowerDir(layer, dir.path()).names().contains(name)) {
                return true;
            }
        }
        return false;
    }

    private boolean isOpaque(int layer, String dir) throws FsException {
        return layer == 0 ? upper.isOpaque(upper.path(dir)) : lowerDir(layer, dir).opaque();
    }

    private LowerDir lowerDir(int layer, String dir) throws FsException {
        DirKey key = new DirKey(layer, dir);
        LowerDir d = lowerDirs.getIfPresent(key);
        if (d == null) {
            d = LowerDir.load(lower(layer), dir);
            lowerDirs.put(key, d);
        }
        return d;
    }

    /** Whether a lower layer shows an entry at {@code path}: removing the upper one would reveal it. */
    boolean lowerVisible(String path) throws FsException {
        Node parent = resolve(parent(path));
        String name = name(path);
        for (int layer : parent.dirLayers()) {
            if (layer == 0) {
                continue;
            }
            Probe p = probe(layer, parent, path, name);
            if (p.kind() != Kind.ABSENT) {
                return p.kind() == Kind.ENTRY;
            }
        }
        return false;
    }

    /** The merged listing of a directory: names in top-down order, no duplicates, no hidden ones. */
    void list(Node dir, Consumer<String> out) throws FsException {
        Set<String> seen = new HashSet<>();
        Set<String> hidden = new HashSet<>();
        for (int layer : dir.dirLayers()) {
            Set<String> names;
            Set<String> whiteouts;
            if (layer == 0) {
                names = new HashSet<>();
                whiteouts = new HashSet<>();
                listUpper(dir.path(), names, whiteouts);
            } else {
                LowerDir ld = lowerDir(layer, dir.path());
                names = ld.names();
                whiteouts = ld.whiteouts();
            }
            for (String n : names) {
                if (!hidden.contains(n) && seen.add(n)) {
                    out.accept(n);
                }
            }
            hidden.addAll(whiteouts);
        }
    }

    private void listUpper(String dir, Set<String> names, Set<String> whiteouts) throws FsException {
        String hd = upper.path(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(hd))) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String hiddenName = Whiteout.hiddenBy(n);
                if (hiddenName != null) {
                    whiteouts.add(hiddenName);
                    continue;
                }
                if (Whiteout.isMarkerName(n)) {
                    continue;
                }
                String hp = hd.endsWith("/") ? hd + n : hd + "/" + n;
                HostStat st = HostFs.lstatOrNull(hp);
                if (st == null) {
                    continue;
                }
                if (upper.isWhiteoutDevice(hp, st)) {
                    whiteouts.add(n);
                } else {
                    names.add(n);
                }
            }
        } catch (IOException e) {
            throw HostFs.fromIo(e, "readdir " + hd);
        }
    }

    /** After a write that failed halfway: forget everything rather than trust a stale answer. */
    void invalidateAll() {
        nodes.clear();
    }

    void invalidate(String path) {
        nodes.remove(path);
    }

    /** Forgets {@code path} and everything below it (after a rename or removal of a directory). */
    void invalidateTree(String path) {
        nodes.remove(path);
        String prefix = path.equals("/") ? "/" : path + "/";
        nodes.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
