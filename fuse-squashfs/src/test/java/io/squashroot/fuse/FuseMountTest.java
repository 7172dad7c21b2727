package io.squashroot.fuse;

import io.squashroot.tree.FsException;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real FUSE mounts of a small in-memory tree: the backend's translation, end to end. */
class FuseMountTest {

    @TempDir
    Path tmp;

    private static MapTree sample(byte[] big) {
        return new MapTree()
                .dir("/etc")
                .file("/etc/hostname", "node01\n")
                .file("/big", big)
                .file("/broken", "x")
                .symlink("/link", "etc/hostname")
                .xattr("/etc/hostname", "user.color", "blue");
    }

    @Test
    void servesFilesDirsLinksAndXattrs_whileMounted() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(big);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = FuseMount.mount(sample(big), mp, MountOptions.builder().threads(3).build())) {
            assertTrue(MountTable.isFuseMount(mp));
            try (Stream<Path> s = Files.list(mp)) {
                assertEquals(List.of("big", "broken", "etc", "link"),
                        s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
            }
            assertEquals("node01\n", Files.readString(mp.resolve("etc/hostname")));
            assertArrayEquals(big, Files.readAllBytes(mp.resolve("big")));
            assertEquals(Path.of("etc/hostname"), Files.readSymbolicLink(mp.resolve("link")));
            Map<String, Object> st = Files.readAttributes(mp.resolve("etc/hostname"), "unix:*", LinkOption.NOFOLLOW_LINKS);
            assertEquals(1234, st.get("uid"));
            assertEquals(4321, st.get("gid"));
            assertEquals(0100644, st.get("mode"));
            assertEquals(7L, st.get("size"));
            UserDefinedFileAttributeView x = Files.getFileAttributeView(mp.resolve("etc/hostname"),
                    UserDefinedFileAttributeView.class);
            assertEquals(List.of("color"), x.list());
            java.nio.ByteBuffer v = java.nio.ByteBuffer.allocate(16);
            x.read("color", v);
            assertEquals("blue", new String(v.array(), 0, v.position(), StandardCharsets.UTF_8));
            // statfs and access reach the tree too.
            assertEquals(100L * 4096, Files.getFileStore(mp).getTotalSpace());
            assertTrue(Files.isReadable(mp.resolve("etc/hostname")));
            assertFalse(Files.isWritable(mp.resolve("etc/hostname")), "read-only mount");
            assertFalse(Files.exists(mp.resolve("etc/missing")));
        }
        assertFalse(MountTable.isFuseMount(mp));
    }

    @Test
    void refusesWrites_withReadOnlyFileSystem() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = FuseMount.mount(sample(new byte[1]), mp, MountOptions.builder().build())) {
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> Files.writeString(mp.resolve("etc/new"), "x"));
            assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
            assertThrows(FileSystemException.class, () -> Files.delete(mp.resolve("etc/hostname")));
        }
    }

    @Test
    void answersEio_whenTreeThrowsUnexpectedly() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = FuseMount.mount(sample(new byte[1]), mp, MountOptions.builder().build())) {
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve("broken")));
            assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
            assertEquals("node01\n", Files.readString(mp.resolve("etc/hostname")));
        }
    }

    @Test
    void remapsOwnership_whenUidAndGidGiven() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        MountOptions o = MountOptions.parse("uid=77,gid=88", MountOptions.builder().build());
        try (FuseMount m = FuseMount.mount(sample(new byte[1]), mp, o)) {
            assertEquals(77, Files.getAttribute(mp.resolve("etc/hostname"), "unix:uid"));
            assertEquals(88, Files.getAttribute(mp.resolve("etc"), "unix:gid"));
        }
    }

    @Test
    void servesEveryRequestOnItsFixedWorkers_underConcurrentLoad() throws Exception {
        byte[] big = new byte[4 * 1024 * 1024];
        new Random(2).nextBytes(big);
        java.util.Set<String> servingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        MapTree tree = new MapTree() {
            @Override
            public int read(String path, long handle, java.nio.ByteBuffer dst, long offset) throws FsException {
                servingThreads.add(Thread.currentThread().getName());
                return super.read(path, handle, dst, offset);
            }
        }.file("/a", big).file("/b", big);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = FuseMount.mount(tree, mp, MountOptions.builder().threads(3).kernelCache(false).build())) {
            java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<byte[]>> reads = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String name = i % 2 == 0 ? "a" : "b";
                reads.add(readers.submit(() -> Files.readAllBytes(mp.resolve(name))));
            }
            for (java.util.concurrent.Future<byte[]> f : reads) {
                assertArrayEquals(big, f.get());
            }
            readers.shutdown();
        }
        // libfuse's own loop would run callbacks on threads it creates and discards; ours only
        // ever run on the pool's named workers.
        assertTrue(servingThreads.size() <= 3 && !servingThreads.isEmpty(), servingThreads.toString());
        assertTrue(servingThreads.stream().allMatch(n -> n.startsWith("fuse-mnt-")), servingThreads.toString());
    }

    @Test
    void missingFuseDevice_isOneLineSayingWhatToChange() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        System.setProperty("squashroot.fusedev", tmp.resolve("no-fuse").toString());
        try {
            FuseUnavailableException e = assertThrows(FuseUnavailableException.class,
                    () -> FuseMount.mount(sample(new byte[1]), mp, MountOptions.builder().build()));
            assertTrue(e.getMessage().contains("does not exist: load the fuse kernel module (modprobe fuse)"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        } finally {
            System.clearProperty("squashroot.fusedev");
        }
        assertFalse(MountTable.isFuseMount(mp));
    }
}
