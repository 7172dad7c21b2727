package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.squashroot.tree.FsTree;
import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import io.squashroot.fuse.SquashfsTree;
import io.squashroot.squashfs.SquashfsImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The POSIX-semantics suite (testdata/overlay-posix-suite.sh) over real mounts: our overlay
 * served as root over directory lowers and over SquashFS image lowers (mksquashfs), served by
 * the unprivileged user sqtest, and kernel overlayfs as the reference. Each run mounts, runs every operation, unmounts, mounts again and checks
 * that the state persisted. Every check of the script becomes one test here.
 */
class OverlayPosixSuiteTest {

    @TestFactory
    List<DynamicTest> posixSuite_ourOverlayAsRoot() throws Exception {
        return suite("ours", "root");
    }

    @TestFactory
    List<DynamicTest> posixSuite_ourOverlayOverSquashfsImages() throws Exception {
        return suite("images", "root");
    }

    @TestFactory
    List<DynamicTest> posixSuite_ourOverlayAsUnprivilegedUser() throws Exception {
        return suite("ours", "user");
    }

    /**
     * Served by sqtest translating through a rootless container's map (container 0 = sqtest,
     * 1..N = its /etc/subuid and /etc/subgid range), the script run as root of such a
     * container: chown to 42:43 then reaches the overlay as a host id of the range, is recorded
     * as 42:43 and shown as 42:43 again; lower files of root show as root. The outcomes expected
     * are the unprivileged user's (no devices, no trusted.* xattrs in a user namespace).
     */
    @TestFactory
    List<DynamicTest> posixSuite_ourOverlayUnderSubordinateIds() throws Exception {
        return suite("mapped", "user");
    }

    @TestFactory
    List<DynamicTest> posixSuite_kernelOverlayfsReference() throws Exception {
        return suite("kernel", "root");
    }

    /**
     * The upper on ramfs, which stores no xattrs at all (tmpfs before Linux 6.6 stores no
     * user.* ones, which is what sends the overlay to sidecar files; this kernel's tmpfs has them).
     */
    @TestFactory
    List<DynamicTest> posixSuite_upperWithoutXattrsAsUnprivilegedUser() throws Exception {
        return suite("ours", "user", true);
    }

    @TestFactory
    List<DynamicTest> posixSuite_upperWithoutXattrsAsRoot() throws Exception {
        return suite("ours", "root", true);
    }

    private interface Mounted extends AutoCloseable {
        @Override
        void close() throws Exception;
    }

    private List<DynamicTest> suite(String kind, String priv) throws Exception {
        return suite(kind, priv, false);
    }

