package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import io.squashroot.fuse.SquashfsTree;
import io.squashroot.squashfs.SquashfsImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real package tools on a writable overlay of a Debian image: useradd and dpkg -i (whose
 * postinst chowns to a foreign id and makes a device node) with ownership recorded the way an
 * unprivileged overlay records it, served back, and kept across a remount.
 */
class DebianOverlayTest {
    @TempDir
    Path tmp;

    private static String chroot(Path root, String... cmd) throws Exception {
        String[] full = new String[cmd.length + 2];
        full[0] = "chroot";
        full[1] = root.toString();
        System.arraycopy(cmd, 0, full, 2, cmd.length);
        return Sh.ok(full).trim();
    }

    @Test
    void useraddAndDpkg_recordedOwnership_servedBackAndPersisted() throws Exception {
        assumeTrue(Sh.isRoot(), "chroot, and debootstrap for the image, need root");
        Sh.Result built = Sh.run(List.of("sh", Sh.repo().resolve("testdata/debian-minbase.sh").toString()));
        assumeTrue(built.status() == 0, "no Debian image (debian-minbase.sh: " + built.out().trim() + ")");
        Path image = Path.of(built.out().trim().lines().reduce((a, b) -> b).orElseThrow());
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Sh.ok("sh", Sh.repo().resolve("testdata/overlay-test-deb.sh").toString(), tmp.resolve("sqpkg.deb").toString());
        try (SquashfsImage img = SquashfsImage.open(image)) {
            // privileged=false: record owners and devices as for a user who cannot chown or mknod
            Overlay o = Overlay.open(List.of(new SquashfsTree(img, Runnable::run, 0)), upper, false);
            try (FuseMount m = FuseMount.mount(o, mnt, MountOptions.builder().readOnly(false).build())) {
                chroot(mnt, "useradd", "-m", "-u", "1000", "alice");
                assertEquals("alice:alice 1000:1000", chroot(mnt, "stat", "-c", "%U:%G %u:%g", "/home/alice"));
                Files.copy(tmp.resolve("sqpkg.deb"), mnt.resolve("tmp/sqpkg.deb"));
                chroot(mnt, "dpkg", "-i", "/tmp/sqpkg.deb");
                assertEquals("install ok installed", chroot(mnt, "dpkg-query", "-W", "-f=${Status}", "sqpkg"));
                assertEquals("4321:4321", chroot(mnt, "stat", "-c", "%u:%g", "/opt/sqpkg/data"));
                assertEquals("character special file 1:3",
                        chroot(mnt, "stat", "-c", "%F %t:%T", "/opt/sqpkg/null"));
                assertTrue(chroot(mnt, "ls", "-ln", "/home").contains(" 1000 1000 "), "ls -l shows the recorded owner");
            }
            String rec = new String(HostFs.getxattr(upper.resolve("home/alice").toString(), RecordedStat.XATTR),
                    StandardCharsets.US_ASCII);
            assertTrue(rec.startsWith("1000 1000 "), rec);

            Overlay again = Overlay.open(List.of(new SquashfsTree(img, Runnable::run, 0)), upper, false);
            try (FuseMount m = FuseMount.mount(again, mnt, MountOptions.builder().readOnly(false).build())) {
                assertEquals("alice:alice", chroot(mnt, "stat", "-c", "%U:%G", "/home/alice"));
                assertEquals("4321:4321", chroot(mnt, "stat", "-c", "%u:%g", "/opt/sqpkg/data"));
                assertEquals("alice", chroot(mnt, "id", "-un", "1000"));
            }
        }
    }
}
