package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A docker-archive read in place, its layers streamed by parallel threads as an import does. */
class ArchiveSourceTest {

    @TempDir
    Path tmp;

    private static void add(TarArchiveOutputStream t, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        t.putArchiveEntry(e);
        t.write(data);
        t.closeArchiveEntry();
    }

    @Test
    void layersReadInParallel_eachGetsItsOwnBytes() throws Exception {
        Random r = new Random(7);
        List<byte[]> layers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] b = new byte[3 << 20];
            r.nextBytes(b);
            layers.add(b);
            names.add("blobs/sha256/" + Digest.of(b).hex());
        }
        StringBuilder diffIds = new StringBuilder();
        StringBuilder layerList = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            diffIds.append(i > 0 ? "," : "").append('"').append(Digest.of(layers.get(i))).append('"');
            layerList.append(i > 0 ? "," : "").append('"').append(names.get(i)).append('"');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("[{\"Config\":\"config.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[" + layerList + "]}]")
                .getBytes(StandardCharsets.UTF_8);
        Path archive = tmp.resolve("saved.tar");
        try (OutputStream out = Files.newOutputStream(archive); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            add(t, "manifest.json", manifest);
            add(t, "config.json", config);
            for (int i = 0; i < layers.size(); i++) {
                add(t, names.get(i), layers.get(i));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(layers.size());
        try (ArchiveSource src = ArchiveSource.open("docker-archive:" + archive)) {
            List<Descriptor> descs = src.resolve(Platform.forArch("amd64")).layers();
            assertEquals(layers.size(), descs.size());
            for (int round = 0; round < 4; round++) {
                List<Future<byte[]>> reads = new ArrayList<>();
                for (Descriptor d : descs) {
                    reads.add(pool.submit(() -> {
                        // Small reads, as a decompressor makes them: many chances to interleave.
                        ByteArrayOutputStream got = new ByteArrayOutputStream();
                        try (InputStream in = src.openLayer(d, n -> { })) {
                            byte[] buf = new byte[4096];
                            int n;
                            while ((n = in.read(buf)) > 0) {
                                got.write(buf, 0, n);
                            }
                        }
                        return got.toByteArray();
                    }));
                }
                for (int i = 0; i < reads.size(); i++) {
                    assertArrayEquals(layers.get(i), reads.get(i).get(), "layer " + i + " in round " + round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
