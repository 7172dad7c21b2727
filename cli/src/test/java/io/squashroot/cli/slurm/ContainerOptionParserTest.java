package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerOptionParserTest {

    private static ContainerOptions parse(Map<String, String> env, String... options) {
        return ContainerOptionParser.parse(List.of(options), env);
    }

    private static ContainerOptions parse(String... options) {
        return parse(Map.of(), options);
    }

    private static String error(Map<String, String> env, String... options) {
        return assertThrows(OptionException.class, () -> parse(env, options)).getMessage();
    }

    @Test
    void leavesBooleansUnset_whenNotGiven() {
        ContainerOptions o = parse("--container-image=ubuntu:22.04");
        assertEquals("ubuntu:22.04", o.image());
        assertNull(o.mountHome());
        assertNull(o.remapRoot());
        assertNull(o.writable());
        assertNull(o.entrypoint());
        assertEquals(NameMode.AUTO, o.nameMode());
        assertTrue(o.enabled());
        assertFalse(o.imageIsFile());
        assertEquals("docker://ubuntu:22.04", o.imageUri());
    }

    @Test
    void treatsImageAsFile_whenItStartsWithDotOrSlash() {
        assertTrue(parse("--container-image=./busybox.sqsh").imageIsFile());
        assertTrue(parse("--container-image=/images/busybox.sqsh").imageIsFile());
        assertFalse(parse("--container-image=nvcr.io#nvidia/pytorch:21.12-py3").imageIsFile());
        assertEquals("dockerd://alpine", parse("--container-image=dockerd://alpine").imageUri());
    }

    @Test
    void acceptsRepeatedImage_withSameValue() {
        assertEquals("a", parse("--container-image=a", "--container-image=a").image());
        assertEquals("--container-image specified multiple times",
                error(Map.of(), "--container-image=a", "--container-image=b"));
    }

    @Test
    void rejectsFlagWithItsNegation() {
        assertEquals("both --container-remap-root and --no-container-remap-root were specified",
                error(Map.of(), "--container-remap-root", "--no-container-remap-root"));
        assertEquals("both --container-writable and --container-readonly were specified",
                error(Map.of(), "--container-readonly", "--container-writable"));
        assertEquals(Boolean.FALSE, parse("--no-container-mount-home", "--no-container-mount-home").mountHome());
    }

    @Test
    void parsesNameFlags() {
        ContainerOptions o = parse("--container-name=build:no_exec");
        assertEquals("build", o.name());
        assertEquals(NameMode.NO_EXEC, o.nameMode());
        assertEquals(NameMode.CREATE, parse("--container-name=x:create").nameMode());
        assertEquals(NameMode.EXEC, parse("--container-name=x:exec").nameMode());
        assertEquals(NameMode.AUTO, parse("--container-name=x:").nameMode());
        assertTrue(parse("--container-name=x").enabled());
        assertEquals("--container-name: flag must be \"auto\", \"create\", \"exec\" or \"no_exec\": run",
                error(Map.of(), "--container-name=x:run"));
        assertEquals("--container-name: empty name", error(Map.of(), "--container-name=:exec"));
        assertEquals("--container-name: invalid name: a/b", error(Map.of(), "--container-name=a/b"));
    }

    @Test
    void parsesMounts_withPyxisDefaultFlags() {
        ContainerOptions o = parse("--container-mounts=/data:/mnt/data:ro+rprivate,./here,tmpfs:/scratch,umount:/opt",
                "--container-mounts=/data:/mnt/data:ro+rprivate");
        assertEquals(List.of(
                new MountEntry("/data", "/mnt/data", "x-create=auto,rbind,ro,rprivate"),
                new MountEntry("./here", "./here", "x-create=auto,rbind"),
                new MountEntry("tmpfs", "/scratch", "x-create=dir"),
                new MountEntry("umount", "/opt", "x-detach")), o.mounts());
    }

    @Test
    void rejectsMount_withBadSourceOrTarget() {
        assertTrue(error(Map.of(), "--container-mounts=data:/x").contains("source must be a relative path"));
        assertTrue(error(Map.of(), "--container-mounts=/data:x").contains("target must be a relative path"));
        assertEquals("--container-mounts: empty mount entry", error(Map.of(), "--container-mounts=/a,,/b"));
        assertEquals("--container-mounts: invalid format: /a:", error(Map.of(), "--container-mounts=/a:"));
    }

    @Test
    void rejectsSave_toDirectory() {
        assertEquals("--container-save: target is a directory: out/", error(Map.of(), "--container-save=out/"));
    }

    @Test
    void parsesEnvNames_andRejectsEmptyOnes() {
        assertEquals(List.of("A", "B"), parse("--container-env=A,B", "--container-env=A").env());
        assertEquals("--container-env: invalid format: A,,B", error(Map.of(), "--container-env=A,,B"));
    }

    @Test
    void rejectsUnknownAndUnsupportedOptions() {
        assertEquals("unknown container option: --container-foo", error(Map.of(), "--container-foo"));
        assertEquals("--container-unshare is not supported by squashroot-srun",
                error(Map.of(), "--container-unshare=net"));
        assertEquals("--container-writable takes no argument", error(Map.of(), "--container-writable=1"));
        assertEquals("--container-image: argument required", error(Map.of(), "--container-image="));
        assertEquals("--container-mount-mode: must be \"fuse\" or \"extract\": nfs",
                error(Map.of(), "--container-mount-mode=nfs"));
    }

    @Test
    void appliesEnvironmentDefaults_belowCommandLine() {
        Map<String, String> env = Map.of(
                "PYXIS_CONTAINER_IMAGE", "ubuntu:22.04",
                "PYXIS_CONTAINER_MOUNTS", "/home:/mnt-env",
                "PYXIS_CONTAINER_WORKDIR", "/usr/local/bin",
                "PYXIS_CONTAINER_NAME", "env-test:create",
                "PYXIS_CONTAINER_MOUNT_HOME", "1",
                "PYXIS_CONTAINER_REMAP_ROOT", "no",
                "PYXIS_CONTAINER_READONLY", "y",
                "PYXIS_CONTAINER_ENV", "CUDA_VERSION",
                "SQUASHROOT_CONTAINER_MOUNT_MODE", "extract");
        ContainerOptions o = parse(env);
        assertEquals("ubuntu:22.04", o.image());
        assertEquals(List.of(MountEntry.parse("/home:/mnt-env")), o.mounts());
        assertEquals("/usr/local/bin", o.workdir());
        assertEquals("env-test", o.name());
        assertEquals(NameMode.CREATE, o.nameMode());
        assertEquals(Boolean.TRUE, o.mountHome());
        assertEquals(Boolean.FALSE, o.remapRoot());
        assertEquals(Boolean.FALSE, o.writable());
        assertEquals(List.of("CUDA_VERSION"), o.env());
        assertEquals("extract", o.mountMode());

        ContainerOptions cli = parse(env, "--container-image=ubuntu:24.04", "--container-mounts=/tmp:/mnt-cli",
                "--no-container-mount-home", "--container-writable", "--container-name=other",
                "--container-env=LD_LIBRARY_PATH");
        assertEquals("ubuntu:24.04", cli.image());
        assertEquals(List.of(MountEntry.parse("/tmp:/mnt-cli")), cli.mounts());
        assertEquals(Boolean.FALSE, cli.mountHome());
        assertEquals(Boolean.TRUE, cli.writable());
        assertEquals("other", cli.name());
        assertEquals(List.of("LD_LIBRARY_PATH"), cli.env());
    }

    @Test
    void ignoresEnvironmentBoolean_thatIsNotABoolean() {
        ContainerOptions o = parse(Map.of("PYXIS_CONTAINER_WRITABLE", "maybe", "PYXIS_CONTAINER_READONLY", "0"),
                "--container-image=a");
        assertEquals(Boolean.TRUE, o.writable());
        assertNull(parse(Map.of("PYXIS_CONTAINER_REMAP_ROOT", "on"), "--container-image=a").remapRoot());
    }

    @Test
    void findsRegistry_ofDockerImage() {
        assertEquals("nvcr.io", parse("--container-image=nvcr.io#nvidia/pytorch:21.12-py3").registry());
        assertEquals("localhost:5000", parse("--container-image=docker://me@localhost:5000#test/busybox").registry());
        assertEquals("docker.io", parse("--container-image=ubuntu:24.04").registry());
    }

    @Test
    void roundTripsThroughArguments() {
        ContainerOptions o = parse("--container-image=./img.sqsh", "--container-name=n:exec",
                "--container-mounts=/a:/b:ro+nosuid,tmpfs:/t", "--container-workdir=/w", "--container-save=/s.sqsh",
                "--no-container-mount-home", "--container-remap-root", "--container-entrypoint",
                "--container-entrypoint-log", "--container-readonly", "--container-env=X,Y",
                "--container-mount-mode=fuse", "--container-insecure-registry");
        assertEquals(o, ContainerOptionParser.parse(o.toArguments(), Map.of()));
        assertEquals(List.of("--container-image=a"), parse("--container-image=a").toArguments());
    }
}
