package io.squashroot.cli.slurm;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --container-*} options of one squashroot-srun call, resolved against the PYXIS_CONTAINER_*
 * environment defaults. {@code null} in a Boolean means "not given": the node's configuration decides,
 * as in pyxis.
 */
record ContainerOptions(
        String image,
        String name,
        NameMode nameMode,
        List<MountEntry> mounts,
        String workdir,
        String save,
        Boolean mountHome,
        Boolean remapRoot,
        Boolean entrypoint,
        Boolean entrypointLog,
        Boolean writable,
        List<String> env,
        String mountMode,
        boolean insecureRegistry) {

    ContainerOptions {
        mounts = List.copyOf(mounts);
        env = List.copyOf(env);
    }

    /** True when the step runs in a container: an image or a container name was given. */
    boolean enabled() {
        return image != null || name != null;
    }

    /** True when the image is a squashfs file (pyxis: the value starts with '.' or '/'). */
    boolean imageIsFile() {
        return image != null && MountEntry.isPath(image);
    }

    /** The image as a URI for {@code import}: pyxis prefixes docker:// unless a scheme is given. */
    String imageUri() {
        if (image.startsWith("docker://") || image.startsWith("dockerd://")) {
            return image;
        }
        return "docker://" + image;
    }

    /** The registry of a docker image, {@code [USER@][REGISTRY#]IMAGE[:TAG]}: docker.io when none is given. */
    String registry() {
        String ref = image.replaceFirst("^dockerd?://", "");
        int hash = ref.indexOf('#');
        if (hash < 0) {
            return "docker.io";
        }
        String reg = ref.substring(0, hash);
        return reg.substring(reg.indexOf('@') + 1);
    }

    /**
     * The options written back in pyxis's syntax, explicit and complete, so the task entry on the
     * nodes parses exactly what the submit side resolved (the environment defaults are applied once).
     */
    List<String> toArguments() {
        List<String> out = new ArrayList<>();
        if (image != null) {
            out.add("--container-image=" + image);
        }
        if (name != null) {
            out.add("--container-name=" + name + ":" + nameMode.flag());
        }
        if (!mounts.isEmpty()) {
            out.add("--container-mounts=" + String.join(",", mounts.stream().map(MountEntry::toOption).toList()));
        }
        if (workdir != null) {
            out.add("--container-workdir=" + workdir);
        }
        if (save != null) {
            out.add("--container-save=" + save);
        }
        flag(out, mountHome, "container-mount-home");
        flag(out, remapRoot, "container-remap-root");
        flag(out, entrypoint, "container-entrypoint");
        if (Boolean.TRUE.equals(entrypointLog)) {
            out.add("--container-entrypoint-log");
        }
        if (writable != null) {
            out.add(writable ? "--container-writable" : "--container-readonly");
        }
        if (!env.isEmpty()) {
            out.add("--container-env=" + String.join(",", env));
        }
        if (mountMode != null) {
            out.add("--container-mount-mode=" + mountMode);
        }
        if (insecureRegistry) {
            out.add("--container-insecure-registry");
        }
        return out;
    }

    private static void flag(List<String> out, Boolean value, String name) {
        if (value != null) {
            out.add(value ? "--" + name : "--no-" + name);
        }
    }
}
