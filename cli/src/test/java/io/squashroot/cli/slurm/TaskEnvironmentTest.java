package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskEnvironmentTest {

    private static final Map<String, String> TASK = Map.of(
            "SLURM_PROCID", "3", "PMIX_RANK", "3", "PMI_FD", "7", "LANG", "en_US.UTF-8", "LC_ALL", "C.UTF-8",
            "PATH", "/host/bin", "CUDA_VERSION", "12.0.0", "FOO", "bar", "ENROOT_DATA_PATH", "/data");

    private static final Map<String, String> CONTAINER = Map.of(
            "PATH", "/usr/local/cuda/bin:/usr/bin", "CUDA_VERSION", "11.8.0", "HOME", "/root");

    @Test
    void layersImageValuesOverTaskValues_andDropsLocale() {
        Map<String, String> env = TaskEnvironment.forTask(TASK, CONTAINER, List.of());
        assertEquals("3", env.get("SLURM_PROCID"));
        assertEquals("3", env.get("PMIX_RANK"));
        assertEquals("7", env.get("PMI_FD"));
        assertEquals("bar", env.get("FOO"));
        assertEquals("11.8.0", env.get("CUDA_VERSION"));
        assertEquals("/usr/local/cuda/bin:/usr/bin", env.get("PATH"));
        assertFalse(env.containsKey("LANG"));
        assertFalse(env.containsKey("LC_ALL"));
    }

    @Test
    void keepsHostValues_ofContainerEnvNames() {
        Map<String, String> env = TaskEnvironment.forTask(TASK, CONTAINER, List.of("CUDA_VERSION", "LANG"));
        assertEquals("12.0.0", env.get("CUDA_VERSION"));
        assertEquals("en_US.UTF-8", env.get("LANG"));
        assertFalse(env.containsKey("LC_ALL"));
    }

    @Test
    void keepsImageValue_whenContainerEnvNameIsUnsetOnHost() {
        Map<String, String> env = TaskEnvironment.forTask(Map.of(), CONTAINER, List.of("CUDA_VERSION"));
        assertEquals("11.8.0", env.get("CUDA_VERSION"));
    }

    @Test
    void givesKeeperOnlyRuntimeSettingsAndNamedVariables() {
        Map<String, String> keeper = TaskEnvironment.forKeeper(TASK, List.of("CUDA_VERSION"));
        assertEquals(Map.of("PATH", "/host/bin", "CUDA_VERSION", "12.0.0", "ENROOT_DATA_PATH", "/data"), keeper);
    }

    @Test
    void parsesProcEnviron() {
        assertEquals(Map.of("A", "1", "B", "x=y"), TaskEnvironment.parse("A=1\0B=x=y\0junk\0"));
    }
}
