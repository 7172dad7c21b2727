package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    private static void check(String uri, String user, String registry, String repo, String ref) {
        assertEquals(new ImageReference(user, registry, repo, ref), ImageReference.parse(uri), uri);
    }

    private static final String D = "sha256:" + "ab".repeat(32);

    @Test
    void parsesEnrootHashForm() {
        check("docker://nvcr.io#nvidia/pytorch:25.06-py3", null, "nvcr.io", "nvidia/pytorch", "25.06-py3");
        check("docker://joe@nvcr.io#nvidia/cuda", "joe", "nvcr.io", "nvidia/cuda", "latest");
        check("docker://127.0.0.1:5000#test/busybox@" + D, null, "127.0.0.1:5000", "test/busybox", D);
        check("docker://r.example#a/b:t@" + D, null, "r.example", "a/b", D);
    }

    @Test
    void parsesDockerSlashForm_registryOnlyWithDotOrColon() {
        check("docker://localhost:5000/test/busybox:latest", null, "localhost:5000", "test/busybox", "latest");
        check("docker://ghcr.io/org/img@" + D, null, "ghcr.io", "org/img", D);
        check("docker://nvidia/cuda:12.4.1-base", null, "registry-1.docker.io", "nvidia/cuda", "12.4.1-base");
        check("docker://$oauthtoken@nvcr.io/nvidia/pytorch:24.01-py3", "$oauthtoken", "nvcr.io", "nvidia/pytorch", "24.01-py3");
    }

    @Test
    void appliesDockerHubDefaults() {
        check("docker://ubuntu", null, "registry-1.docker.io", "library/ubuntu", "latest");
        check("docker://ubuntu:24.04", null, "registry-1.docker.io", "library/ubuntu", "24.04");
        check("docker://docker.io#ubuntu", null, "registry-1.docker.io", "library/ubuntu", "latest");
        check("docker://index.docker.io/library/alpine:3", null, "registry-1.docker.io", "library/alpine", "3");
        check("docker://alpine@" + D, null, "registry-1.docker.io", "library/alpine", D);
    }

    @Test
    void givesEnrootDefaultOutputNames() {
        assertEquals("ubuntu+24.04.sqsh", ImageReference.parse("docker://ubuntu:24.04").defaultOutputName());
        assertEquals("nvidia+pytorch+25.06-py3.sqsh",
                ImageReference.parse("docker://nvcr.io#nvidia/pytorch:25.06-py3").defaultOutputName());
        assertEquals("test+busybox+latest.sqsh",
                ImageReference.parse("docker://127.0.0.1:5000/test/busybox").defaultOutputName());
    }

    @Test
    void rejectsMalformedUris_namingThem() {
        for (String bad : new String[] {"docker://", "docker://a/B", "docker://a#b#c", "docker://with space"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(bad));
            assertEquals("Invalid image reference: " + bad, e.getMessage());
        }
    }

    @Test
    void writesProvenanceUri_inHashForm() {
        assertEquals("docker://registry-1.docker.io#library/ubuntu:24.04", ImageReference.parse("docker://ubuntu:24.04").uri());
    }
}
