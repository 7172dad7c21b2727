package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The format packages (io.squashroot.squashfs and .write) must not depend on the FUSE binding,
 * native bindings (jnr, jffi), the CLI or the runtime (design.md, style.md). The writer's "any tree" source uses the neutral
 * tree interface in io.squashroot.tree, which is allowed. Checked on the compiled classes: every class a
 * class file refers to is named in its constant pool as an internal name ("jnr/ffi/Pointer"),
 * so a scan of the pool's bytes finds imports, fully qualified uses and signatures alike.
 */
class FormatIsolationTest {
    private static final List<String> FORBIDDEN = List.of("jnr/", "com/kenai/", "picocli/", "io/squashroot/fuse/",
            "io/squashroot/overlay/", "io/squashroot/runtime/", "io/squashroot/cli/", "io/squashroot/registry/",
            "io/squashroot/extract/");

    @Test
    void formatPackages_referenceNoFuseCliOrRuntimeClass() throws Exception {
        Path classes = classesRoot();
        List<Path> files = new ArrayList<>();
        for (String pkg : List.of("io/squashroot/squashfs", "io/squashroot/squashfs/write")) {
            Path dir = classes.resolve(pkg);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
                }
            }
        }
        assertTrue(files.size() > 10, "found the format classes under " + classes);
        List<String> violations = new ArrayList<>();
        for (Path f : files) {
            String pool = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (String bad : FORBIDDEN) {
                if (pool.contains(bad)) {
                    violations.add(classes.relativize(f) + " refers to " + bad);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void scan_findsAForbiddenReference_inAClassThatHasOne() throws Exception {
        // The check must be able to fail: the libc binding (outside the format packages) uses jffi.
        Path binding = classesRoot().resolve("io/squashroot/host/CFunction.class");
        String pool = new String(Files.readAllBytes(binding), StandardCharsets.ISO_8859_1);
        assertTrue(pool.contains("com/kenai/"));
    }

    private static Path classesRoot() throws URISyntaxException, IOException {
        return Path.of(SquashfsImage.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
