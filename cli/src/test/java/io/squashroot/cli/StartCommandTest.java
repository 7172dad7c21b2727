package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code squashroot start} end to end, as root, on a busybox image squashed at test time:
 * what the container sees (environment, mounts, hooks, configuration) and what start returns.
 * The launcher features do not depend on the mount mode; these run in extract mode, and the
 * mode-specific behaviour has its own tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartCommandTest {
    private Sandbox box;
    private Path image;
    private Path rcImage;
    private Path appImage;

    @BeforeAll
    void setUp() throws IOException {
        box = new Sandbox(null);
        box.env.put("SQUASHROOT_MOUNT_MODE", "extract");
        Path shared = Files.createDirectories(box.base.resolve("shared"));
        Files.writeString(shared.resolve("hello.txt"), "from host\n");
        image = TestImages.busybox(box.base, "bb", Map.of(
                "/etc/environment", "IMAGE_VAR=from-image\nQUOTED=\"q v\"\n# comment\nHOSTREF=${SQR_HOSTREF}\n",
                "/etc/fstab", shared + " /mnt/fstab none x-create=dir,bind,ro\n"));
        rcImage = TestImages.busybox(box.base, "rc", Map.of(
                "/etc/rc", "echo rc-ran \"$#\" \"$@\"\nexec \"$@\"\n"));
        // What an import of an OCI image with WorkingDir=/app, Entrypoint=[/app/entry] and
        // Cmd=[default-arg] and a volume at /data carries, in enroot's image format.
        appImage = TestImages.busybox(box.base, "app", Map.of(
                "/etc/rc", "# enroot-provenance: docker://example/app\n\nmkdir -p /app 2> /dev/null\n"
                        + "cd /app && unset OLDPWD || exit 1\n\nif [ -s /etc/rc.local ]; then\n    . /etc/rc.local\nfi\n\n"
                        + "if [ $# -gt 0 ]; then\n    exec '/app/entry' \"$@\"\nelse\n    exec '/app/entry' 'default-arg'\nfi\n",
                "/etc/rc.local", "export FROM_RC_LOCAL=yes\n",
                "/etc/environment", "APP_ENV=1\n",
                "/etc/fstab", "${ENROOT_ROOTFS}/data /data none x-create=dir,bind,rw,nosuid,nodev\n",
                "/app/entry", "#!/bin/sh\necho \"entry $* in $(pwd) rc.local=$FROM_RC_LOCAL app=$APP_ENV\"\n",
                "/data/.keep", ""));
    }

    @AfterAll
    void tearDown() throws IOException {
        box.close();
    }

    private Sandbox.Result start(String... args) throws Exception {
        String[] a = new String[args.length + 1];
        a[0] = "start";
        System.arraycopy(args, 0, a, 1, args.length);
        return box.run(a);
    }

    @Test
    void start_image_runsCommandInImage() throws Exception {
        Sandbox.Result r = start(image.toString(), "cat", "/etc/os-release");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("ID=busybox"), r.toString());
    }

    @Test
    void exitStatus_isTheCommands() throws Exception {
        for (int code : new int[] {0, 42, 255}) {
            Sandbox.Result r = start(image.toString(), "sh", "-c", "exit " + code);
            assertEquals(code, r.status(), "exit " + code + ": " + r);
        }
    }

    @Test
    void signalDeath_is128PlusSignal() throws Exception {
        assertEquals(137, start(image.toString(), "sh", "-c", "kill -KILL $$").status());
        assertEquals(143, start(image.toString(), "sh", "-c", "kill -TERM $$").status());
    }

    @Test
    void commandNotFound_exits127() throws Exception {
        Sandbox.Result r = start(image.toString(), "/no/such/program");
        assertEquals(127, r.status(), r.toString());
    }

    @Test
    void environment_replacesHosts_withImageEnvironAndEnvOptions() throws Exception {
        Sandbox.Result r = box.run(Map.of("SQR_SECRET", "leak", "SQR_HOSTREF", "subst", "SQR_PASS", "passed"), null,
                "start", "--env", "OPT=1", "-e", "SQR_PASS", "--env=EQ=a=b", image.toString(), "env");
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("IMAGE_VAR=from-image"), r.toString());
        assertTrue(lines.contains("QUOTED=q v"), r.toString());
        assertTrue(lines.contains("HOSTREF=subst"), r.toString());
        assertTrue(lines.contains("OPT=1"), r.toString());
        assertTrue(lines.contains("SQR_PASS=passed"), r.toString());
        assertTrue(lines.contains("EQ=a=b"), r.toString());
        assertTrue(lines.contains("HOME=/root"), r.toString());
        assertFalse(r.out().contains("SQR_SECRET"), "host environment must not leak: " + r);
        assertFalse(r.out().contains("ENROOT_"), r.toString());
    }

    @Test
    void environment_hasCallersLocale_notTheJvmsUtf8Substitute() throws Exception {
        // What bin/squashroot does for a caller under LC_ALL=C: the JVM runs with C.UTF-8.
        Sandbox.Result r = box.run(Map.of("LC_ALL", "C.UTF-8", "SQUASHROOT_HOST_LC_ALL", "C"), null,
                "start", "-e", "LC_ALL", image.toString(), "env");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().lines().toList().contains("LC_ALL=C"), r.toString());
        // A caller without LC_ALL: the container gets it empty, as with any unset name.
        r = box.run(Map.of("LC_ALL", "C.UTF-8", "SQUASHROOT_HOST_LC_ALL", ""), null,
                "start", "-e", "LC_ALL", image.toString(), "env");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().lines().toList().contains("LC_ALL="), r.toString());
        assertFalse(r.out().contains("C.UTF-8") || r.out().contains("SQUASHROOT_HOST"), r.toString());
    }

    @Test
    void invalidEnvAndMountSpecs_areRejected() throws Exception {
        Sandbox.Result r = start("--env", "1BAD=x", image.toString(), "true");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("Invalid argument: 1BAD=x"), r.toString());
        r = start("--mount", "a b", image.toString(), "true");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("Invalid argument: a b"), r.toString());
    }

    @Test
    void rootfs_isReadOnlyUnlessRw_andNosuidNodev() throws Exception {
        Sandbox.Result r = start(image.toString(), "sh", "-c", "touch /x 2>&1; awk '$5 == \"/\" { print $6 }' /proc/self/mountinfo");
        assertTrue(r.out().contains("Read-only file system"), r.toString());
        assertTrue(r.out().contains("\nro,nosuid,nodev"), r.toString());
        r = start("--rw", image.toString(), "sh", "-c", "touch /x && echo wrote");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("wrote"), r.toString());
    }

    @Test
    void systemMounts_procIsPrivate_devTmpHostsPresent() throws Exception {
        Sandbox.Result r = start(image.toString(), "sh", "-c",
                "ls /proc | grep -c '^[0-9]'; test -c /dev/null && echo devnull; touch /tmp/t && echo tmp;"
                        + " cmp /etc/hosts /etc/hosts && grep -q . /etc/hosts && echo hosts; echo pid=$$");
        assertEquals(0, r.status(), r.toString());
        int processes = Integer.parseInt(r.out().lines().findFirst().orElseThrow().trim());
        assertTrue(processes < 10, "only the container's processes in /proc: " + r);
        assertTrue(r.out().contains("devnull") && r.out().contains("tmp") && r.out().contains("hosts"), r.toString());
    }

    @Test
    void mountOption_bindsHostDirectory_andImageFstab() throws Exception {
        Path host = box.base.resolve("shared");
        Sandbox.Result r = box.run(Map.of(), null, "start",
                "--mount", host + ":/mnt/data:none:x-create=dir,bind,ro", image.toString(),
                "sh", "-c", "cat /mnt/data/hello.txt /mnt/fstab/hello.txt; touch /mnt/data/no 2>&1");
        assertEquals(1, r.status(), r.toString());
        assertEquals(2, r.out().lines().filter("from host"::equals).count(), r.toString());
        assertTrue(r.out().contains("Read-only file system"), r.toString());
    }

    @Test
    void rcScript_ofImage_receivesCommand() throws Exception {
        Sandbox.Result r = start(rcImage.toString(), "echo", "a b");
        assertEquals(0, r.status(), r.toString());
        assertEquals(List.of("rc-ran 2 echo a b", "a b"), r.out().lines().toList());
    }

    @Test
    void confFile_environMountsHooksRcAndDirectives() throws Exception {
        Path host = Files.createDirectories(box.base.resolve("confmount"));
        Files.writeString(host.resolve("f"), "conf-mounted\n");
        Path conf = box.write(box.base.resolve("job.conf"), String.join("\n",
                "#ENROOT_ROOTFS_WRITABLE yes",
                "environ() {",
                "  echo CONF_VAR=conf",
                "}",
                "mounts() {",
                "  echo '" + host + " /mnt/conf none x-create=dir,bind'",
                "}",
                "hooks() {",
                "  echo \"HOOKED=$ENROOT_ROOTFS\" >> \"$ENROOT_ENVIRON\"",
                "}",
                "rc() {",
                "  echo from-conf-rc \"$@\"",
                "  exec \"$@\"",
                "}", ""), false);
        Sandbox.Result r = start("--conf", conf.toString(), image.toString(),
                "sh", "-c", "echo $CONF_VAR; cat /mnt/conf/f; touch /w && echo writable; echo hooked=${HOOKED:+yes}");
        assertEquals(0, r.status(), r.toString());
        assertEquals(List.of("from-conf-rc sh -c echo $CONF_VAR; cat /mnt/conf/f; touch /w && echo writable; echo hooked=${HOOKED:+yes}",
                "conf", "conf-mounted", "writable", "hooked=yes"), r.out().lines().toList());
    }

    @Test
    void hooks_runSystemThenUser_withEnrootVariables() throws Exception {
        Path log = box.base.resolve("hooks.log");
        String body = "#!/bin/sh\necho \"$0 pid=${ENROOT_PID:+set} rootfs=$ENROOT_ROOTFS environ=${ENROOT_ENVIRON:+set}"
                + " mounts=${ENROOT_MOUNTS:+set} data=${ENROOT_DATA_PATH:+set}\" >> " + log + "\n";
        box.write(box.sysconf().resolve("hooks.d/50-sys.sh"), body
                + "echo FROM_HOOK=sys >> \"$ENROOT_ENVIRON\"\n", true);
        box.write(box.configPath().resolve("hooks.d/10-user.sh"), body
                + "echo \"" + box.base + " /mnt/hooked none x-create=dir,bind,ro\" >> \"$ENROOT_MOUNTS\"\n", true);
        box.write(box.configPath().resolve("hooks.d/20-notexec.sh"), "#!/bin/sh\nexit 1\n", false);
        box.write(box.configPath().resolve("hooks.d/30-common.sh"), "#!/usr/bin/env bash\nset -eu\n"
                + "source \"${ENROOT_LIBRARY_PATH}/common.sh\"\ncommon::checkcmd sh\n"
                + "enroot-mount --root \"$ENROOT_ROOTFS\" - <<< 'tmpfs /mnt/hooktmp tmpfs x-create=dir,mode=700'\n", true);
        try {
            Sandbox.Result r = start(image.toString(), "sh", "-c", "echo $FROM_HOOK; ls -d /mnt/hooked/hooks.log;"
                    + " grep -c hooktmp /proc/self/mountinfo");
            assertEquals(0, r.status(), r.toString());
            assertEquals(List.of("sys", "/mnt/hooked/hooks.log", "1"), r.out().lines().toList());
            List<String> ran = Files.readAllLines(log);
            assertEquals(2, ran.size(), ran.toString());
            assertTrue(ran.get(0).contains("50-sys.sh"), "system hooks first: " + ran);
            assertTrue(ran.get(1).contains("10-user.sh"), ran.toString());
            for (String l : ran) {
                assertTrue(l.contains("pid=set") && l.contains("environ=set") && l.contains("mounts=set")
                        && l.contains("data=set") && l.matches(".*rootfs=/.+ .*"), l);
            }
        } finally {
            Sandbox.deleteTree(box.sysconf().resolve("hooks.d"));
            Sandbox.deleteTree(box.configPath().resolve("hooks.d"));
        }
    }

    @Test
    void failingHook_failsStart_beforeTheCommand() throws Exception {
        box.write(box.configPath().resolve("hooks.d/60-fail.sh"), "#!/bin/sh\nexit 3\n", true);
        try {
            Sandbox.Result r = start(image.toString(), "echo", "must-not-run");
            assertEquals(1, r.status(), r.toString());
            assertFalse(r.out().contains("must-not-run"), r.toString());
            assertTrue(r.err().contains("60-fail.sh exited with return code 3"), r.toString());
        } finally {
            Sandbox.deleteTree(box.configPath().resolve("hooks.d"));
        }
    }

    @Test
    void mountsD_andEnvironD_applyWithEnrootExtensions() throws Exception {
        Path host = Files.createDirectories(box.base.resolve("mountsd"));
        Files.writeString(host.resolve("m"), "mountsd\n");
        box.write(box.sysconf().resolve("mounts.d/50-site.fstab"), String.join("\n",
                "# site mounts",
                "${SQR_MOUNTSD} /opt/site none x-create=dir,bind,ro",
                "/no/such/source /opt/missing none x-create=dir,bind,nofail,silent",
                "tmpfs /home",
                ""), false);
        box.write(box.configPath().resolve("environ.d/50-user.env"), "USER_ENV=${SQR_ENVD}\n", false);
        try {
            Sandbox.Result r = box.run(Map.of("SQR_MOUNTSD", host.toString(), "SQR_ENVD", "envd"), null, "start",
                    image.toString(), "sh", "-c", "cat /opt/site/m; echo $USER_ENV; grep -c ' /home ' /proc/self/mountinfo;"
                            + " ls /opt/missing | wc -l");
            assertEquals(0, r.status(), r.toString());
            assertEquals(List.of("mountsd", "envd", "1", "0"), r.out().lines().map(String::trim).toList());
        } finally {
            Sandbox.deleteTree(box.sysconf().resolve("mounts.d"));
            Sandbox.deleteTree(box.configPath().resolve("environ.d"));
        }
    }

    @Test
    void badMountsDEntry_failsStart_namingIt() throws Exception {
        box.write(box.sysconf().resolve("mounts.d/50-bad.fstab"), "/no/such/dir /opt/x none x-create=dir,bind\n", false);
        try {
            Sandbox.Result r = start(image.toString(), "echo", "must-not-run");
            assertEquals(1, r.status(), r.toString());
            assertTrue(r.err().contains("failed to mount: /no/such/dir"), r.toString());
        } finally {
            Sandbox.deleteTree(box.sysconf().resolve("mounts.d"));
        }
    }

    @Test
    void nvidiaHook_callsContainerCli_withEnrootsArguments() throws Exception {
        Path bin = Files.createDirectories(box.base.resolve("fakebin"));
        Path args = box.base.resolve("nvidia-args");
        box.write(bin.resolve("nvidia-container-cli"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + args + "\n", true);
        String path = bin + ":" + box.env.get("PATH");
        Sandbox.Result r = box.run(Map.of("PATH", path, "NVIDIA_VISIBLE_DEVICES", "0,1",
                "NVIDIA_DRIVER_CAPABILITIES", "compute,utility", "NVIDIA_REQUIRE_CUDA", "cuda>=12.0"), null,
                "start", image.toString(), "true");
        assertEquals(0, r.status(), r.toString());
        List<String> got = Files.readAllLines(args);
        assertEquals("--user", got.get(0), got.toString());
        assertEquals("configure", got.get(1), got.toString());
        assertEquals("--no-cgroups", got.get(2), got.toString());
        assertTrue(got.get(3).startsWith("--ldconfig=@/"), got.toString());
        assertEquals(List.of("--device=0,1", "--compute", "--utility", "--require=cuda>=12.0"), got.subList(4, 8));
        assertTrue(got.get(8).startsWith(box.base.toString()) || got.get(8).startsWith("/"), got.toString());
        assertEquals(9, got.size(), got.toString());

        Files.delete(args);
        r = box.run(Map.of("PATH", path), null, "start", image.toString(), "true");
        assertEquals(0, r.status(), r.toString());
        assertFalse(Files.exists(args), "no GPUs asked: nvidia-container-cli must not run");

        r = box.run(Map.of("PATH", path, "NVIDIA_VISIBLE_DEVICES", "all", "NVIDIA_DRIVER_CAPABILITIES", "all"), null,
                "start", image.toString(), "true");
        assertEquals(0, r.status(), r.toString());
        got = Files.readAllLines(args);
        assertEquals(List.of("--device=all", "--compute", "--compat32", "--display", "--graphics", "--utility", "--video"),
                got.subList(4, 11));
    }

    @Test
    void signals_toLauncher_reachTheCommand() throws Exception {
        for (String sig : List.of("TERM", "INT", "HUP")) {
            Process p = box.start(Map.of(), "start", image.toString(), "sh", "-c",
                    "trap 'echo got-" + sig + "; exit 7' " + sig + "; echo ready; sleep 60 & wait");
            var stdout = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            var err = Sandbox.readAsync(p.getErrorStream());
            assertEquals("ready", stdout.readLine(), sig);
            Thread.sleep(200); // let the shell reach "wait"
            Sandbox.sh("kill", "-s", sig, Long.toString(p.pid()));
            var out = Sandbox.readAsync(p.getInputStream());
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), sig);
            assertEquals(7, p.exitValue(), sig + ": " + out.join() + err.join());
            assertTrue(out.join().contains("got-" + sig), out.join());
        }
    }

    @Test
    void mountHome_bindsHomeAtRootForRoot_andRestrictDev_limitsDevices() throws Exception {
        box.write(box.base.resolve("home/dotfile"), "mine\n", false);
        Sandbox.Result r = box.run(Map.of("ENROOT_MOUNT_HOME", "yes", "ENROOT_RESTRICT_DEV", "y"), null, "start",
                image.toString(), "sh", "-c", "cat $HOME/dotfile; echo $HOME; ls /dev | tr '\\n' ' '");
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("mine", lines.get(0), r.toString());
        assertEquals(box.base.resolve("home").toString(), lines.get(1), "own home at its own path (uid 0 maps to root here)");
        List<String> dev = List.of(lines.get(2).trim().split(" "));
        assertTrue(dev.containsAll(List.of("null", "zero", "full", "random", "urandom", "pts", "shm", "fd", "stdin")), dev.toString());
        assertTrue(!dev.contains("vda") && !dev.contains("fuse") && !dev.contains("kmsg"), "host devices hidden: " + dev);
        r = box.run(Map.of("ENROOT_MOUNT_HOME", "no"), null, "start", image.toString(), "sh", "-c", "echo $HOME; ls /dev | grep -c fuse");
        assertEquals(List.of("/root", "1"), r.out().lines().toList(), r.toString());
    }

    @Test
    void loginShellOff_keepsOnlyTheEnvironmentFile() throws Exception {
        Sandbox.Result r = box.run(Map.of("ENROOT_LOGIN_SHELL", "no"), null, "start", image.toString(), "sh", "-c",
                "echo home=${HOME-unset} user=${USER-unset}; pwd");
        assertEquals(0, r.status(), r.toString());
        assertEquals(List.of("home=unset user=unset", "/"), r.out().lines().toList());
    }

    @Test
    void enrootImageFormat_workdirEntrypointCmdAndVolume() throws Exception {
        Sandbox.Result r = start(appImage.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("entry default-arg in /app rc.local=yes app=1\n", r.out(), r.toString());
        r = start(appImage.toString(), "given", "args");
        assertEquals("entry given args in /app rc.local=yes app=1\n", r.out(), r.toString());
    }
}
