package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    @TempDir
    Path dir;

    @Test
    void unpacksBothLibraries_andReplacesOneLeftByAnOlderJar() throws Exception {
        Files.write(dir.resolve(NativeLibraries.ZSTD_FILE), new byte[] {1, 2, 3});
        NativeLibraries.unpackAll(dir);
        for (String f : new String[] {NativeLibraries.ZSTD_FILE, NativeLibraries.JFFI_FILE}) {
            byte[] b = Files.readAllBytes(dir.resolve(f));
            assertTrue(b.length > 4096, f + ": " + b.length + " bytes");
            assertArrayEquals(ELF, Arrays.copyOf(b, 4), f + " is not an ELF file");
        }
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }
}
