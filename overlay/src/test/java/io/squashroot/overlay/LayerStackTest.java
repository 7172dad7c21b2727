package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lookup and listing through three lower layers, markers in the middle one. */
class LayerStackTest {
    @TempDir
    Path tmp;

    private Overlay stack() throws Exception {
        Path top = Files.createDirectories(tmp.resolve("top"));
        Path mid = Files.createDirectories(tmp.resolve("mid"));
        Path bottom = Files.createDirectories(tmp.resolve("bottom"));
        for (Path p : List.of(top, mid, bottom)) {
            Files.createDirectories(p.resolve("d"));
            Files.writeString(p.resolve("d/" + p.getFileName()), p.getFileName().toString());
        }
        Files.writeString(bottom.resolve("gone"), "bottom");
        Files.writeString(mid.resolve(".wh.gone"), "");           // OCI whiteout in the middle
        Files.writeString(top.resolve("gone"), "back on top");   // ... but the top shows it again
        Files.createDirectories(bottom.resolve("o/deep"));
        Files.createDirectories(mid.resolve("o"));
        Files.writeString(mid.resolve("o/.wh..wh..opq"), "");     // opaque middle directory
        Files.writeString(mid.resolve("o/m"), "m");
        Files.createDirectories(top.resolve("o"));
        Files.writeString(top.resolve("o/t"), "t");
        Files.createDirectories(bottom.resolve("x"));
        Files.writeString(bottom.resolve("x/under"), "u");
        Files.writeString(mid.resolve("x"), "file hides the directory below");
        List<FsTree> lowers = List.of(DirectoryTree.of(top), DirectoryTree.of(mid), DirectoryTree.of(bottom));
        return Overlay.open(lowers, Files.createDirectories(tmp.resolve("upper")));
    }

    private static List<String> list(Overlay o, String path) throws FsException {
        List<String> names = new ArrayList<>();
        o.readdir(path, (n, a) -> names.add(n));
        return names.subList(2, names.size()).stream().sorted().toList();
    }

    @Test
    void readdir_mergesThreeLayers() throws Exception {
        assertEquals(List.of("bottom", "mid", "top"), list(stack(), "/d"));
    }

    @Test
    void lookup_entryAboveWhiteout_isVisible() throws Exception {
        Overlay o = stack();
        assertEquals("back on top".length(), o.getattr("/gone").size());
    }

    @Test
    void opaqueMiddleDirectory_hidesOnlyLayersBelowIt() throws Exception {
        Overlay o = stack();
        assertEquals(List.of("m", "t"), list(o, "/o"));
        assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> o.getattr("/o/deep")).errno());
    }

    @Test
    void fileInMiddleLayer_hidesDirectoryBelow() throws Exception {
        Overlay o = stack();
        assertTrue(o.getattr("/x").isRegular());
        assertEquals(Errno.ENOTDIR, assertThrows(FsException.class, () -> o.getattr("/x/under")).errno());
    }

    @Test
    void rmdir_directoryWithEntriesInLowerLayers_isNotEmpty() throws Exception {
        Overlay o = stack();
        o.unlink("/d/top");
        o.unlink("/d/mid");
        assertEquals(Errno.ENOTEMPTY, assertThrows(FsException.class, () -> o.rmdir("/d")).errno());
        o.unlink("/d/bottom");
        o.rmdir("/d");
        assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> o.getattr("/d")).errno());
    }

    @Test
    void inodes_differAcrossLayers_forDifferentFiles() throws Exception {
        Overlay o = stack();
        long a = o.getattr("/d/top").ino();
        long b = o.getattr("/d/mid").ino();
        long c = o.getattr("/d/bottom").ino();
        assertEquals(3, java.util.Set.of(a, b, c).size());
    }
}
