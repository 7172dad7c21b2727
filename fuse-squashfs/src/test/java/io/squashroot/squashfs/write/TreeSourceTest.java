package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images written from an FsTree, and layers flattened with whiteouts applied. */
class TreeSourceTest {
    @TempDir
    Path dir;

    private static SquashfsWriter writer() {
        return SquashfsWriter.builder(Map.of()).mkfsTime(SampleTree.TIME).threads(2).build();
    }

    @Test
    void treeImageExtractsToSource() throws Exception {
        Path src = dir.resolve("src");
        SampleTree.create(src);
        Files.delete(src.resolve("dev/sock")); // both sides see it, but keep the tree small and plain
        Path image = dir.resolve("tree.sqsh");
        writer().writeTree(new HostTree(src), image);
        Path out = dir.resolve("x");
        Tools.unsquashfs(image, out);
        assertEquals(Snapshot.of(src, true), Snapshot.of(out, true));
    }

    @Test
    void flattenAppliesWhiteoutsAndOpaqueDirs_ofBothStyles() throws Exception {
        Path l1 = dir.resolve("l1");
        Path l2 = dir.resolve("l2");
        Path l3 = dir.resolve("l3");
        for (String f : List.of("etc/motd", "etc/keep", "var/cache/old", "opt/a/x", "tmp/gone")) {
            Files.createDirectories(l1.resolve(f).getParent());
            Files.writeString(l1.resolve(f), "lower " + f);
        }
        Files.createDirectories(l2.resolve("etc"));
        Tools.run("mknod", l2.resolve("etc/motd").toString(), "c", "0", "0");       // overlayfs whiteout
        Files.createDirectories(l2.resolve("var/cache"));
        Tools.run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", l2.resolve("var/cache").toString());
        Files.writeString(l2.resolve("var/cache/new"), "upper");
        Files.createDirectories(l2.resolve("tmp"));
        Files.writeString(l2.resolve("tmp/.wh.gone"), "");                           // OCI whiteout
        Files.createDirectories(l3.resolve("opt/a"));
        Files.createDirectories(l3.resolve("etc"));
        Files.writeString(l3.resolve("opt/a/.wh..wh..opq"), "");                     // OCI opaque
        Files.writeString(l3.resolve("opt/a/y"), "top");
        Files.writeString(l3.resolve("etc/keep2"), "new");
        Path image = dir.resolve("flat.sqsh");
        writer().writeFlattened(List.of(new HostTree(l1), new HostTree(l2), new HostTree(l3)), image);
        Path out = dir.resolve("flat");
        Tools.unsquashfs(image, out);
        String names = Tools.run("find", out.toString(), "-mindepth", "1", "-printf", "%P\\n");
        assertEquals(List.of("etc", "etc/keep", "etc/keep2", "opt", "opt/a", "opt/a/y", "tmp", "var", "var/cache",
                "var/cache/new"), names.lines().sorted().toList());
        assertEquals(null, io.squashroot.host.HostXattrs.read(out.resolve("var/cache")), "opaque marker not kept");
        assertEquals("lower etc/keep", Files.readString(out.resolve("etc/keep")));
    }
}
