package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostLocaleTest {

    @Test
    void restore_putsBackCallersLcAll_andDropsTheRecord() {
        Map<String, String> env = new HashMap<>(Map.of("LC_ALL", "C.UTF-8", HostLocale.SAVED, "POSIX", "LANG", "C"));
        HostLocale.restore(env);
        assertEquals(Map.of("LC_ALL", "POSIX", "LANG", "C"), env);
    }

    @Test
    void restore_removesLcAll_whenCallerHadNone() {
        Map<String, String> env = new HashMap<>(Map.of("LC_ALL", "C.UTF-8", HostLocale.SAVED, "", "PATH", "/bin"));
        HostLocale.restore(env);
        assertEquals(Map.of("PATH", "/bin"), env);
    }

    @Test
    void restore_leavesEnvironmentAlone_withoutRecord() {
        Map<String, String> env = new HashMap<>(Map.of("LC_ALL", "de_DE.UTF-8"));
        assertEquals(Map.of("LC_ALL", "de_DE.UTF-8"), HostLocale.callerEnvironment(env));
        assertEquals(Map.of("LC_ALL", "de_DE.UTF-8"), env);
    }
}
