package io.squashroot.runtime.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resolved configuration of one squashroot command, as enroot would have it after
 * {@code config::init}/{@code config::fini}: every ENROOT_* setting with its default filled in
 * and false booleans removed, plus the NVIDIA_*, MELLANOX_*, SSL_CERT_* and proxy settings
 * enroot.conf may carry, plus squashroot's own SQUASHROOT_* settings.
 *
 * <p>Immutable. Made by {@link ConfigLoader} (environment + enroot.conf) or by {@link #builder()},
 * whose {@code build()} checks paths and numbers and names the setting that is wrong.
 * {@link #variables()} is what hooks and the in-namespace setup script see.
 */
public final class RuntimeConfig {

    private final Map<String, String> vars;

    private RuntimeConfig(Map<String, String> vars) {
        this.vars = Collections.unmodifiableMap(new TreeMap<>(vars));
    }

    public static Builder builder() {
        return new Builder(Map.of());
    }

    public Builder toBuilder() {
        return new Builder(vars);
    }

    /** Every configuration variable (false booleans absent, as in enroot). */
    public Map<String, String> variables() {
        return vars;
    }

    public String get(String name) {
        return vars.get(name);
    }

    public boolean flag(String name) {
        return EnrootBoolean.isTrue(vars.get(name));
    }

    public Path libraryPath() {
        return Path.of(vars.get("ENROOT_LIBRARY_PATH"));
    }

    public Path sysconfPath() {
        return Path.of(vars.get("ENROOT_SYSCONF_PATH"));
    }

    public Path runtimePath() {
        return Path.of(vars.get("ENROOT_RUNTIME_PATH"));
    }

    public Path configPath() {
        return Path.of(vars.get("ENROOT_CONFIG_PATH"));
    }

    public Path cachePath() {
        return Path.of(vars.get("ENROOT_CACHE_PATH"));
    }

    public Path dataPath() {
        return Path.of(vars.get("ENROOT_DATA_PATH"));
    }

    public Path tempPath() {
        return Path.of(vars.get("ENROOT_TEMP_PATH"));
    }

    public boolean remapRoot() {
        return flag("ENROOT_REMAP_ROOT");
    }

    public boolean rootfsWritable() {
        return flag("ENROOT_ROOTFS_WRITABLE");
    }

    public boolean forceOverride() {
        return flag("ENROOT_FORCE_OVERRIDE");
    }

    public int maxProcessors() {
        return Integer.parseInt(vars.get("ENROOT_MAX_PROCESSORS"));
    }

    public MountMode mountMode() {
        return MountMode.parse(vars.get("SQUASHROOT_MOUNT_MODE"), "SQUASHROOT_MOUNT_MODE");
    }

    /** {@code SQUASHROOT_SUBIDS}: auto (default), yes or no. */
    public Subids subids() {
        return Subids.parse(vars.get("SQUASHROOT_SUBIDS"));
    }

    @Override
    public String toString() {
        return "RuntimeConfig" + vars;
    }

    /** Collects settings; {@link #build()} validates them. Setting a name twice keeps the last. */
    public static final class Builder {
        private final Map<String, String> vars;

        private Builder(Map<String, String> initial) {
            this.vars = new TreeMap<>(initial);
        }

        public Builder set(String name, String value) {
            if (!ConfigLoader.isConfigKey(name)) {
                throw new IllegalArgumentException(name + ": not a configuration variable");
            }
            if (value == null || (name.startsWith("ENROOT_") && EnrootBoolean.isFalsy(value))) {
                vars.remove(name);
            } else {
                vars.put(name, value);
            }
            return this;
        }

        /** Sets a boolean the way enroot's command line does ({@code y}) or removes it. */
        public Builder flag(String name, boolean on) {
            return set(name, on ? "y" : null);
        }

        public RuntimeConfig build() {
            for (String p : ConfigLoader.PATH_KEYS) {
                String v = vars.get(p);
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException(p + " is not set");
                }
                if (!v.startsWith("/")) {
                    throw new IllegalArgumentException(p + "=" + v + ": must be an absolute path");
                }
            }
            for (String k : ConfigLoader.NUMBER_KEYS) {
                String v = vars.get(k);
                if (v != null && !v.matches("[0-9]{1,9}")) {
                    throw new IllegalArgumentException(k + "=" + v + ": must be a non-negative number");
                }
            }
            String mode = vars.getOrDefault("SQUASHROOT_MOUNT_MODE", "fuse");
            vars.put("SQUASHROOT_MOUNT_MODE", MountMode.parse(mode, "SQUASHROOT_MOUNT_MODE").word());
            return new RuntimeConfig(vars);
        }
    }
}