    private List<DynamicTest> suite(String kind, String priv, boolean ramfsUpper) throws Exception {
        assumeTrue(Sh.isRoot(), "the suite builds lowers with mknod and trusted.* xattrs: run as root");
        long[] uids = kind.equals("mapped") ? SubordinateIdsTest.range("/etc/subuid") : null;
        long[] gids = kind.equals("mapped") ? SubordinateIdsTest.range("/etc/subgid") : null;
        if (kind.equals("mapped")) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap missing (package uidmap)");
            assumeTrue(uids != null && gids != null && uids[1] > 1000 && gids[1] > 1000,
                    "sqtest has no subordinate id range of 1001+ ids in /etc/subuid and /etc/subgid");
        }
        Path base = Files.createTempDirectory("overlay-suite-");
        List<String> lines = new ArrayList<>();
        String sidecar = null;
        String recorded = null;
        try {
            Sh.ok("chmod", "755", base.toString());
            Path repo = Sh.repo();
            Sh.ok("bash", repo.resolve("testdata/overlay-lowers.sh").toString(), base.toString());
            Path upper = Files.createDirectory(base.resolve("upper"));
            if (ramfsUpper) {
                Sh.ok("mount", "-t", "ramfs", "-o", "mode=755", "ramfs", upper.toString());
            }
            Path work = Files.createDirectory(base.resolve("work"));
            Path mnt = Files.createDirectory(base.resolve("mnt"));
            if (priv.equals("user")) {
                Sh.ok("chown", "sqtest:sqtest", upper.toString(), mnt.toString());
            }
            String script = repo.resolve("testdata/overlay-posix-suite.sh").toString();
            for (String phase : List.of("run", "verify")) {
                try (Mounted m = mount(kind, priv, base, upper, work, mnt, uids, gids)) {
                    List<String> cmd = new ArrayList<>();
                    if (kind.equals("mapped")) {
                        cmd.addAll(List.of("unshare", "--map-root-user"));
                        cmd.addAll(SubordinateIdsTest.unshareRange(uids, gids));
                    }
                    cmd.addAll(List.of("env", "UPPER_FS=" + (ramfsUpper ? "ramfs" : "disk"),
                            "bash", script, phase, mnt.toString(), kind.equals("mapped") ? "ours" : kind, priv));
                    Sh.Result r = Sh.run(priv.equals("user") ? Sh.asUser(cmd.toArray(String[]::new)) : cmd);
                    r.out().lines().forEach(lines::add);
                }
            }
            Path sc = upper.resolve(Sidecar.FILE);
            sidecar = Files.exists(sc) ? Files.readString(sc, StandardCharsets.ISO_8859_1) : "";
            if (kind.equals("mapped")) {
                byte[] rec = HostFs.getxattr(upper.resolve("chowned.txt").toString(), RecordedStat.XATTR);
                recorded = rec == null ? "(none)" : new String(rec, StandardCharsets.US_ASCII);
            }
        } finally {
            Sh.run(List.of("umount", "-l", base.resolve("mnt").toString()));
            if (ramfsUpper) {
                Sh.run(List.of("umount", "-l", base.resolve("upper").toString()));
            }
            Sh.run(List.of("rm", "-rf", base.toString()));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("ok ") || l.startsWith("FAIL ")) {
                String name = l.substring(l.indexOf(' ') + 1).split(":")[0];
                tests.add(DynamicTest.dynamicTest(name, () -> assertTrue(l.startsWith("ok "), l)));
            }
        }
        if (kind.equals("mapped")) {
            String rec = recorded;
            tests.add(DynamicTest.dynamicTest("mapped_upperRecordsContainerIds",
                    () -> assertTrue(rec.startsWith("42 43 100640 "), "chowned.txt's record: " + rec)));
        }
        if (ramfsUpper) {
            String text = sidecar;
            tests.add(DynamicTest.dynamicTest("sidecar_holdsCopiedUpUserXattr",
                    () -> assertTrue(text.contains("xattr.txt user.test hello\n"), "upper sidecar:\n" + text)));
        }
        for (String phase : List.of("run", "verify")) {
            tests.add(DynamicTest.dynamicTest("suite_completes_" + phase,
                    () -> assertTrue(lines.contains("done " + phase), "suite output:\n" + String.join("\n", lines))));
        }
        return tests;
    }

    private Mounted mount(String kind, String priv, Path base, Path upper, Path work, Path mnt, long[] uids,
                          long[] gids) throws Exception {
        Path l1 = base.resolve("lower1");
        Path l2 = base.resolve("lower2");
        if (kind.equals("kernel")) {
            Sh.ok("mount", "-t", "overlay", "overlay", "-o",
                    "lowerdir=" + l1 + ":" + l2 + ",upperdir=" + upper + ",workdir=" + work, mnt.toString());
            return () -> Sh.ok("umount", mnt.toString());
        }
        if (kind.equals("images")) {
            List<SquashfsImage> images = new ArrayList<>();
            List<FsTree> trees = new ArrayList<>();
            for (Path dir : List.of(l1, l2)) {
                Path img = base.resolve(dir.getFileName() + ".sqsh");
                if (!Files.exists(img)) {
                    Sh.ok("mksquashfs", dir.toString(), img.toString(), "-quiet", "-no-progress");
                }
                images.add(SquashfsImage.open(img));
                trees.add(new SquashfsTree(images.get(images.size() - 1), Runnable::run, 0));
            }
            FuseMount m = FuseMount.mount(Overlay.open(trees, upper), mnt, MountOptions.builder().readOnly(false).build());
            return () -> {
                m.close();
                for (SquashfsImage i : images) {
                    i.close();
                }
            };
        }
        if (priv.equals("root")) {
            Overlay o = Overlay.open(List.of(DirectoryTree.of(l1), DirectoryTree.of(l2)), upper);
            FuseMount m = FuseMount.mount(o, mnt, MountOptions.builder().readOnly(false).build());
            return m::close;
        }
        if (kind.equals("mapped")) {
            List<String> ids = SubordinateIdsTest.serverIds(uids, gids);
            return OverlayServer.startAsUser(base.resolve("cp"), ids, mnt, upper, l1, l2)::close;
        }
        return OverlayServer.startAsUser(base.resolve("cp"), mnt, upper, l1, l2)::close;
    }
}
