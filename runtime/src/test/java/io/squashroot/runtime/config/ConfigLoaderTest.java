package io.squashroot.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("HOME", "/home/u");
        m.put("SQUASHROOT_SYSCONF_DIR", tmp.toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private RuntimeConfig load(Map<String, String> env) throws IOException {
        return new ConfigLoader(env, 7, null).load();
    }

    @Test
    void defaults_followEnrootAndXdg() throws IOException {
        RuntimeConfig c = load(env());
        assertEquals("/run/enroot", c.get("ENROOT_RUNTIME_PATH"));
        assertEquals("/home/u/.local/share/enroot", c.get("ENROOT_DATA_PATH"));
        assertEquals("/home/u/.cache/enroot", c.get("ENROOT_CACHE_PATH"));
        assertEquals("/home/u/.config/enroot", c.get("ENROOT_CONFIG_PATH"));
        assertEquals(tmp.toString(), c.get("ENROOT_SYSCONF_PATH"));
        assertEquals("/tmp", c.get("ENROOT_TEMP_PATH"));
        assertEquals("-comp lzo -noD -exit-on-error", c.get("ENROOT_SQUASH_OPTIONS"));
        assertEquals("-1", c.get("ENROOT_ZSTD_OPTIONS"));
        assertEquals("7", c.get("ENROOT_MAX_PROCESSORS"));
        assertEquals("10", c.get("ENROOT_MAX_CONNECTIONS"));
        assertEquals("true", c.get("ENROOT_LOGIN_SHELL"));
        assertFalse(c.variables().containsKey("ENROOT_REMAP_ROOT"), "false booleans are unset");
        assertFalse(c.variables().containsKey("ENROOT_ALLOW_HTTP"));
        assertEquals(MountMode.FUSE, c.mountMode());
    }

    @Test
    void runtimeBase_fallsBackToPrivateTempDir_forUserWithoutXdgRuntimeDir() {
        assertEquals("/run", ConfigLoader.defaultRuntimeBase(0, "/tmp"));
        // uid 2147483000 has no /run/user directory on any test machine
        assertEquals("/scratch/squashroot-run-2147483000", ConfigLoader.defaultRuntimeBase(2147483000L, "/scratch"));
    }

    @Test
    void xdgVariables_moveDefaultPaths() throws IOException {
        RuntimeConfig c = load(env("XDG_RUNTIME_DIR", "/run/user/5", "XDG_DATA_HOME", "/d", "TMPDIR", "/scratch"));
        assertEquals("/run/user/5/enroot", c.get("ENROOT_RUNTIME_PATH"));
        assertEquals("/d/enroot", c.get("ENROOT_DATA_PATH"));
        assertEquals("/scratch", c.get("ENROOT_TEMP_PATH"));
    }

    @Test
    void environment_winsOverFile_andFirstDefinitionWins() throws IOException {
        Files.writeString(tmp.resolve("enroot.conf"), String.join("\n",
                "# comment",
                "ENROOT_DATA_PATH        /from/file",
                "ENROOT_DATA_PATH        /second/definition",
                "ENROOT_CACHE_PATH=/cache/file",
                "ENROOT_SQUASH_OPTIONS   -comp zstd   -Xcompression-level 3",
                "NOT_OURS                ignored",
                "NVIDIA_DRIVER_CAPABILITIES compute,utility",
                ""));
        RuntimeConfig c = load(env("ENROOT_CACHE_PATH", "/cache/env"));
        assertEquals("/from/file", c.get("ENROOT_DATA_PATH"));
        assertEquals("/cache/env", c.get("ENROOT_CACHE_PATH"));
        assertEquals("-comp zstd -Xcompression-level 3", c.get("ENROOT_SQUASH_OPTIONS"));
        assertEquals("compute,utility", c.get("NVIDIA_DRIVER_CAPABILITIES"));
        assertNull(c.get("NOT_OURS"));
    }

    @Test
    void fileValues_expandVariablesAndNproc() throws IOException {
        Files.writeString(tmp.resolve("enroot.conf"), String.join("\n",
                "ENROOT_RUNTIME_PATH ${XDG_RUNTIME_DIR}/enroot-site",
                "ENROOT_DATA_PATH    ${SCRATCH:-/scratch}/$USER/enroot",
                "ENROOT_MAX_PROCESSORS $(nproc)",
                "ENROOT_TEMP_PATH    \"/tmp/with space\"",
                ""));
        RuntimeConfig c = load(env("XDG_RUNTIME_DIR", "/run/user/9", "USER", "alice"));
        assertEquals("/run/user/9/enroot-site", c.get("ENROOT_RUNTIME_PATH"));
        assertEquals("/scratch/alice/enroot", c.get("ENROOT_DATA_PATH"));
        assertEquals("7", c.get("ENROOT_MAX_PROCESSORS"));
        assertEquals("/tmp/with space", c.get("ENROOT_TEMP_PATH"));
    }

    @Test
    void fileValue_withOtherCommandSubstitution_isRefusedNamingFileAndLine() throws IOException {
        Files.writeString(tmp.resolve("enroot.conf"), "\nENROOT_DATA_PATH $(whoami)\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(env()));
        assertTrue(e.getMessage().contains("enroot.conf:2"), e.getMessage());
        assertTrue(e.getMessage().contains("$(whoami)"), e.getMessage());
    }

    @Test
    void dropIns_loadAfterMainFile_inNameOrder() throws IOException {
        Files.writeString(tmp.resolve("enroot.conf"), "ENROOT_DATA_PATH /main\n");
        Files.createDirectories(tmp.resolve("enroot.conf.d"));
        Files.writeString(tmp.resolve("enroot.conf.d/20-b.conf"), "ENROOT_CACHE_PATH /b\nENROOT_DATA_PATH /dropin\n");
        Files.writeString(tmp.resolve("enroot.conf.d/10-a.conf"), "ENROOT_CACHE_PATH /a\n");
        Files.writeString(tmp.resolve("enroot.conf.d/30-c.txt"), "ENROOT_TEMP_PATH /ignored\n");
        RuntimeConfig c = load(env());
        assertEquals("/main", c.get("ENROOT_DATA_PATH"));
        assertEquals("/a", c.get("ENROOT_CACHE_PATH"));
        assertEquals("/tmp", c.get("ENROOT_TEMP_PATH"));
    }

    @Test
    void booleans_followEnrootsFalsyRule() throws IOException {
        for (String no : new String[] {"n", "no", "N", "NO", "No", "f", "false", "F", "False", "FALSE"}) {
            assertFalse(load(env("ENROOT_REMAP_ROOT", no)).remapRoot(), no);
        }
        for (String yes : new String[] {"y", "yes", "1", "0", "true", "on", "nope"}) {
            assertTrue(load(env("ENROOT_REMAP_ROOT", yes)).remapRoot(), yes);
        }
        assertFalse(load(env("ENROOT_REMAP_ROOT", "")).remapRoot(), "empty falls back to the default (false)");
        assertFalse(load(env("ENROOT_LOGIN_SHELL", "no")).flag("ENROOT_LOGIN_SHELL"));
    }

    @Test
    void confDirectives_overrideEnvironment() throws IOException {
        Path conf = tmp.resolve("job.conf");
        Files.writeString(conf, "#ENROOT_REMAP_ROOT y\n# ENROOT_DATA_PATH /directive\nENROOT_CACHE_PATH /not-a-directive\n"
                + "environ() { echo A=1; }\n");
        ConfigLoader l = new ConfigLoader(env("ENROOT_DATA_PATH", "/env"), 7, null);
        RuntimeConfig c = l.applyDirectives(l.load(), conf);
        assertTrue(c.remapRoot());
        assertEquals("/directive", c.get("ENROOT_DATA_PATH"));
        assertEquals("/home/u/.cache/enroot", c.get("ENROOT_CACHE_PATH"));
    }

    @Test
    void squashrootMountMode_readFromEnvironmentOrFile() throws IOException {
        assertEquals(MountMode.EXTRACT, load(env("SQUASHROOT_MOUNT_MODE", "extract")).mountMode());
        Files.writeString(tmp.resolve("enroot.conf"), "SQUASHROOT_MOUNT_MODE extract\n");
        assertEquals(MountMode.EXTRACT, load(env()).mountMode());
        assertEquals(MountMode.FUSE, load(env("SQUASHROOT_MOUNT_MODE", "fuse")).mountMode());
    }

    @Test
    void squashrootSubids_autoByDefault_enrootBooleansOtherwise() throws IOException {
        assertEquals(Subids.AUTO, load(env()).subids());
        assertEquals("auto", load(env()).get("SQUASHROOT_SUBIDS"), "hooks see the default too");
        assertEquals(Subids.AUTO, load(env("SQUASHROOT_SUBIDS", "AUTO")).subids());
        for (String no : List.of("n", "no", "NO", "f", "false", "False")) {
            assertEquals(Subids.NO, load(env("SQUASHROOT_SUBIDS", no)).subids(), no);
        }
        for (String yes : List.of("y", "yes", "true", "1", "0")) {
            assertEquals(Subids.YES, load(env("SQUASHROOT_SUBIDS", yes)).subids(), yes + " (0 is true, as in enroot)");
        }
        Files.writeString(tmp.resolve("enroot.conf"), "SQUASHROOT_SUBIDS no\n");
        assertEquals(Subids.NO, load(env()).subids());
        assertEquals(Subids.YES, load(env("SQUASHROOT_SUBIDS", "yes")).subids(), "the environment wins over the file");
    }

    @Test
    void builder_rejectsRelativePathAndBadNumberAndMode_namingTheSetting() throws IOException {
        RuntimeConfig c = load(env());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.toBuilder().set("ENROOT_DATA_PATH", "relative/dir").build());
        assertTrue(e.getMessage().startsWith("ENROOT_DATA_PATH=relative/dir"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.toBuilder().set("ENROOT_MAX_PROCESSORS", "four").build());
        assertTrue(e.getMessage().startsWith("ENROOT_MAX_PROCESSORS=four"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.toBuilder().set("SQUASHROOT_MOUNT_MODE", "loop").build());
        assertTrue(e.getMessage().contains("'loop'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.toBuilder().set("PATH", "/bin"));
    }

    @Test
    void config_isImmutable() throws IOException {
        RuntimeConfig c = load(env());
        assertThrows(UnsupportedOperationException.class, () -> c.variables().put("ENROOT_X", "1"));
        RuntimeConfig d = c.toBuilder().flag("ENROOT_ROOTFS_WRITABLE", true).build();
        assertFalse(c.rootfsWritable());
        assertTrue(d.rootfsWritable());
    }
}
