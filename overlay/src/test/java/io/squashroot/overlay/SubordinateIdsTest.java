package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unprivileged container's chown, with the overlay served by sqtest and the container in a
 * user namespace (docs/overlay-format.md, "Subordinate id ranges"): with only the user's own id
 * mapped (the launcher's {@code unshare --map-root-user} without a range) the kernel refuses
 * {@code chown 1000} with EINVAL before the overlay hears of it; with the user's subordinate
 * range mapped as well (newuidmap, /etc/subuid) and the overlay given the same map, the chown
 * reaches the overlay as the host id in that range, the upper records the container's 1000, and
 * the container sees 1000 again; lower files of root show as root.
 */
class SubordinateIdsTest {
    @TempDir
    Path tmp;

    /** sqtest's first subordinate id and count in {@code file}, or null. */
    static long[] range(String file) throws Exception {
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            return null;
        }
        for (String line : Files.readAllLines(p)) {
            String[] f = line.split(":");
            if (f.length == 3 && f[0].equals("sqtest")) {
                return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
            }
        }
        return null;
    }

    /** unshare's options mapping container 1.. to sqtest's ranges (as the launcher maps them). */
    static List<String> unshareRange(long[] uids, long[] gids) {
        long count = Math.min(uids[1], gids[1]);
        return List.of("--map-users=" + uids[0] + ",1," + count, "--map-groups=" + gids[0] + ",1," + count);
    }

    /** {@link OverlayServer}'s option for the same map, container 0 being sqtest itself. */
    static List<String> serverIds(long[] uids, long[] gids) throws Exception {
        String self = Sh.ok(Sh.asUser("id", "-u").toArray(String[]::new)).trim();
        String selfG = Sh.ok(Sh.asUser("id", "-g").toArray(String[]::new)).trim();
        return List.of("--ids=" + self + "," + selfG + "," + uids[0] + "," + gids[0] + "," + Math.min(uids[1], gids[1]));
    }

    @Test
    void chown_inUserNamespace_einvalWithOneIdRecordedAsContainerIdWithSubordinateRange() throws Exception {
        assumeTrue(Sh.isRoot(), "the test sets up directories for sqtest");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap missing (package uidmap)");
        long[] uids = range("/etc/subuid");
        long[] gids = range("/etc/subgid");
        assumeTrue(uids != null && gids != null && uids[1] > 1000 && gids[1] > 1000,
                "sqtest has no subordinate id range of 1001+ ids in /etc/subuid and /etc/subgid");
        Sh.ok("chmod", "755", tmp.toString());
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Sh.ok("chmod", "-R", "a+rX", lower.toString());
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Sh.ok("chown", "sqtest:sqtest", upper.toString(), mnt.toString());
        Sh.ok("chmod", "700", upper.toString()); // private, as the runtime makes a container's
        List<String> range = unshareRange(uids, gids);
        String self = Sh.ok(Sh.asUser("id", "-u").toArray(String[]::new)).trim();
        String selfG = Sh.ok(Sh.asUser("id", "-g").toArray(String[]::new)).trim();
        List<String> ids = serverIds(uids, gids);
        try (OverlayServer.Running s = OverlayServer.startAsUser(tmp.resolve("cp"), ids, mnt, upper, lower)) {
            Sh.Result single = Sh.run(Sh.asUser("unshare", "--map-root-user", "sh", "-c",
                    "cd " + mnt + " && echo a > a && chown 1000:1000 a"));
            assertNotEquals(0, single.status());
            assertTrue(single.out().contains("Invalid argument"), single.out());

            String inside = Sh.ok(Sh.asUser("unshare", "--map-root-user", range.get(0), range.get(1), "sh", "-c",
                    "cd " + mnt + " && echo b > b && chown 1000:1000 b && stat -c %u:%g b f a && stat -c %a:%u .")
                    .toArray(String[]::new));
            // b: the chown as the container sees it; f: a lower file of root (container 0 is
            // the user); a: the user's own file, container root.
            // .: the private upper root shows the lower root's mode, so other users get through it
            assertEquals(List.of("1000:1000", "0:0", "0:0", "755:0"), inside.lines().toList());
            assertEquals("1000 1000 100644 0", new String(
                    HostFs.getxattr(upper.resolve("b").toString(), RecordedStat.XATTR), StandardCharsets.US_ASCII),
                    "the overlay records the container's 1000, not the host id from the range");
            assertEquals(null, HostFs.getxattr(upper.resolve("a").toString(), RecordedStat.XATTR),
                    "container root's file is the user's own on the host: nothing to record");
            assertEquals((uids[0] + 999) + ":" + (gids[0] + 999),
                    Sh.ok(Sh.asUser("stat", "-c", "%u:%g", mnt.resolve("b").toString()).toArray(String[]::new)).trim(),
                    "outside the namespace the mount shows the host id the range gives 1000");
            assertEquals(self + ":" + selfG,
                    Sh.ok(Sh.asUser("stat", "-c", "%u:%g", mnt.resolve("f").toString()).toArray(String[]::new)).trim(),
                    "a lower file of root is served as the user's own host id");
        }
    }

    /**
     * setfacl/getfacl inside the container: the kernel hands the server the ACL with host ids
     * (100999 for the container's 1000) and shows the container what the server returns mapped
     * back; the upper keeps the container's 1000, an image's ACL of 1000 is the container's 1000
     * (not host 1000, which the namespace cannot see), and a restart serves the same.
     */
    @Test
    void setfacl_inUserNamespaceWithSubordinateRange_upperKeepsContainerIds() throws Exception {
        assumeTrue(Sh.isRoot(), "the test sets up directories for sqtest");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap missing (package uidmap)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setfacl")), "setfacl missing (package acl)");
        long[] uids = range("/etc/subuid");
        long[] gids = range("/etc/subgid");
        assumeTrue(uids != null && gids != null && uids[1] > 2000 && gids[1] > 2000,
                "sqtest has no subordinate id range of 2001+ ids in /etc/subuid and /etc/subgid");
        Sh.ok("chmod", "755", tmp.toString());
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("img"), "lower");
        Sh.ok("chmod", "-R", "a+rX", lower.toString());
        Sh.ok("setfacl", "-m", "u:1000:r-x,g:2000:r", lower.resolve("img").toString()); // the image's ids
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Sh.ok("chown", "sqtest:sqtest", upper.toString(), mnt.toString());
        Sh.ok("chmod", "700", upper.toString());
        List<String> range = unshareRange(uids, gids);
        List<String> ids = serverIds(uids, gids);
        String show = "getfacl -n -E --omit-header f img && getfacl -n -E --omit-header -d d";
        List<String> expected = List.of(
                "user::rw-", "user:1000:rwx", "group::r--", "group:2000:r--", "mask::rwx", "other::---", "",
                "user::rw-", "user:1000:r-x", "group::r--", "group:2000:r--", "mask::r-x", "other::r--", "",
                "user::rwx", "user:1000:rwx", "group::r-x", "mask::rwx", "other::---", ""); // d's default ACL
        try (OverlayServer.Running s = OverlayServer.startAsUser(tmp.resolve("cp"), ids, mnt, upper, lower)) {
            String inside = Sh.ok(Sh.asUser("unshare", "--map-root-user", range.get(0), range.get(1), "sh", "-c",
                    "cd " + mnt + " && echo x > f && chmod 640 f && setfacl -m u:1000:rwx,g:2000:r f"
                            + " && mkdir d && chmod 750 d && setfacl -d -m u:1000:rwx d && " + show
                            + " && stat -c %a f && chmod 604 f && getfacl -n --omit-header f | grep mask")
                    .toArray(String[]::new));
            List<String> all = new java.util.ArrayList<>(expected);
            all.addAll(List.of("670", "mask::---"));
            assertEquals(all, inside.lines().toList(), "and the mode's group bits follow the mask, and back");
            assertEquals((uids[0] + 999) + ":rwx",
                    Sh.ok(Sh.asUser("getfacl", "-n", "--omit-header", mnt.resolve("f").toString()).toArray(String[]::new))
                            .lines().filter(l -> l.startsWith("user:1")).findFirst().orElse("(none)").split("\t")[0].substring(5),
                    "outside the namespace the ACL names the host id the range gives 1000");
        }
        byte[] stored = HostFs.getxattr(upper.resolve("f").toString(), RecordedStat.XATTR_ESCAPE + AclIds.ACCESS);
        assertEquals(List.of("1:6:-1", "2:7:1000", "4:4:-1", "8:4:2000", "16:0:-1", "32:4:-1"), entries(stored),
                "the upper keeps the container's ids");
        try (OverlayServer.Running s = OverlayServer.startAsUser(tmp.resolve("cp2"), ids, mnt, upper, lower)) {
            String again = Sh.ok(Sh.asUser("unshare", "--map-root-user", range.get(0), range.get(1), "sh", "-c",
                    "cd " + mnt + " && " + show).toArray(String[]::new));
            List<String> chmodded = new java.util.ArrayList<>(expected);
            chmodded.set(4, "mask::---");
            chmodded.set(5, "other::r--");
            assertEquals(chmodded, again.lines().toList(), "the same after a restart");
        }
    }

    /** tag:perm:id of each entry of an ACL xattr value (id -1 for none). */
    private static List<String> entries(byte[] v) {
        assertTrue(v != null && v.length >= 4 && (v.length - 4) % 8 == 0, "an ACL value");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, b.getInt());
        List<String> out = new java.util.ArrayList<>();
        while (b.hasRemaining()) {
            out.add(b.getShort() + ":" + b.getShort() + ":" + b.getInt());
        }
        return out;
    }
}
