package io.squashroot.cli;

import io.squashroot.registry.ImageReference;
import io.squashroot.registry.ImageStore;
import io.squashroot.registry.Platform;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code import [-o FILE] [-a ARCH] URI}, as {@code enroot import}, through the layer cache. */
@Command(name = "import", sortOptions = false,
        description = {"Import a container image from a specific location.",
                "",
                " Schemes:",
                "   docker://[USER@][REGISTRY#]IMAGE[:TAG|@DIGEST]  Import a Docker image from a registry",
                "                                  (REGISTRY/IMAGE also works when REGISTRY has a '.' or ':')",
                "   docker-archive:FILE             Import an image saved by 'docker save'",
                "   oci-archive:PATH[:TAG]          Import an OCI image layout (directory or tar)",
                "",
                "Layers are converted once into the layer cache ($SQUASHROOT_CACHE_PATH, default",
                "$ENROOT_CACHE_PATH/squashroot) and reused by later imports; see docs/registries.md for",
                "credentials, ENROOT_ALLOW_HTTP, SQUASHROOT_INSECURE_REGISTRIES and mirrors."})
final class ImportCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Name of the output image file (defaults to \"IMAGE+TAG.sqsh\")")
    Path output;

    @Option(names = {"-a", "--arch"}, paramLabel = "ARCH",
            description = "Architecture of the image (defaults to host architecture); ARCH[/VARIANT]")
    String arch;

    @Parameters(paramLabel = "URI", description = "Image location")
    String uri;

    @Override
    public Integer call() throws Exception {
        if (!ImageStore.isImageUri(uri)) {
            throw new IllegalArgumentException("Invalid image reference: " + uri);
        }
        Platform platform = arch == null ? Platform.host() : Platform.forArch(arch);
        Path out = output != null ? output : Path.of(defaultName(uri));
        ImageStore store = ImageStore.open(RegistryCommands.settings());
        store.importFlat(uri, platform, out, ProgressPrinter.forStderr());
        return 0;
    }

    static String defaultName(String uri) {
        if (ImageReference.isDockerUri(uri)) {
            return ImageReference.parse(uri).defaultOutputName();
        }
        String p = uri.substring(uri.indexOf(':') + 1);
        String base = Path.of(p).getFileName() == null ? "image" : Path.of(p).getFileName().toString();
        return base.replaceAll("\\.(tar|tgz|tar\\.gz)$", "").replace(':', '+') + ".sqsh";
    }
}
