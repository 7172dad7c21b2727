package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SrunCommandLineTest {

    private static SrunCommandLine parse(String... argv) {
        return SrunCommandLine.parse(List.of(argv));
    }

    @Test
    void splitsSrunOptions_containerOptions_andCommand() {
        SrunCommandLine l = parse("-N", "1", "-n2", "--container-image", "busybox", "--mpi=pmix",
                "--container-mounts=/a:/b", "-l", "--export", "ALL", "sh", "-c", "echo --container-image=x");
        assertEquals(List.of("-N", "1", "-n2", "--mpi=pmix", "-l", "--export", "ALL"), l.srunOptions());
        assertEquals(List.of("--container-image=busybox", "--container-mounts=/a:/b"), l.containerOptions());
        assertEquals(List.of("sh", "-c", "echo --container-image=x"), l.command());
    }

    @Test
    void takesNextWord_onlyForShortOptionThatEndsACluster() {
        assertEquals(List.of("-ln", "4"), parse("-ln", "4", "hostname").srunOptions());
        assertEquals(List.of("-n4"), parse("-n4", "hostname").srunOptions());
        assertEquals(List.of("-lv"), parse("-lv", "hostname").srunOptions());
        assertEquals(List.of("-I5", "-K"), parse("-I5", "-K", "hostname").srunOptions());
        assertEquals(List.of("hostname"), parse("-K", "hostname").command());
    }

    @Test
    void passesSrunContainerOption_andUnknownLongOptions() {
        SrunCommandLine l = parse("--container", "/bundle", "--some-future-flag", "true");
        assertEquals(List.of("--container", "/bundle", "--some-future-flag"), l.srunOptions());
        assertEquals(List.of("true"), l.command());
    }

    @Test
    void endsOptions_atDoubleDash() {
        SrunCommandLine l = parse("-n", "1", "--", "--container-image=x");
        assertEquals(List.of("-n", "1"), l.srunOptions());
        assertEquals(List.of("--container-image=x"), l.command());
    }

    @Test
    void rejectsMissingArgument_andMultiProg() {
        assertEquals("--container-image: argument required",
                assertThrows(OptionException.class, () -> parse("--container-image")).getMessage());
        assertEquals("-n: argument required",
                assertThrows(OptionException.class, () -> parse("-n")).getMessage());
        assertEquals("--multi-prog cannot be combined with squashroot-srun",
                assertThrows(OptionException.class, () -> parse("--multi-prog", "conf")).getMessage());
    }

    @Test
    void buildsTaskCommand_whenContainerRequested() {
        List<String> argv = SrunArgvCommand.srunArgv(List.of("-n2", "--container-image=/i.sqsh",
                "--container-remap-root", "id", "-u"), Map.of(), "/opt/squashroot/bin/squashroot");
        assertEquals(List.of("-n2", "/opt/squashroot/bin/squashroot", "slurm-task", "--",
                "--container-image=/i.sqsh", "--container-remap-root", "--", "id", "-u"), argv);
    }

    @Test
    void leavesCommandAlone_withoutImageOrName() {
        List<String> argv = SrunArgvCommand.srunArgv(List.of("-n2", "--container-remap-root", "id"),
                Map.of(), "/x/squashroot");
        assertEquals(List.of("-n2", "id"), argv);
    }

    @Test
    void usesEnvironmentImage_whenCommandLineHasNone() {
        List<String> argv = SrunArgvCommand.srunArgv(List.of("true"),
                Map.of("PYXIS_CONTAINER_IMAGE", "/e.sqsh"), "/x/squashroot");
        assertEquals(List.of("/x/squashroot", "slurm-task", "--", "--container-image=/e.sqsh", "--", "true"), argv);
    }

    @Test
    void rejectsContainerStep_withoutCommand() {
        assertThrows(OptionException.class,
                () -> SrunArgvCommand.srunArgv(List.of("--container-image=a"), Map.of(), "/x/squashroot"));
    }
}
