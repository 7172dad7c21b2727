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
 * What an unprivileged container's chown does today, with the overlay served by sqtest and
 * the container in a user namespace (docs/overlay-format.md, "Unprivileged containers"): with
 * only the user's own id mapped (the launcher's {@code unshare --map-root-user}) the kernel
 * refuses {@code chown 1000} with EINVAL before the overlay hears of it; with the user's
 * subordinate range mapped as well (newuidmap, /etc/subuid) the chown reaches the overlay as
 * the host id in that range, which it records, and the container sees 1000 again.
 */
class SubordinateIdsTest {
    @TempDir
    Path tmp;

    /** sqtest's first subordinate id and count in {@code file}, or null. */
    private static long[] range(String file) throws Exception {
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

    @Test
    void chown_inUserNamespace_einvalWithOneIdRecordedAsHostIdWithSubordinateRange() throws Exception {
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
        String sub = "--map-users=" + uids[0] + ",1," + uids[1];
        String subg = "--map-groups=" + gids[0] + ",1," + gids[1];
        try (OverlayServer.Running s = OverlayServer.startAsUser(tmp.resolve("cp"), mnt, upper, lower)) {
            Sh.Result single = Sh.run(Sh.asUser("unshare", "--map-root-user", "sh", "-c",
                    "cd " + mnt + " && echo a > a && chown 1000:1000 a"));
            assertNotEquals(0, single.status());
            assertTrue(single.out().contains("Invalid argument"), single.out());

            String inside = Sh.ok(Sh.asUser("unshare", "--map-root-user", sub, subg, "sh", "-c",
                    "cd " + mnt + " && echo b > b && chown 1000:1000 b && stat -c %u:%g b f a")
                    .toArray(String[]::new));
            // b: the chown as the container sees it; f: a lower file of host root, which the
            // namespace does not map; a: the user's own file, container root.
            assertEquals(List.of("1000:1000", "65534:65534", "0:0"), inside.lines().toList());
            long host = uids[0] + 999;
            long hostG = gids[0] + 999;
            assertEquals(host + " " + hostG + " 100644 0", new String(
                    HostFs.getxattr(upper.resolve("b").toString(), RecordedStat.XATTR), StandardCharsets.US_ASCII),
                    "the overlay records the host id from the subordinate range, not the container's 1000");
            assertEquals(host + ":" + hostG,
                    Sh.ok(Sh.asUser("stat", "-c", "%u:%g", mnt.resolve("b").toString()).toArray(String[]::new)).trim());
        }
    }
}
