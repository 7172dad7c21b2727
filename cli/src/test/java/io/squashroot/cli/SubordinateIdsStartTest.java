package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An ordinary user's fuse-mode container with the user's subordinate id range mapped
 * (docs/user-guide.md, "Subordinate ids"): ids other than the caller's work inside (chown,
 * useradd, su), the upper layer records them as container ids, and a start falls back to the
 * single mapping, or fails as asked, when a piece is missing. The test gives sqtest a range in
 * /etc/subuid and /etc/subgid and sets user_allow_other in /etc/fuse.conf as an admin would, and
 * puts the three files back as they were afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubordinateIdsStartTest {
    private static final List<Path> HOST_FILES = List.of(Path.of("/etc/subuid"), Path.of("/etc/subgid"),
            Path.of("/etc/fuse.conf"));
    /** Each host file's content before the test, null where it did not exist. */
    private final Map<Path, byte[]> saved = new LinkedHashMap<>();
    private Path debian;
    private Sandbox user;
    private long[] uids;
    private long[] gids;

    @BeforeAll
    void setUp() throws IOException {
        assumeTrue(isRoot(), "needs root to give sqtest a subordinate id range and set user_allow_other");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")) && Files.isExecutable(Path.of("/usr/bin/newgidmap")),
                "newuidmap/newgidmap missing (package uidmap; scripts/install-deps.sh installs it)");
        debian = TestImages.debian();
        for (Path f : HOST_FILES) {
            saved.put(f, Files.exists(f) ? Files.readAllBytes(f) : null);
        }
        uids = rangeFor(Path.of("/etc/subuid"));
        gids = rangeFor(Path.of("/etc/subgid"));
        setUserAllowOther(true);
        user = new Sandbox(Sandbox.TEST_USER);
    }

    @AfterAll
    void tearDown() throws IOException {
        try {
            if (user != null) {
                user.close();
            }
        } finally {
            restoreHostFiles();
        }
    }

    @Test
    void chownUseraddSu_workInRootlessContainer_andUpperRecordsContainerIds() throws Exception {
        assertEquals(0, user.run("create", "-n", "ids", debian.toString()).status());
        Sandbox.Result r = user.run("start", "--root", "--rw", "ids", "sh", "-c", String.join("; ",
                "cat /proc/self/uid_map /proc/self/gid_map",
                "stat -c '%u %g %n' / /etc/shadow",
                "echo x > /f && chown 1000:1000 /f && stat -c '%u %g' /f",
                "useradd -m alice && ls -ln /home | awk 'NR > 1 {print $3, $4, $9}'",
                "su alice -c 'id -u; touch /home/alice/x' && stat -c '%u %g %U' /home/alice/x",
                "su alice -c 'touch /etc/nope' 2>&1 | grep -c 'Permission denied'",
                "setpriv --reuid=_apt --regid=nogroup --clear-groups sh -c 'id -u; id -g'"));
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("0 1001 1", "1 " + uids[0] + " " + uids[1], "0 1001 1", "1 " + gids[0] + " " + gids[1],
                "0 0 /", "0 42 /etc/shadow",
                "1000 1000",
                "1000 1000 alice",
                "1000", "1000 1000 alice",
                "1", "42", "65534"), lines, "root files as 0, the image's group shadow as 42, the range's ids as"
                + " themselves, alice refused root's /etc by the kernel's permission check, apt's drop to _apt:\n" + r);

        Path upper = user.dataPath().resolve("ids");
        assertEquals("1000 1000 100644 0", recorded(upper.resolve("f")), "the container's id, not the host's");
        assertEquals("1000 1000 100644 0", recorded(upper.resolve("home/alice/x")));
        assertEquals(1001, Files.getAttribute(upper.resolve("home/alice/x"), "unix:uid"),
                "on the host every upper file is the user's own");

        r = user.run("start", "--root", "ids", "sh", "-c",
                "stat -c '%u %g %U' /f /home/alice /home/alice/x; su alice -c 'id -un; cat /home/alice/x' < /dev/null");
        assertEquals(0, r.status(), r.toString());
        assertEquals(List.of("1000 1000 alice", "1000 1000 alice", "1000 1000 alice", "alice"),
                r.out().lines().toList(), "ownership kept across starts:\n" + r);

        assertEquals(0, user.run("remove", "-f", "ids").status(), "the user can delete everything the container wrote");
        assertFalse(Files.exists(upper));
    }

    /**
     * apt-get install from a local repository (file: URI, the .deb built here) inside the
     * rootless container: apt drops to its _apt user to fetch, and the package's maintainer
     * script adds a system user and gives it a directory, all ids other than the caller's.
     */
    @Test
    void aptGetInstall_fromLocalRepository_inRootlessContainer_persists() throws Exception {
        Path repo = user.base.resolve("repo");
        Path deb = user.buildDeb("sqtest-apt", "/usr/share/sqtest-apt/hello", "hello through apt\n", "#!/bin/sh\nset -e\n"
                + "getent passwd sqapt >/dev/null || useradd --system --home-dir /var/lib/sqapt sqapt\n"
                + "mkdir -p /var/lib/sqapt\nchown sqapt:sqapt /var/lib/sqapt\n", repo.resolve("sqtest-apt_1.0_all.deb"));
        Files.writeString(repo.resolve("Packages"), packagesEntry(
                Files.readString(user.base.resolve("deb-sqtest-apt/DEBIAN/control")), deb));
        Sandbox.chown(user.base, Sandbox.TEST_USER);

        // Only the local repository: the image's own sources (deb.debian.org) stay out of it.
        String apt = "apt-get -q -o Dir::Etc::SourceList=/etc/apt/local.list -o Dir::Etc::SourceParts=-";
        assertEquals(0, user.run("create", "-n", "apt", debian.toString()).status());
        Sandbox.Result r = user.run("start", "--root", "--rw", "-m", repo + ":/mnt/repo:none:x-create=dir,bind,ro", "apt",
                "sh", "-c", "echo 'deb [trusted=yes] file:/mnt/repo ./' > /etc/apt/local.list && " + apt + " update && "
                        + apt + " install -y sqtest-apt");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("Setting up sqtest-apt (1.0)"), r.toString());
        assertFalse((r.out() + r.err()).contains("unsandboxed"), "apt fetched as _apt, not as root: " + r);

        r = user.run("start", "--root", "apt", "sh", "-c",
                "dpkg-query -W -f '${Status}\\n' sqtest-apt; cat /usr/share/sqtest-apt/hello; "
                        + "stat -c '%U %G' /var/lib/sqapt; test \"$(stat -c %u /var/lib/sqapt)\" -gt 0 && echo not-root");
        assertEquals(0, r.status(), r.toString());
        assertEquals("install ok installed\nhello through apt\nsqapt sqapt\nnot-root\n", r.out(), r.toString());
        assertEquals(0, user.run("remove", "-f", "apt").status());
    }

    /** One Packages stanza for {@code deb}: its control fields plus where it is and its size and hash. */
    private static String packagesEntry(String control, Path deb) throws IOException {
        byte[] bytes = Files.readAllBytes(deb);
        String sha;
        try {
            sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return control.strip() + "\nFilename: ./" + deb.getFileName() + "\nSize: " + bytes.length + "\nSHA256: " + sha + "\n\n";
    }

    @Test
    void autoWithoutUserAllowOther_fallsBackToSingleMapping_andRuns() throws Exception {
        setUserAllowOther(false);
        try {
            Sandbox.Result r = user.run("start", "--root", "--rw", debian.toString(), "sh", "-c",
                    "cat /proc/self/uid_map; stat -c '%u %g' /etc/shadow; echo x > /f; chown 1000 /f 2>&1 | grep -c Invalid");
            assertEquals(0, r.status(), r.toString());
            assertEquals(List.of("0 1001 1", "0 0", "1"),
                    r.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList(),
                    "one id mapped, every file the caller's (so root inside), chown to 1000 refused:\n" + r);
        } finally {
            setUserAllowOther(true);
        }
    }

    @Test
    void withoutRoot_runsAsTheCaller_onTheSingleMapping() throws Exception {
        Sandbox.Result r = user.run("start", debian.toString(), "sh", "-c", "id -u; stat -c '%u' /etc/shadow");
        assertEquals(0, r.status(), r.toString());
        assertEquals(List.of("1001", "1001"), r.out().lines().toList(), r.toString());
    }

    @Test
    void yesWithoutRange_failsInOneLine() throws Exception {
        byte[] before = Files.readAllBytes(Path.of("/etc/subuid"));
        List<String> others = new ArrayList<>(Files.readAllLines(Path.of("/etc/subuid")));
        others.removeIf(l -> l.startsWith(Sandbox.TEST_USER + ":") || l.startsWith("1001:"));
        Files.write(Path.of("/etc/subuid"), others);
        try {
            Sandbox.Result r = user.run(Map.of("SQUASHROOT_SUBIDS", "yes"), null,
                    "start", "--root", debian.toString(), "true");
            assertEquals(1, r.status(), r.toString());
            assertEquals("squashroot: SQUASHROOT_SUBIDS=yes: no subordinate uid range for sqtest in /etc/subuid\n",
                    r.err(), r.toString());
            r = user.run(Map.of("SQUASHROOT_SUBIDS", "auto"), null, "start", "--root", debian.toString(), "true");
            assertEquals(0, r.status(), "auto runs on the single mapping: " + r);
        } finally {
            Files.write(Path.of("/etc/subuid"), before);
        }
    }

    private static boolean isRoot() throws IOException {
        return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
    }

    /** The record the overlay keeps for an upper file (xattr user.squashroot.stat). */
    /**
     * setfacl/getfacl in the rootless container (the host's tools bound in: the image has
     * libacl, not the acl package): the ACL names the container's ids inside, in the upper and
     * in the next start.
     */
    @Test
    void setfacl_inRootlessContainer_upperKeepsContainerIds_nextStartShowsThem() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setfacl")), "setfacl missing (package acl)");
        assertEquals(0, user.run("create", "-n", "acl", debian.toString()).status());
        List<String> tools = List.of("-m", "/usr/bin/setfacl:/usr/local/bin/setfacl:none:x-create=file,bind,ro",
                "-m", "/usr/bin/getfacl:/usr/local/bin/getfacl:none:x-create=file,bind,ro");
        List<String> first = new ArrayList<>(List.of("start", "--root", "--rw"));
        first.addAll(tools);
        first.addAll(List.of("acl", "sh", "-c", "echo x > /f && chmod 640 /f && setfacl -m u:1000:rwx,g:42:r /f"
                + " && getfacl -n --omit-header /f"));
        Sandbox.Result r = user.run(first.toArray(String[]::new));
        assertEquals(0, r.status(), r.toString());
        List<String> acl = List.of("user::rw-", "user:1000:rwx", "group::r--", "group:42:r--", "mask::rwx", "other::---", "");
        assertEquals(acl, r.out().lines().toList(), r.toString());

        Path upper = user.dataPath().resolve("acl");
        UserDefinedFileAttributeView v = Files.getFileAttributeView(upper.resolve("f"), UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(v.size("squashroot.x.system.posix_acl_access")).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        v.read("squashroot.x.system.posix_acl_access", b);
        b.flip();
        assertEquals(2, b.getInt(), "ACL xattr version");
        List<String> ids = new ArrayList<>();
        while (b.remaining() >= 8) {
            short tag = b.getShort();
            b.getShort();
            int id = b.getInt();
            if (tag == 2 || tag == 8) {
                ids.add(tag + ":" + id);
            }
        }
        assertEquals(List.of("2:1000", "8:42"), ids, "the upper keeps the container's ids, not the range's");

        List<String> second = new ArrayList<>(List.of("start", "--root"));
        second.addAll(tools);
        second.addAll(List.of("acl", "getfacl", "-n", "--omit-header", "/f"));
        r = user.run(second.toArray(String[]::new));
        assertEquals(0, r.status(), r.toString());
        assertEquals(acl, r.out().lines().toList(), "the same in the next start:\n" + r);
        assertEquals(0, user.run("remove", "-f", "acl").status());
    }

    /**
     * The kernel enforces ACLs in the rootless container (its mount has allow_other and so
     * default_permissions and FUSE_POSIX_ACL): container user 1000 reads a 0600 file of root
     * through `u:1000:r`, 1001 is refused, and a file made in a directory with a default ACL
     * inherits it.
     */
    @Test
    void acl_inRootlessContainer_isEnforcedAndInherited() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setfacl")), "setfacl missing (package acl)");
        assertEquals(0, user.run("create", "-n", "acle", debian.toString()).status());
        List<String> cmd = new ArrayList<>(List.of("start", "--root", "--rw",
                "-m", "/usr/bin/setfacl:/usr/local/bin/setfacl:none:x-create=file,bind,ro",
                "-m", "/usr/bin/getfacl:/usr/local/bin/getfacl:none:x-create=file,bind,ro",
                "acle", "sh", "-c", "umask 022; echo x > /f && chmod 600 /f && setfacl -m u:1000:r /f"
                        + " && setpriv --reuid=1000 --regid=1000 --clear-groups cat /f"
                        + " && (setpriv --reuid=1001 --regid=1001 --clear-groups cat /f 2>/dev/null || echo denied)"
                        + " && mkdir /d && setfacl -d -m u:1000:rw /d && touch /d/x"
                        + " && stat -c %A /d/x && getfacl -n --omit-header /d/x"));
        Sandbox.Result r = user.run(cmd.toArray(String[]::new));
        assertEquals(0, r.status(), r.toString());
        List<String> out = r.out().lines().toList();
        assertEquals(List.of("x", "denied", "-rw-rw-r--"), out.subList(0, Math.min(3, out.size())), r.toString());
        assertTrue(out.contains("user:1000:rw-") && out.contains("mask::rw-"), "inherited: " + r);
        assertEquals(0, user.run("remove", "-f", "acle").status());
    }

    private static String recorded(Path p) throws IOException {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(v.size("squashroot.stat"));
        v.read("squashroot.stat", b);
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    /**
     * sqtest's first block in {@code file} (start, count), which the launcher maps; where it has
     * none of more than 1000 ids, its lines are replaced by one block of 65536 ids after every
     * listed block (so it overlaps no other user's), as useradd would add it.
     */
    private static long[] rangeFor(Path file) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        long end = 100000;
        for (String l : lines) {
            String[] f = l.split(":");
            if (f.length != 3 || !f[1].matches("[0-9]{1,10}") || !f[2].matches("[0-9]{1,10}")) {
                continue;
            }
            long start = Long.parseLong(f[1]);
            long count = Long.parseLong(f[2]);
            if (f[0].equals(Sandbox.TEST_USER) || f[0].equals("1001")) {
                if (count > 1000) {
                    return new long[] {start, count};
                }
                break;
            }
            end = Math.max(end, start + count);
        }
        List<String> out = new ArrayList<>(lines);
        out.removeIf(l -> l.startsWith(Sandbox.TEST_USER + ":") || l.startsWith("1001:"));
        out.add(Sandbox.TEST_USER + ":" + end + ":65536");
        Files.write(file, out);
        return new long[] {end, 65536};
    }

    private void setUserAllowOther(boolean on) throws IOException {
        Path conf = Path.of("/etc/fuse.conf");
        List<String> lines = new ArrayList<>(Files.exists(conf) ? Files.readAllLines(conf) : List.of());
        lines.removeIf(l -> l.strip().equals("user_allow_other"));
        if (on) {
            lines.add("user_allow_other");
        }
        Files.write(conf, lines);
    }

    private void restoreHostFiles() throws IOException {
        for (Map.Entry<Path, byte[]> e : saved.entrySet()) {
            if (e.getValue() == null) {
                Files.deleteIfExists(e.getKey());
            } else {
                Files.write(e.getKey(), e.getValue());
            }
        }
    }
}
