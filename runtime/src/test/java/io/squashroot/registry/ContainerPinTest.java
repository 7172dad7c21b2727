package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Container pins in the layer cache: their file format and what prune does with them. */
class ContainerPinTest {

    @TempDir
    Path tmp;

    private static Digest digest(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A cache with one image of two layers, its config and configuration layer; returns its record. */
    private static ImageRecord fill(LayerCache c) throws IOException {
        Digest l1 = digest("layer1");
        Digest l2 = digest("layer2");
        Digest cfg = digest("config");
        for (Digest d : List.of(l1, l2)) {
            Files.writeString(c.layerPath(d), "image of " + d);
            Files.writeString(c.layerMetaPath(d), new LayerCache.LayerMeta(d, 1, 1, "00", "x").toJson());
        }
        Files.writeString(c.configPath(cfg), "{}");
        Files.writeString(c.rcPath("rckey"), "rc");
        return new ImageRecord("docker://r#x/y:1", "linux/amd64", digest("manifest"), cfg, List.of(l1, l2), "rckey", null);
    }

    @Test
    void pin_roundTripsThroughItsJson() throws IOException {
        LayerCache c = LayerCache.open(tmp.resolve("cache"));
        ContainerPin pin = new ContainerPin(tmp.resolve("data/../data/box"), fill(c));
        Path f = c.pinPath(ContainerPin.key(tmp.resolve("data/box")));
        Files.write(f, pin.toJson());
        ContainerPin back = ContainerPin.read(f);
        assertEquals(tmp.resolve("data/box"), back.owner());
        assertEquals(pin.image(), back.image());
        Files.writeString(f, "{\"owner\":\"/x\"}");
        IOException e = assertThrows(IOException.class, () -> ContainerPin.read(f));
        assertTrue(e.getMessage().startsWith(f + ": corrupt container pin"), e.getMessage());
    }

    @Test
    void prune_keepsEntriesOfPinWhoseContainerExists_andDropsPinOfRemovedContainer() throws IOException {
        LayerCache c = LayerCache.open(tmp.resolve("cache"));
        ImageRecord rec = fill(c);
        Path owner = Files.createDirectories(tmp.resolve("data/box"));
        Files.write(c.pinPath(ContainerPin.key(owner)), new ContainerPin(owner, rec).toJson());

        c.prune(Instant.now().plusSeconds(1)); // everything older than now, unless pinned
        for (Digest d : rec.layers()) {
            assertTrue(Files.isRegularFile(c.layerPath(d)), "pinned layer kept: " + d);
        }
        assertTrue(Files.isRegularFile(c.configPath(rec.config())));
        assertTrue(Files.isRegularFile(c.rcPath(rec.rcKey())));

        Files.delete(owner); // the container went without squashroot (rm -rf, gc)
        assertTrue(c.prune(Instant.now().plusSeconds(1)) > 0);
        assertFalse(Files.exists(c.pinPath(ContainerPin.key(owner))));
        for (Digest d : rec.layers()) {
            assertFalse(Files.exists(c.layerPath(d)), "unpinned layer pruned: " + d);
        }
    }
}
