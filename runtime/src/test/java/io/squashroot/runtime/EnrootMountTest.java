package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell side on its own: squashroot's enroot-mount (fstab entries relative to a root, with
 * enroot's extensions) and common.sh's environment helpers, run for real in a throw-away user
 * and mount namespace ({@code unshare -rm}).
 */
class EnrootMountTest {
    @TempDir
    Path tmp;
    private Path lib;
    private Path root;
    private Path host;

    @BeforeEach
    void setUp() throws IOException {
        lib = ScriptLibrary.unpack(Files.createDirectories(tmp.resolve("run")));
        root = Files.createDirectories(tmp.resolve("root"));
        host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("file.txt"), "host file\n");
    }

    private record Out(int status, String out, String err) {
    }

    /** Runs {@code script} with bash in a new user+mount namespace, $LIB and $ROOT set. */
    private Out ns(String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private",
                "bash", "-c", "set -e\n" + script);
        pb.environment().put("LIB", lib.toString());
        pb.environment().put("ROOT", root.toString());
        pb.environment().put("HOST", host.toString());
        pb.environment().put("PATH", lib.resolve("bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Out(p.waitFor(), out, err);
    }

    @Test
    void bindWithXCreate_isReadOnlyWhenAsked() throws Exception {
        Out o = ns("enroot-mount --root \"$ROOT\" - <<< \"$HOST /mnt/in none x-create=dir,bind,ro,nosuid\"\n"
                + "cat \"$ROOT/mnt/in/file.txt\"; touch \"$ROOT/mnt/in/x\" 2>/dev/null && echo writable || echo readonly\n"
                + "grep \" $ROOT/mnt/in \" /proc/self/mountinfo | cut -d' ' -f6");
        assertEquals(0, o.status(), o.err());
        List<String> lines = o.out().lines().toList();
        assertEquals("host file", lines.get(0));
        assertEquals("readonly", lines.get(1));
        assertTrue(lines.get(2).startsWith("ro,nosuid"), lines.toString());
    }

    @Test
    void bindWithFlags_keepsFlagsTheNamespaceLocks_whenTheEntryOmitsThem() throws Exception {
        // A noatime mount seen from a nested user namespace has its atime flag locked: a
        // "bind,ro" remount without noatime is refused (EPERM), so the one-call mount fails and
        // the step-by-step path, which repeats the locked flags, has to do it.
        Out o = ns("mkdir -p \"$HOST/locked\"; mount -t tmpfs -o noatime,nodev tmpfs \"$HOST/locked\"\n"
                + "echo inside > \"$HOST/locked/f\"\n"
                + "unshare --user --map-root-user --mount --propagation private bash -ec '\n"
                + "  enroot-mount --root \"$ROOT\" - <<< \"$HOST/locked /mnt/l none x-create=dir,bind,ro,nosuid\"\n"
                + "  cat \"$ROOT/mnt/l/f\"; grep \" $ROOT/mnt/l \" /proc/self/mountinfo | tail -1 | cut -d\" \" -f6'");
        assertEquals(0, o.status(), o.err());
        List<String> lines = o.out().lines().toList();
        assertEquals("inside", lines.get(0));
        List<String> flags = List.of(lines.get(1).split(","));
        assertTrue(flags.containsAll(List.of("ro", "nosuid", "nodev", "noatime")), lines.get(1));
    }

    @Test
    void fileMountPoint_isCreatedAsFile() throws Exception {
        Out o = ns("enroot-mount --root \"$ROOT\" - <<< \"$HOST/file.txt /etc/deep/conf none x-create=file,bind\"\n"
                + "cat \"$ROOT/etc/deep/conf\"");
        assertEquals(0, o.status(), o.err());
        assertEquals("host file\n", o.out());
    }

    @Test
    void mountPoints_resolveInsideRoot_symlinksAndDotDotIncluded() throws Exception {
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/target"));
        Files.createDirectories(root.resolve("target"));
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../../../escape"));
        Out o = ns("enroot-mount --root \"$ROOT\" - <<EOF\n"
                + "$HOST /abs none bind\n"
                + "$HOST /rel none x-create=dir,bind\n"
                + "$HOST /../../up none x-create=dir,bind\n"
                + "EOF\n"
                + "ls \"$ROOT/target\" \"$ROOT/escape\" \"$ROOT/up\"");
        assertEquals(0, o.status(), o.err());
        assertEquals(3, o.out().lines().filter("file.txt"::equals).count(), o.out());
        assertTrue(Files.notExists(tmp.getParent().resolve("escape")), "nothing created outside the root");
    }

    @Test
    void failure_isFatalUnlessNofail_andNamesTheMount() throws Exception {
        Out o = ns("enroot-mount --root \"$ROOT\" - <<< '/no/such /mnt/x none x-create=dir,bind,nofail,silent'\necho survived");
        assertEquals(0, o.status(), o.err());
        assertEquals("survived\n", o.out());
        assertEquals("", o.err());
        o = ns("enroot-mount --root \"$ROOT\" - <<< '/no/such /mnt/x none x-create=dir,bind'\necho survived");
        assertEquals(1, o.status());
        assertEquals("", o.out());
        assertEquals("enroot-mount: failed to mount: /no/such at " + root + "/mnt/x\n", o.err());
    }

    @Test
    void detachAndMove_andTmpfsShorthand() throws Exception {
        Out o = ns("enroot-mount --root \"$ROOT\" - <<EOF\n"
                + "tmpfs /a tmpfs x-create=dir\n"
                + "tmpfs /gone\n"
                + "EOF\n"
                + "touch \"$ROOT/a/marker\"\n"
                + "mkdir -p \"$ROOT/gone\"\n"
                + "enroot-mount --root \"$ROOT\" - <<EOF\n"
                + "$ROOT/a /b none x-create=dir,x-move\n"
                + "none /gone none x-detach\n"
                + "EOF\n"
                + "ls \"$ROOT/b\"; grep -c \" $ROOT/gone \" /proc/self/mountinfo || :");
        // "tmpfs /gone" needs an existing mount point: enroot's shorthand adds no x-create.
        assertEquals(1, o.status(), o.toString());
        assertTrue(o.err().contains("failed to mount: tmpfs at " + root + "/gone"), o.err());

        Files.createDirectories(root.resolve("gone"));
        o = ns("enroot-mount --root \"$ROOT\" - <<EOF\n"
                + "tmpfs /a tmpfs x-create=dir\n"
                + "tmpfs /gone\n"
                + "EOF\n"
                + "touch \"$ROOT/a/marker\"\n"
                + "enroot-mount --root \"$ROOT\" - <<EOF\n"
                + "$ROOT/a /b none x-create=dir,x-move\n"
                + "none /gone none x-detach\n"
                + "EOF\n"
                + "ls \"$ROOT/b\"; grep -c \" $ROOT/gone \" /proc/self/mountinfo || :");
        assertEquals(0, o.status(), o.err());
        assertEquals(List.of("marker", "0"), o.out().lines().toList());
    }

    @Test
    void passNumber_selectsEntries_andBadEntryIsRejected() throws Exception {
        Out o = ns("cat > \"$ROOT.fstab\" <<EOF\n"
                + "# comment\n"
                + "tmpfs /early tmpfs x-create=dir 0 -1\n"
                + "tmpfs /late tmpfs x-create=dir\n"
                + "EOF\n"
                + "enroot-mount --root \"$ROOT\" --pass -1 \"$ROOT.fstab\"\n"
                + "grep -c \" $ROOT/early \" /proc/self/mountinfo; grep -c \" $ROOT/late \" /proc/self/mountinfo || :\n"
                + "enroot-mount --root \"$ROOT\" \"$ROOT.fstab\"\n"
                + "grep -c \" $ROOT/late \" /proc/self/mountinfo");
        assertEquals(0, o.status(), o.err());
        assertEquals(List.of("1", "0", "1"), o.out().lines().toList());
        o = ns("enroot-mount --root \"$ROOT\" - <<< 'lonely'");
        assertEquals(1, o.status());
        o = ns("enroot-mount --root \"$ROOT\" --pass x -");
        assertEquals(1, o.status());
        assertTrue(o.err().contains("invalid argument: x"), o.err());
    }

    @Test
    void envsubstAndEnvfmt_followEnroot() throws Exception {
        Path f = Files.writeString(tmp.resolve("env"), String.join("\n",
                "  A=${SQ_X}", "# comment", "", "not a var", "ENROOT_SECRET=1", "B=\"quoted\"  ", "C='single'",
                "D=${SQ_MISSING}end", "E=$SQ_X", "1BAD=x", ""));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "source \"$LIB/common.sh\"; common::envsubst \"$F\" > \"$F.out\"; common::envfmt \"$F.out\"; cat \"$F.out\"");
        pb.environment().put("LIB", lib.toString());
        pb.environment().put("F", f.toString());
        pb.environment().put("SQ_X", "x y");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals(List.of("A=x y", "B=quoted", "C=single", "D=end", "E=$SQ_X"), out.lines().toList());
    }
}
