package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** squashroot-srun on a real Slurm, where no container is involved: srun must see what the user wrote. */
class SquashrootSrunPassthroughTest {

    static SlurmTestCluster slurm;

    @BeforeAll
    static void startSlurm() throws Exception {
        slurm = SlurmTestCluster.start();
    }

    @AfterAll
    static void stopSlurm() throws Exception {
        if (slurm != null) {
            slurm.close();
        }
    }

    @Test
    void passesOptionsAndCommandToSrun_withoutImageOrName() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot-srun", "-n", "2", "-l", "--export=ALL",
                "sh", "-c", "echo task=$SLURM_PROCID of $SLURM_NTASKS user=$(id -un)"), Map.of(), 60);
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of("0: task=0 of 2 user=sqtest", "1: task=1 of 2 user=sqtest"),
                r.lines().stream().sorted().toList(), r::toString);
    }

    @Test
    void warnsAboutIgnoredContainerOptions_withoutImageOrName() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot-srun", "--container-remap-root",
                "--container-workdir=/tmp", "pwd"), Map.of(), 60);
        assertEquals(0, r.status(), r::toString);
        assertEquals(List.of(slurm.work.toString()), r.lines(), r::toString);
        assertTrue(r.stderr().contains("ignoring --container-remap-root because neither --container-image nor "
                + "--container-name is set"), r::toString);
    }

    @Test
    void exitsWithCommandStatus_withoutImageOrName() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot-srun", "sh", "-c", "exit 3"), Map.of(), 60);
        assertEquals(3, r.status(), r::toString);
    }

    @Test
    void rejectsBadContainerOption_withOneLineAndStatus2() throws Exception {
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("squashroot-srun", "--container-image=/x.sqsh",
                "--container-name=a:sometimes", "true"), Map.of(), 60);
        assertEquals(2, r.status(), r::toString);
        assertEquals("squashroot-srun: --container-name: flag must be \"auto\", \"create\", \"exec\" or \"no_exec\": sometimes",
                r.stderr().strip(), r::toString);
    }

    @Test
    void runsInsideSbatchScript_withWait() throws Exception {
        Path script = slurm.work.resolve("passthrough.sbatch");
        Files.writeString(script, "#!/bin/sh\n#SBATCH -n 2\nsquashroot-srun -l hostname -s\nsquashroot-srun sh -c 'exit 4'\n"
                + "echo step-status=$?\n");
        SlurmTestCluster.Result r = slurm.runAsUser(List.of("sbatch", "--wait", "-o", slurm.work.resolve("passthrough.out").toString(),
                script.toString()), Map.of(), 120);
        assertEquals(0, r.status(), r::toString);
        String out = Files.readString(slurm.work.resolve("passthrough.out"));
        String host = slurm.exec(List.of("hostname", "-s"), Map.of(), 10).stdout().strip();
        assertTrue(out.contains("0: " + host) && out.contains("1: " + host), out);
        assertTrue(out.contains("step-status=4"), out);
    }
}
