package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.squashfs.SquashfsImage;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code squashroot import} and {@code cache} as separate processes against a real registry
 * (Debian's docker-registry over HTTP, started here): as root and as the unprivileged user sqtest.
 */
class ImportCommandTest {

    @TempDir
    static Path tmp;
    static Path regDir;
    static String registry;
    static Path classpath;

    record Run(int status, String out, String err) {
    }

    @BeforeAll
    static void up() throws Exception {
        Path testdata = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(testdata.resolve("testdata/registry"))) {
            testdata = testdata.getParent();
        }
        testdata = testdata.resolve("testdata/registry");
        regDir = tmp.resolve("reg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        script(Map.of("REGISTRY_HTTP_PORT", String.valueOf(port), "REGISTRY_HTTPS_PORT", String.valueOf(port + 1),
                "REGISTRY_TOKEN", "0"), testdata.resolve("registry-up.sh").toString(), regDir.toString());
        registry = "127.0.0.1:" + port;
        script(Map.of("PUSH_ONLY", "busybox:latest whiteout:latest layered-a:latest layered-b:latest"),
                testdata.resolve("make-test-images.sh").toString(), tmp.resolve("img").toString(), registry);
        // sqtest cannot read /root/.m2: give it a copy of the test classpath.
        classpath = tmp.resolve("cp");
        Files.createDirectories(classpath);
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p)) {
                Files.copy(p, classpath.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            } else if (Files.isDirectory(p)) {
                Path dst = classpath.resolve("dir-" + Math.abs(p.toString().hashCode()));
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path f : (Iterable<Path>) s::iterator) {
                        Path t = dst.resolve(p.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        }
        script(Map.of(), "chmod", "-R", "a+rX", tmp.toString());
    }

    @AfterAll
    static void down() throws Exception {
        Path testdata = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(testdata.resolve("testdata/registry"))) {
            testdata = testdata.getParent();
        }
        script(Map.of(), testdata.resolve("testdata/registry/registry-down.sh").toString(), regDir.toString());
    }

    private static void script(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static String cp() throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> s = Files.list(classpath)) {
            s.forEach(p -> entries.add(p.toString()));
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Runs squashroot in a fresh JVM, as {@code user} (null = the test's own), with HOME=home. */
    private static Run squashroot(String user, Path home, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", cp(), "io.squashroot.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("ENROOT_") || k.startsWith("SQUASHROOT_") || k.startsWith("XDG_"));
        e.put("HOME", home.toString());
        e.put("ENROOT_ALLOW_HTTP", "yes");
        e.putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("squashroot " + String.join(" ", args) + " did not finish");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path home(String name, String owner) throws Exception {
        Path h = tmp.resolve(name);
        Files.createDirectories(h);
        if (owner != null) {
            script(Map.of(), "chown", owner + ":" + owner, h.toString());
        }
        return h;
    }

    @Test
    void import_asUnprivilegedUser_writesFlatImageAndPrivateCache() throws Exception {
        Path home = home("home-sqtest", "sqtest");
        Run r = squashroot("sqtest", home, Map.of(), "import", "docker://" + registry + "/test/whiteout:latest");
        assertEquals(0, r.status(), r.err());
        Path out = home.resolve("test+whiteout+latest.sqsh");
        try (SquashfsImage img = SquashfsImage.open(out)) {
            assertFalse(img.lookup("/data/old.txt").isPresent());
            assertTrue(img.lookup("/data/keep.txt").isPresent());
            assertTrue(img.lookup("/etc/rc").isPresent());
        }
        Path cache = home.resolve(".cache/enroot/squashroot");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        assertEquals("sqtest", Files.getOwner(cache).getName());
        assertTrue(r.err().contains("[INFO] layer 4/4 "), r.err());
        assertTrue(r.err().contains(" converted"), r.err());
    }

    @Test
    void twoProcesses_importSameImageAtOnce_shareOneCache() throws Exception {
        Path home = home("home-concurrent", null);
        Map<String, String> env = Map.of("SQUASHROOT_CACHE_PATH", home.resolve("cache").toString());
        List<java.util.concurrent.Future<Run>> runs = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2; i++) {
                String o = "out" + i + ".sqsh";
                runs.add(pool.submit(() -> squashroot(null, home, env, "import", "-o", o,
                        "docker://" + registry + "/test/layered-a:latest")));
            }
            for (java.util.concurrent.Future<Run> f : runs) {
                Run r = f.get();
                assertEquals(0, r.status(), r.err());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Files.size(home.resolve("out0.sqsh")), Files.size(home.resolve("out1.sqsh")));
        try (Stream<Path> s = Files.list(home.resolve("cache/layers"))) {
            assertEquals(3, s.filter(p -> p.toString().endsWith(".sqsh")).count());
        }
        try (Stream<Path> s = Files.list(home.resolve("cache/tmp"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void import_failsWithOneLine_forMissingTagAndExistingOutput() throws Exception {
        Path home = home("home-errors", null);
        Run missing = squashroot(null, home, Map.of(), "import", "docker://" + registry + "/test/busybox:nope");
        assertEquals(1, missing.status());
        assertEquals("squashroot: " + registry + "/test/busybox: manifest nope: not found (HTTP 404)", lastLine(missing.err()));
        Files.writeString(home.resolve("taken.sqsh"), "x");
        Run exists = squashroot(null, home, Map.of(), "import", "-o", "taken.sqsh", "docker://" + registry + "/test/busybox");
        assertEquals(1, exists.status());
        assertEquals("squashroot: " + home.resolve("taken.sqsh") + ": file already exists", lastLine(exists.err()));
        Run bad = squashroot(null, home, Map.of(), "import", "docker://Bad Image");
        assertEquals(1, bad.status());
        assertEquals("squashroot: Invalid image reference: docker://Bad Image\n", bad.err());
        Run noHttp = squashroot(null, home, Map.of("ENROOT_ALLOW_HTTP", "no"), "import", "docker://" + registry + "/test/busybox");
        assertEquals(1, noHttp.status());
        assertTrue(noHttp.err().contains("https://" + registry), noHttp.err());
    }

    private static String lastLine(String s) {
        String[] l = s.strip().split("\n");
        return l[l.length - 1];
    }

    @Test
    void start_imageUri_mountsCachedLayerImagesInFuseMode() throws Exception {
        Path home = home("home-start", null);
        String uri = "docker://" + registry + "/test/layered-a:latest";
        Run fuse = squashroot(null, home, Map.of("SQUASHROOT_MOUNT_MODE", "fuse"), "start", uri);
        assertEquals(0, fuse.status(), fuse.err());
        assertEquals("layer a\n", fuse.out()); // the image's entrypoint /bin/cat and cmd /a.txt
        Path cache = home.resolve(".cache/enroot/squashroot");
        try (Stream<Path> s = Files.list(cache.resolve("flat"))) {
            assertEquals(0, s.count(), "fuse mode needs no flat image");
        }
        Run extract = squashroot(null, home, Map.of(), "start", "--mount-mode", "extract", uri, "/etc/environment"); // entrypoint is /bin/cat
        assertEquals(0, extract.status(), extract.err());
        assertTrue(extract.out().contains("TESTIMAGE=layered-a"), extract.out());
    }

    private static long count(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    /** The manifest digest make-test-images.sh pushed for {@code image} (its images.txt). */
    private static String pushedDigest(String image) throws IOException {
        for (String l : Files.readAllLines(tmp.resolve("img/images.txt"))) {
            if (l.startsWith(registry + "/" + image + " ")) {
                return l.substring(l.indexOf(' ') + 1).strip();
            }
        }
        throw new AssertionError(image + " not in images.txt");
    }

    @Test
    void create_imageUriInFuseMode_startsFromPinnedLayersThatPruneKeeps() throws Exception {
        Path home = home("home-create", null);
        String uri = "docker://" + registry + "/test/layered-b:latest";
        Map<String, String> fuse = Map.of("SQUASHROOT_MOUNT_MODE", "fuse");
        Path cache = home.resolve(".cache/enroot/squashroot");
        Run create = squashroot(null, home, fuse, "create", "-n", "lay", uri);
        assertEquals(0, create.status(), create.err());
        assertEquals(0, count(cache.resolve("flat"), ".sqsh"), "no flat image for a fuse-mode container");
        assertEquals(3, count(cache.resolve("layers"), ".sqsh"));
        assertEquals(1, count(cache.resolve("pins"), ".json"));

        Run write = squashroot(null, home, Map.of(), "start", "--rw", "lay", "sh", "-c", "echo kept > /written.txt; cat /b.txt");
        assertEquals(0, write.status(), write.err());
        assertEquals("layer b\n", write.out());
        // Prune everything that is not pinned: the image record goes, the container's layers stay.
        Run prune = squashroot(null, home, Map.of(), "cache", "prune");
        assertEquals(0, prune.status(), prune.err());
        assertEquals(0, count(cache.resolve("images"), ".json"));
        assertEquals(3, count(cache.resolve("layers"), ".sqsh"));
        Run again = squashroot(null, home, Map.of(), "start", "lay", "cat", "/written.txt", "/b.txt");
        assertEquals(0, again.status(), again.err());
        assertEquals("kept\nlayer b\n", again.out());
        assertEquals(0, count(cache.resolve("flat"), ".sqsh"), "starts build no flat image either");

        Run list = squashroot(null, home, Map.of(), "list", "-f");
        assertEquals(0, list.status(), list.err());
        String line = list.out().lines().filter(l -> l.startsWith("lay ")).findFirst().orElseThrow();
        assertTrue(line.contains(" fuse ") && line.contains("docker://" + registry + "#test/layered-b:latest")
                && line.endsWith(pushedDigest("test/layered-b:latest")), list.out());

        Run remove = squashroot(null, home, Map.of(), "remove", "-f", "lay");
        assertEquals(0, remove.status(), remove.err());
        assertEquals(0, count(cache.resolve("pins"), ".json"));
        assertEquals(0, squashroot(null, home, Map.of(), "cache", "prune").status());
        assertEquals(0, count(cache.resolve("layers"), ".sqsh"), "unpinned layers are pruned");
    }

    @Test
    void systemCache_filledByRoot_isUsedVerifiedByUser_andTamperedLayerIsRefetched() throws Exception {
        String uri = "docker://" + registry + "/test/layered-a:latest";
        // The admin's shared cache: root-owned, group sqtest, setgid, group-readable (docs/registries.md).
        Path sys = tmp.resolve("system-cache");
        Files.createDirectories(sys);
        script(Map.of(), "chgrp", "sqtest", sys.toString());
        script(Map.of(), "chmod", "2750", sys.toString());
        Path admin = home("home-admin", null);
        Run fill = squashroot(null, admin, Map.of("SQUASHROOT_CACHE_PATH", sys.toString()), "import", "-o", "warm.sqsh", uri);
        assertEquals(0, fill.status(), fill.err());
        assertEquals(3, count(sys.resolve("layers"), ".sqsh"));
        try (Stream<Path> s = Files.list(sys.resolve("layers"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            }
        }
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(sys.resolve("layers"))));

        Map<String, String> user = Map.of("SQUASHROOT_SYSTEM_CACHE", sys.toString());
        Path home = home("home-sys-user", "sqtest");
        Run use = squashroot("sqtest", home, user, "import", "-o", "a.sqsh", uri);
        assertEquals(0, use.status(), use.err());
        assertEquals(3, use.err().lines().filter(l -> l.startsWith("[INFO] layer ") && l.endsWith(" cached")).count(), use.err());
        assertEquals(0, count(home.resolve(".cache/enroot/squashroot/layers"), ".sqsh"), "nothing downloaded or converted");
        // Each hashed system layer is remembered by its identity (inode, size, mtime, ctime).
        assertEquals(3, count(home.resolve(".cache/enroot/squashroot/verified"), ".stamp"));
        try (SquashfsImage img = SquashfsImage.open(home.resolve("a.sqsh"))) {
            assertTrue(img.lookup("/a.txt").isPresent());
        }

        // Someone changes the top layer's image in the shared cache (same size, one byte).
        String rec;
        try (Stream<Path> s = Files.list(sys.resolve("images"))) {
            rec = Files.readString(s.findFirst().orElseThrow());
        }
        String top = rec.replaceAll("(?s).*\"layers\":\\[.*\"sha256:([0-9a-f]{64})\"\\].*", "$1");
        Path layer = sys.resolve("layers/" + top + ".sqsh");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(layer.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x5a);
        }
        // The same user again: the stamp of the changed file no longer matches, so it is hashed.
        Run tampered = squashroot("sqtest", home, user, "import", "-o", "a2.sqsh", uri);
        assertEquals(0, tampered.status(), tampered.err());
        assertTrue(tampered.err().contains("[WARN] layer sha256:" + top + " in the system cache " + sys
                + " does not match the digest recorded for it"), tampered.err());
        try (Stream<Path> s = Files.list(home.resolve(".cache/enroot/squashroot/layers"))) {
            assertEquals(List.of(top + ".json", top + ".sqsh"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "only the tampered layer is fetched");
        }
        try (SquashfsImage img = SquashfsImage.open(home.resolve("a2.sqsh"))) {
            assertEquals(Files.size(home.resolve("a.sqsh")), Files.size(home.resolve("a2.sqsh")));
            assertTrue(img.lookup("/a.txt").isPresent());
        }
    }

    @Test
    void cacheListAndPrune_reportEntries() throws Exception {
        Path home = home("home-cache", null);
        assertEquals(0, squashroot(null, home, Map.of(), "import", "docker://" + registry + "/test/busybox").status());
        Run list = squashroot(null, home, Map.of(), "cache", "list");
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().contains("image  ") && list.out().contains("docker://" + registry + "#test/busybox:latest"), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("layer ")), list.out());
        Run keep = squashroot(null, home, Map.of(), "cache", "prune", "--older-than", "1d");
        assertEquals("freed 0 B in " + home.resolve(".cache/enroot/squashroot") + "\n", keep.out());
        Run all = squashroot(null, home, Map.of(), "cache", "prune");
        assertTrue(all.out().startsWith("freed ") && !all.out().startsWith("freed 0 B"), all.out());
        Run bad = squashroot(null, home, Map.of(), "cache", "prune", "--older-than", "soon");
        assertEquals(1, bad.status());
        assertTrue(bad.err().startsWith("squashroot: Invalid duration: soon"), bad.err());
    }
}
