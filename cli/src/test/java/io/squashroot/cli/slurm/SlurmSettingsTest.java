package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmSettingsTest {

    @Test
    void usesPyxisDefaults_forEmptyFile() {
        SlurmSettings s = SlurmSettings.parse("f", List.of("# nothing", ""));
        assertFalse(s.jobScope());
        assertFalse(s.executeEntrypoint());
        assertEquals(Path.of("/run/squashroot"), s.runtimePath());
    }

    @Test
    void readsPyxisKeys() {
        SlurmSettings s = SlurmSettings.parse("f", List.of("container_scope=job", " execute_entrypoint = yes ",
                "runtime_path=/var/run/sq"));
        assertTrue(s.jobScope());
        assertTrue(s.executeEntrypoint());
        assertEquals(Path.of("/var/run/sq"), s.runtimePath());
    }

    @Test
    void rejectsBadLines_namingFileAndLine() {
        assertEquals("f:2: container_scope: invalid value: node", assertThrows(IllegalArgumentException.class,
                () -> SlurmSettings.parse("f", List.of("", "container_scope=node"))).getMessage());
        assertEquals("f:1: unknown setting: sbatch_support", assertThrows(IllegalArgumentException.class,
                () -> SlurmSettings.parse("f", List.of("sbatch_support=1"))).getMessage());
        assertEquals("f:1: runtime_path: not an absolute path: run", assertThrows(IllegalArgumentException.class,
                () -> SlurmSettings.parse("f", List.of("runtime_path=run"))).getMessage());
    }
}
