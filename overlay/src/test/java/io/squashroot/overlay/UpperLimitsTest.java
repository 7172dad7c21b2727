package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full or over-quota upper, through a real mount served by the unprivileged user sqtest: a
 * copy-up and a write that run out of room fail with ENOSPC / EDQUOT in the calling process,
 * the merged view keeps the lower file whole, and nothing half-done is left in the upper.
 *
 * <p>EDQUOT comes from a btrfs qgroup limit on the upper's subvolume: this project's CI kernel
 * has neither ext4 quota (CONFIG_QFMT_V2) nor XFS quota, and the qgroup answers the same errno
 * to every writer as a user's block quota does.
 */
class UpperLimitsTest {
    private static final int BIG = 4 << 20;
    /** The script the caller runs in the mount: one line per step, errno names for failures. */
    private static final String SCRIPT = """
            import errno, hashlib, os, sys
            def err(f):
                try:
                    f()
                    return "ok"
                except OSError as e:
                    return errno.errorcode.get(e.errno, str(e.errno))
            def copyup():
                fd = os.open("big", os.O_WRONLY | os.O_APPEND)
                try:
                    os.write(fd, b"x")
                finally:
                    os.close(fd)
            def write():
                fd = os.open("new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                try:
                    for _ in range(128):
                        os.write(fd, os.urandom(65536))
                    os.fsync(fd)
                finally:
                    os.close(fd)
            def small():
                with open("small", "w") as f:
                    f.write("fits")
            if sys.argv[1] == "fill":
                print("copyup", err(copyup))
                print("chmod", err(lambda: os.chmod("big", 0o600)))
                st = os.stat("big")
                print("big", hashlib.md5(open("big", "rb").read()).hexdigest(), st.st_size, oct(st.st_mode & 0o777))
                print("write", err(write))
                os.unlink("new")
                print("names", " ".join(sorted(os.listdir("."))))
            else:
                print("small", err(small), open("small").read())
            """;

    @TempDir
    Path tmp;

    @Test
    void copyUpAndWrite_overQuota_failWithEdquotAndLeaveUpperConsistent() throws Exception {
        assumeTrue(Sh.isRoot(), "loop mounts need root");
        assumeTrue(Sh.run(List.of("sh", "-c", "command -v mkfs.btrfs")).status() == 0,
                "mkfs.btrfs missing (btrfs-progs, scripts/install-deps.sh)");
        Path img = tmp.resolve("btrfs.img");
        Path fs = Files.createDirectories(tmp.resolve("fs"));
        Sh.ok("truncate", "-s", "256M", img.toString());
        Sh.ok("mkfs.btrfs", "-q", img.toString());
        Sh.Result mounted = Sh.run(List.of("mount", "-o", "loop", img.toString(), fs.toString()));
        assumeTrue(mounted.status() == 0, "no btrfs loop mount here (kernel or loop devices): " + mounted.out());
        try {
            Path upper = fs.resolve("upper");
            Sh.ok("btrfs", "-q", "quota", "enable", fs.toString());
            Sh.ok("btrfs", "-q", "subvolume", "create", upper.toString());
            Sh.ok("btrfs", "qgroup", "limit", "2M", upper.toString());
            run(upper, "EDQUOT", () -> Sh.ok("btrfs", "filesystem", "sync", fs.toString()));
        } finally {
            Sh.run(List.of("umount", "-l", fs.toString()));
        }
    }

    @Test
    void copyUpAndWrite_upperFull_failWithEnospcAndLeaveUpperConsistent() throws Exception {
        assumeTrue(Sh.isRoot(), "mounting a small tmpfs needs root");
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Sh.ok("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", upper.toString());
        try {
            run(upper, "ENOSPC", () -> { });
        } finally {
            Sh.run(List.of("umount", "-l", upper.toString()));
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void run(Path upper, String errno, Step reclaim) throws Exception {
        Sh.ok("chmod", "755", tmp.toString());
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        byte[] data = new byte[BIG];
        new Random(3).nextBytes(data);
        Files.write(lower.resolve("big"), data);
        Sh.ok("chmod", "644", lower.resolve("big").toString());
        String md5 = Sh.ok("md5sum", lower.resolve("big").toString()).split(" ")[0];
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path script = tmp.resolve("limits.py");
        Files.writeString(script, SCRIPT);
        Sh.ok("chown", "sqtest:sqtest", upper.toString(), mnt.toString());
        try (OverlayServer.Running s = OverlayServer.startAsUser(tmp.resolve("cp"), mnt, upper, lower)) {
            String out = Sh.ok(Sh.asUser("sh", "-c", "cd " + mnt + " && python3 " + script + " fill")
                    .toArray(String[]::new));
            assertEquals(List.of("copyup " + errno, "chmod " + errno, "big " + md5 + " " + BIG + " 0o644",
                    "write " + errno, "names big"), out.lines().toList());
            assertFalse(Files.exists(upper.resolve("big"), LinkOption.NOFOLLOW_LINKS),
                    "a failed copy-up leaves nothing in the upper");
            assertEquals("", Sh.ok("ls", "-A", upper.resolve(Whiteout.WORK_DIR).toString()),
                    "no temp file left in the work directory");
            reclaim.run();
            String after = Sh.ok(Sh.asUser("sh", "-c", "cd " + mnt + " && python3 " + script + " small")
                    .toArray(String[]::new));
            assertEquals("small ok fits", after.trim(), "the upper is usable again once space is freed");
        }
    }
}
