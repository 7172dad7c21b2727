package io.squashroot.cli.slurm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads pyxis's {@code --container-*} options, then fills what the command line left unset from the
 * PYXIS_CONTAINER_* environment variables, with pyxis's rules: a value option given twice must repeat
 * the same value; a flag and its negation together are an error; mounts and env names accumulate;
 * a boolean environment value that is not 1/true/yes/y/0/false/no/n is ignored.
 */
final class ContainerOptionParser {

    /** Options that take a value. */
    static final Set<String> VALUE_OPTIONS = Set.of(
            "container-image", "container-mounts", "container-workdir", "container-name",
            "container-save", "container-env", "container-mount-mode");

    /** Options that take no value. */
    static final Set<String> FLAG_OPTIONS = Set.of(
            "container-mount-home", "no-container-mount-home",
            "container-remap-root", "no-container-remap-root",
            "container-entrypoint", "no-container-entrypoint", "container-entrypoint-log",
            "container-writable", "container-readonly", "container-insecure-registry");

    /** Pyxis options squashroot does not offer; named so the user gets a clear message. */
    static final Set<String> UNSUPPORTED = Set.of("container-unshare");

    private String image;
    private String name;
    private NameMode nameMode = NameMode.AUTO;
    private final List<MountEntry> mounts = new ArrayList<>();
    private String workdir;
    private String save;
    private Boolean mountHome;
    private Boolean remapRoot;
    private Boolean entrypoint;
    private Boolean entrypointLog;
    private Boolean writable;
    private final Set<String> env = new LinkedHashSet<>();
    private String mountMode;
    private boolean insecureRegistry;

    /** True when {@code name} (without dashes) is one of ours. */
    static boolean isContainerOption(String name) {
        return VALUE_OPTIONS.contains(name) || FLAG_OPTIONS.contains(name) || UNSUPPORTED.contains(name);
    }

    /**
     * Parses options of the form {@code --name=value} or {@code --flag}, then applies {@code environ}'s
     * PYXIS_CONTAINER_* defaults (pass an empty map to apply none).
     */
    static ContainerOptions parse(List<String> options, Map<String, String> environ) {
        ContainerOptionParser p = new ContainerOptionParser();
        for (String option : options) {
            if (!option.startsWith("--")) {
                throw new OptionException("not a container option: " + option);
            }
            int eq = option.indexOf('=');
            String key = eq < 0 ? option.substring(2) : option.substring(2, eq);
            String value = eq < 0 ? null : option.substring(eq + 1);
            p.apply(key, value);
        }
        p.applyEnvironment(environ);
        return p.build();
    }

    private void apply(String key, String value) {
        if (UNSUPPORTED.contains(key)) {
            throw new OptionException("--" + key + " is not supported by squashroot-srun");
        }
        if (VALUE_OPTIONS.contains(key)) {
            if (value == null || value.isEmpty()) {
                throw new OptionException("--" + key + ": argument required");
            }
        } else if (FLAG_OPTIONS.contains(key)) {
            if (value != null) {
                throw new OptionException("--" + key + " takes no argument");
            }
        } else {
            throw new OptionException("unknown container option: --" + key);
        }
        switch (key) {
            case "container-image" -> image = once(key, image, value);
            case "container-workdir" -> workdir = once(key, workdir, value);
            case "container-save" -> {
                if (value.endsWith("/")) {
                    throw new OptionException("--container-save: target is a directory: " + value);
                }
                save = once(key, save, value);
            }
            case "container-name" -> setName(value);
            case "container-mounts" -> {
                for (MountEntry m : MountEntry.parseList(value)) {
                    if (!mounts.contains(m)) {
                        mounts.add(m);
                    }
                }
            }
            case "container-env" -> {
                for (String n : value.split(",", -1)) {
                    if (n.isEmpty()) {
                        throw new OptionException("--container-env: invalid format: " + value);
                    }
                    env.add(n);
                }
            }
            case "container-mount-mode" -> {
                if (!value.equals("fuse") && !value.equals("extract")) {
                    throw new OptionException("--container-mount-mode: must be \"fuse\" or \"extract\": " + value);
                }
                mountMode = once(key, mountMode, value);
            }
            case "container-mount-home" -> mountHome = bool(mountHome, true, "--container-mount-home", "--no-container-mount-home");
            case "no-container-mount-home" -> mountHome = bool(mountHome, false, "--container-mount-home", "--no-container-mount-home");
            case "container-remap-root" -> remapRoot = bool(remapRoot, true, "--container-remap-root", "--no-container-remap-root");
            case "no-container-remap-root" -> remapRoot = bool(remapRoot, false, "--container-remap-root", "--no-container-remap-root");
            case "container-entrypoint" -> entrypoint = bool(entrypoint, true, "--container-entrypoint", "--no-container-entrypoint");
            case "no-container-entrypoint" -> entrypoint = bool(entrypoint, false, "--container-entrypoint", "--no-container-entrypoint");
            case "container-entrypoint-log" -> entrypointLog = true;
            case "container-writable" -> writable = bool(writable, true, "--container-writable", "--container-readonly");
            case "container-readonly" -> writable = bool(writable, false, "--container-writable", "--container-readonly");
            case "container-insecure-registry" -> insecureRegistry = true;
            default -> throw new AssertionError(key);
        }
    }

