package io.squashroot.squashfs.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OCI layer tars become layer images in the overlayfs format (docs/layer-format.md). */
class LayerTest {
    @TempDir
    Path dir;

    @Test
    void whiteoutsBecomeCharDevice00_andOpaqueBecomesXattr() throws Exception {
        Path image = dir.resolve("layer.sqsh");
        SquashfsWriter.builder(Map.of()).threads(1).build().writeLayer(new TarBuilder()
                .dir("etc").file("etc/.wh.motd", "").dir("var/cache").file("var/cache/.wh..wh..opq", "")
                .file("var/cache/new", "n").stream(), image);
        Path out = dir.resolve("x");
        Tools.unsquashfs(image, out);
        Map<String, Object> a = Files.readAttributes(out.resolve("etc/motd"), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0020000, (Integer) a.get("mode") & 0170000, "whiteout is a character device");
        assertEquals(0L, a.get("rdev"));
        assertFalse(Files.exists(out.resolve("etc/.wh.motd"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(out.resolve("var/cache/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(new byte[] {'y'}, io.squashroot.host.HostXattrs.read(out.resolve("var/cache")).get("trusted.overlay.opaque"));
        assertTrue(Files.exists(out.resolve("var/cache/new")));
    }

    @Test
    void warnsAndDropsXattr_outsideStorableNamespaces() throws Exception {
        TarBuilder tar = new TarBuilder().xattrFile("f", "system.posix_acl_access", "x", "user.ok", "1");
        SquashfsWriter.Result r = SquashfsWriter.builder(Map.of()).threads(1).build().writeTar(tar.stream(),
                dir.resolve("x.sqsh"));
        assertEquals(java.util.List.of("tar entry 'f': xattr system.posix_acl_access cannot be stored in SquashFS "
                + "(only user., trusted., security.)"), r.warnings());
        Path out = dir.resolve("xo");
        Tools.unsquashfs(dir.resolve("x.sqsh"), out);
        assertEquals(java.util.Set.of("user.ok"), io.squashroot.host.HostXattrs.read(out.resolve("f")).keySet());
    }

    @Test
    void writeTarKeepsWhiteoutFilesVerbatim() throws Exception {
        Path image = dir.resolve("plain.sqsh");
        SquashfsWriter.builder(Map.of()).threads(1).build().writeTar(new TarBuilder()
                .file("etc/.wh.motd", "").stream(), image);
        assertTrue(Tools.listing(image).contains("squashfs-root/etc/.wh.motd"));
    }
}
