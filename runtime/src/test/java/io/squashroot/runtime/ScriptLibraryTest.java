package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unpacked script library: named by its contents, and found again through a link named after
 * the jar it came from (size and modification time), so a start from an unchanged jar reads no
 * resource.
 */
class ScriptLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void unpack_writesEveryResourceByteForByte_underContentName() throws IOException {
        Path dir = ScriptLibrary.unpack(Files.createDirectories(tmp.resolve("run")), null);
        assertTrue(dir.getFileName().toString().matches("lib-[0-9a-f]{12}"), dir.toString());
        for (String f : ScriptLibrary.FILES) {
            try (InputStream in = ScriptLibrary.class.getResourceAsStream("/io/squashroot/runtime/lib/" + f)) {
                assertArrayEquals(in.readAllBytes(), Files.readAllBytes(dir.resolve(f)), f);
            }
        }
        assertTrue(Files.isExecutable(dir.resolve("start.sh")));
    }

    @Test
    void unpack_followsTheJarLink_withoutUnpackingAgain() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path jar = Files.writeString(tmp.resolve("squashroot.jar"), "stands in for the jar");
        Path first = ScriptLibrary.unpack(run, jar);
        Path link = onlyJarLink(run);
        assertEquals(first.getFileName(), Files.readSymbolicLink(link));

        // Point the link elsewhere: a start that trusts it returns that directory, which proves
        // it did not read and hash the resources to find its own.
        Path other = Files.createDirectories(run.resolve("lib-elsewhere"));
        Files.writeString(other.resolve("start.sh"), "#!/bin/bash\n");
        Files.delete(link);
        Files.createSymbolicLink(link, other.getFileName());
        assertEquals(other, ScriptLibrary.unpack(run, jar));
    }

    @Test
    void unpack_changedJar_getsItsOwnLink() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path jar = Files.writeString(tmp.resolve("squashroot.jar"), "version 1");
        ScriptLibrary.unpack(run, jar);
        Path before = onlyJarLink(run);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));
        Path dir = ScriptLibrary.unpack(run, jar);
        assertEquals(2, jarLinks(run).size());
        assertTrue(Files.isSymbolicLink(before));
        assertTrue(Files.isRegularFile(dir.resolve("start.sh")));
    }

    @Test
    void unpack_linkToRemovedDirectory_unpacksAgainAndRelinks() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path jar = Files.writeString(tmp.resolve("squashroot.jar"), "jar");
        Path first = ScriptLibrary.unpack(run, jar);
        Tree.deleteQuietly(first);
        Path again = ScriptLibrary.unpack(run, jar);
        assertEquals(first, again, "the same contents unpack to the same name");
        assertTrue(Files.isRegularFile(again.resolve("start.sh")));
        assertEquals(again.getFileName(), Files.readSymbolicLink(onlyJarLink(run)));
        assertNotEquals(0, Files.size(again.resolve("start.sh")));
    }

    private static Path onlyJarLink(Path run) throws IOException {
        List<Path> links = jarLinks(run);
        assertEquals(1, links.size(), links.toString());
        return links.get(0);
    }

    private static List<Path> jarLinks(Path run) throws IOException {
        try (var s = Files.list(run)) {
            return s.filter(p -> p.getFileName().toString().startsWith("jar-")).toList();
        }
    }
}
