package io.squashroot.cli;

import io.squashroot.runtime.Containers;
import io.squashroot.runtime.config.MountMode;
import io.squashroot.runtime.config.RuntimeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code create [-n NAME] [-f] [--mount-mode fuse|extract] IMAGE}, as {@code enroot create}. */
@Command(name = "create", sortOptions = false,
        description = {"Create a container from a container image.",
                "extract mode unsquashes the image into $ENROOT_DATA_PATH/NAME (as enroot);",
                "fuse mode keeps only the container's own changes there and mounts the image",
                "at each start; for an image URI (docker://...) it mounts the image's layer",
                "images from the layer cache (no flat image) and keeps them from being pruned."})
final class CreateCommand implements Callable<Integer> {
    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Name of the container (defaults to \"IMAGE\")")
    String name;

    @Option(names = {"-f", "--force"}, description = "Overwrite an existing container")
    boolean force;

    @Option(names = "--mount-mode", paramLabel = "MODE",
            description = "fuse or extract (default: $SQUASHROOT_MOUNT_MODE, else fuse)")
    String mountMode;

    @Parameters(paramLabel = "IMAGE", description = "SquashFS image (.sqsh) or image URI (docker://..., see import)")
    String image;

    @Override
    public Integer call() throws Exception {
        RuntimeConfig cfg = RuntimeSettings.load();
        if (force) {
            cfg = cfg.toBuilder().flag("ENROOT_FORCE_OVERRIDE", true).build();
        }
        MountMode m = mountMode == null ? null : MountMode.parse(mountMode, "--mount-mode");
        if (io.squashroot.registry.ImageStore.isImageUri(image)) {
            String n = name != null && !name.isEmpty() ? name : ImageUris.containerName(image);
            Containers.open(cfg).createFromImage(image, n, m, ProgressPrinter.forStderr(), System.err);
            return 0;
        }
        Containers.open(cfg).create(Path.of(image), name, m, System.err);
        return 0;
    }
}
