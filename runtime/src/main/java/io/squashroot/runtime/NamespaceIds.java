package io.squashroot.runtime;

import io.squashroot.overlay.IdMap;
import io.squashroot.runtime.config.ConfigLoader;
import io.squashroot.runtime.config.Subids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ids a container's user namespace maps, decided before the root filesystem is mounted
 * because the overlay must translate through the same map: {@link #map()} for the FUSE server,
 * {@link #unshareArgs()} for the launcher.
 *
 * <p>Either the single mapping (container 0 = the caller; what every start did before ranges)
 * or, for an ordinary user with root remapped in fuse mode, that plus the caller's first
 * subordinate block of /etc/subuid and /etc/subgid as container ids 1..N, so chown, useradd and
 * apt's drop to _apt work inside. util-linux {@code unshare --map-users/--map-groups} writes the
 * range through the setuid newuidmap/newgidmap. Other container users only reach their files if
 * the mount has allow_other, which an ordinary user may ask for only where /etc/fuse.conf says
 * {@code user_allow_other}; so that is required too (docs/user-guide.md, "Subordinate ids").
 *
 * @param map         the id map the overlay translates through (identity for the single mapping:
 *                    the mount then presents every file as the caller's, as before)
 * @param unshareArgs the mapping options of {@code unshare}
 */
record NamespaceIds(IdMap map, List<String> unshareArgs) {
    static final Path SUBUID = Path.of("/etc/subuid");
    static final Path SUBGID = Path.of("/etc/subgid");
    static final Path FUSE_CONF = Path.of("/etc/fuse.conf");

    NamespaceIds {
        unshareArgs = List.copyOf(unshareArgs);
    }

    /** Container 0 is the caller, nothing else is mapped. */
    static NamespaceIds single() {
        return new NamespaceIds(IdMap.identity(), List.of("--map-root-user"));
    }

    boolean ranged() {
        return !map.isIdentity();
    }

    /**
     * What the decision looks at, read from the system by {@link #read}; tests make their own.
     *
     * @param subuid lines of /etc/subuid, null when the file is missing (same for subgid)
     */
    record Host(long uid, long gid, String user, List<String> subuid, List<String> subgid,
                boolean newuidmap, boolean newgidmap, boolean userAllowOther) {
        static Host read(Map<String, String> env) throws IOException {
            long uid = HostIds.uid();
            return new Host(uid, HostIds.gid(), userName(uid), lines(SUBUID), lines(SUBGID),
                    ConfigLoader.onPath(env, "newuidmap"), ConfigLoader.onPath(env, "newgidmap"), allowsOther(lines(FUSE_CONF)));
        }
    }

    /**
     * The mapping for a fuse-mode start with root remapped. A range is used when the caller is
     * not root, {@code setting} is not {@code no}, and everything it needs is there; with
     * {@code yes} a missing piece fails the start with a message naming it.
     */
    static NamespaceIds decide(Subids setting, Host h) throws IOException {
        if (h.uid() == 0 || setting == Subids.NO) {
            return single();
        }
        List<String> missing = new ArrayList<>();
        List<SubordinateIds.Block> uids = blocks(h.subuid(), h, SUBUID, "uid", missing);
        List<SubordinateIds.Block> gids = blocks(h.subgid(), h, SUBGID, "gid", missing);
        if (!h.newuidmap()) {
            missing.add("newuidmap not found on PATH (package uidmap)");
        }
        if (!h.newgidmap()) {
            missing.add("newgidmap not found on PATH (package uidmap)");
        }
        if (!h.userAllowOther()) {
            missing.add("user_allow_other is not set in " + FUSE_CONF);
        }
        NamespaceIds ranged = null;
        if (missing.isEmpty()) {
            // unshare maps one block each (--map-users takes one), the first as its "auto" does
            SubordinateIds.Block u = uids.get(0);
            SubordinateIds.Block g = gids.get(0);
            try {
                IdMap map = new IdMap(List.of(new IdMap.Range(0, h.uid(), 1), new IdMap.Range(1, u.start(), u.count())),
                        List.of(new IdMap.Range(0, h.gid(), 1), new IdMap.Range(1, g.start(), g.count())));
                ranged = new NamespaceIds(map, List.of("--map-root-user",
                        "--map-users=" + u.start() + ",1," + u.count(), "--map-groups=" + g.start() + ",1," + g.count()));
            } catch (IllegalArgumentException e) {
                missing.add("the subordinate range of " + h.user() + " overlaps its own id (" + e.getMessage() + ")");
            }
        }
        if (ranged != null) {
            return ranged;
        }
        if (setting == Subids.YES) {
            throw new IOException("SQUASHROOT_SUBIDS=yes: " + String.join("; ", missing));
        }
        return single();
    }

    private static List<SubordinateIds.Block> blocks(List<String> lines, Host h, Path file, String kind,
                                                     List<String> missing) {
        if (lines == null) {
            missing.add(file + " does not exist");
            return List.of();
        }
        List<SubordinateIds.Block> b = SubordinateIds.parse(lines, h.user(), h.uid());
        if (b.isEmpty()) {
            missing.add("no subordinate " + kind + " range for " + h.user() + " in " + file);
        }
        return b;
    }

    /** Whether fuse.conf lets ordinary users mount with allow_other (a line of its own, as fusermount reads it). */
    static boolean allowsOther(List<String> fuseConf) {
        if (fuseConf == null) {
            return false;
        }
        for (String raw : fuseConf) {
            int hash = raw.indexOf('#');
            if ((hash < 0 ? raw : raw.substring(0, hash)).strip().equals("user_allow_other")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> lines(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return null;
        }
        return Files.readAllLines(p, StandardCharsets.UTF_8);
    }

    /** The caller's login name (what subuid(5) lists; the JVM asks the name service), else the number. */
    private static String userName(long uid) {
        String n = System.getProperty("user.name", "");
        return n.isEmpty() || n.equals("?") ? Long.toString(uid) : n;
    }
}
