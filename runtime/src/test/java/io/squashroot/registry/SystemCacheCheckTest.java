package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The system cache's digest check and the stamps that spare a second hash of the same file. */
class SystemCacheCheckTest {

    @TempDir
    Path tmp;

    /** A system cache holding one "layer image" with its metadata; returns the layer's digest. */
    private static Digest layer(LayerCache system, String content) throws IOException {
        Digest d = Digest.of(("blob of " + content).getBytes(StandardCharsets.UTF_8));
        Files.writeString(system.layerPath(d), content);
        String sha = LayerCache.sha256Of(system.layerPath(d));
        Files.writeString(system.layerMetaPath(d),
                new LayerCache.LayerMeta(d, 1, content.length(), sha, "x").toJson());
        return d;
    }

    @Test
    void verified_stampsHashedFile_andRejectsSameSizeChangeWithMtimeRestored() throws IOException {
        LayerCache system = LayerCache.open(tmp.resolve("system"));
        LayerCache user = LayerCache.open(tmp.resolve("user"));
        Digest d = layer(system, "layer image bytes, version one");
        assertEquals(system.layerPath(d), SystemCacheCheck.verified(system, user, d));
        String stamp = Files.readString(user.verifiedPath(d));
        assertTrue(stamp.startsWith(system.layerPath(d).toAbsolutePath() + " "), stamp);

        // Same length, mtime put back: only the ctime tells this version from the hashed one.
        Path p = system.layerPath(d);
        FileTime mtime = Files.getLastModifiedTime(p);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(8);
            f.write('X');
        }
        Files.setLastModifiedTime(p, mtime);
        assertNull(SystemCacheCheck.verified(system, user, d));
        assertEquals(stamp, Files.readString(user.verifiedPath(d)), "a failed check leaves the stamp alone");
    }

    @Test
    void verified_refusesLayerWhoseMetadataNamesAnotherBlob() throws IOException {
        LayerCache system = LayerCache.open(tmp.resolve("system"));
        LayerCache user = LayerCache.open(tmp.resolve("user"));
        Digest d = layer(system, "content");
        Digest other = Digest.of("other".getBytes(StandardCharsets.UTF_8));
        Files.writeString(system.layerMetaPath(d), new LayerCache.LayerMeta(other, 1, 7,
                LayerCache.sha256Of(system.layerPath(d)), "x").toJson());
        assertNull(SystemCacheCheck.verified(system, user, d));
    }
}
