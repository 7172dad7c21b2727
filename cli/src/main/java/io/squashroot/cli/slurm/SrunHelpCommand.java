package io.squashroot.cli.slurm;

import picocli.CommandLine.Command;

/** {@code squashroot srun-help}: the container options of squashroot-srun (before srun's own help). */
@Command(name = "srun-help", hidden = true, description = "Describe squashroot-srun's container options.")
public final class SrunHelpCommand implements Runnable {

    static final String TEXT = """
            Usage: squashroot-srun [srun options] [container options] COMMAND [ARGS...]

            Container options (pyxis's, with the same syntax, defaults and PYXIS_CONTAINER_* variables):
              --container-image=[USER@][REGISTRY#]IMAGE[:TAG]|PATH
                                    image for the container: a docker image (enroot URI) or the path
                                    of a squashfs file on the node (starting with . or /)
              --container-mounts=SRC[:DST[:FLAGS]][,SRC[:DST[:FLAGS]]...]
                                    bind mounts in the container; SRC is a path, "tmpfs" or "umount";
                                    FLAGS are joined with "+", e.g. "ro+rprivate"
              --container-workdir=PATH
                                    working directory inside the container
              --container-name=NAME[:auto|create|exec|no_exec]
                                    keep the container under this name (pyxis_NAME) and reuse it
              --container-save=PATH save the container's filesystem to a squashfs file after the step
              --[no-]container-mount-home
                                    bind mount (or not) the user's home directory
              --[no-]container-remap-root
                                    be (or not) root inside the container (no privilege on the host)
              --[no-]container-entrypoint
                                    run (or not) the image's entrypoint
              --container-entrypoint-log
                                    show the entrypoint's output
              --container-writable / --container-readonly
                                    writable or read-only container filesystem
              --container-env=NAME[,NAME...]
                                    keep the host's values of these variables over the image's
            squashroot's own:
              --container-mount-mode=fuse|extract
                                    mount the image in place (fuse) or unpack it (extract)
              --container-insecure-registry
                                    allow plain HTTP / unverified TLS for the image's registry

            Every other option goes to srun unchanged. The tasks of a step on one node share one
            container and one image mount. Node settings: /etc/squashroot/slurm.conf.
            """;

    @Override
    public void run() {
        System.out.print(TEXT);
    }
}