    private void setName(String value) {
        int colon = value.indexOf(':');
        String n = colon < 0 ? value : value.substring(0, colon);
        NameMode mode = NameMode.parse(colon < 0 ? "" : value.substring(colon + 1));
        if (n.isEmpty()) {
            throw new OptionException("--container-name: empty name");
        }
        if (n.contains("/") || n.equals(".") || n.equals("..")) {
            throw new OptionException("--container-name: invalid name: " + n);
        }
        if (name != null && !(name.equals(n) && nameMode == mode)) {
            throw new OptionException("--container-name specified multiple times");
        }
        name = n;
        nameMode = mode;
    }

    private static String once(String key, String current, String value) {
        if (current != null && !current.equals(value)) {
            throw new OptionException("--" + key + " specified multiple times");
        }
        return value;
    }

    private static Boolean bool(Boolean current, boolean value, String yes, String no) {
        if (current != null && current != value) {
            throw new OptionException("both " + yes + " and " + no + " were specified");
        }
        return value;
    }

    private void applyEnvironment(Map<String, String> environ) {
        String v;
        if (image == null && (v = environ.get("PYXIS_CONTAINER_IMAGE")) != null) {
            apply("container-image", v);
        }
        if (mounts.isEmpty() && (v = environ.get("PYXIS_CONTAINER_MOUNTS")) != null) {
            apply("container-mounts", v);
        }
        if (workdir == null && (v = environ.get("PYXIS_CONTAINER_WORKDIR")) != null) {
            apply("container-workdir", v);
        }
        if (name == null && (v = environ.get("PYXIS_CONTAINER_NAME")) != null) {
            apply("container-name", v);
        }
        if (save == null && (v = environ.get("PYXIS_CONTAINER_SAVE")) != null) {
            apply("container-save", v);
        }
        if (mountHome == null) {
            mountHome = parseBool(environ.get("PYXIS_CONTAINER_MOUNT_HOME"));
        }
        if (remapRoot == null) {
            remapRoot = parseBool(environ.get("PYXIS_CONTAINER_REMAP_ROOT"));
        }
        if (entrypoint == null) {
            entrypoint = parseBool(environ.get("PYXIS_CONTAINER_ENTRYPOINT"));
        }
        if (entrypointLog == null) {
            entrypointLog = parseBool(environ.get("PYXIS_CONTAINER_ENTRYPOINT_LOG"));
        }
        if (writable == null) {
            writable = parseBool(environ.get("PYXIS_CONTAINER_WRITABLE"));
        }
        if (writable == null) {
            Boolean readonly = parseBool(environ.get("PYXIS_CONTAINER_READONLY"));
            writable = readonly == null ? null : !readonly;
        }
        if (env.isEmpty() && (v = environ.get("PYXIS_CONTAINER_ENV")) != null) {
            apply("container-env", v);
        }
        if (mountMode == null && (v = environ.get("SQUASHROOT_CONTAINER_MOUNT_MODE")) != null) {
            apply("container-mount-mode", v);
        }
    }

    /** Pyxis's parse_bool: null for an absent or unrecognised value. */
    static Boolean parseBool(String s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "1", "true", "yes", "y" -> Boolean.TRUE;
            case "0", "false", "no", "n" -> Boolean.FALSE;
            default -> null;
        };
    }

    private ContainerOptions build() {
        return new ContainerOptions(image, name, nameMode, mounts, workdir, save, mountHome, remapRoot,
                entrypoint, entrypointLog, writable, new ArrayList<>(env), mountMode, insecureRegistry);
    }
}
