package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the kernel-protocol session (the default FUSE backend) must get right beyond the POSIX
 * suite, over real mounts of the overlay: one kernel inode per hard-linked file (with the
 * writeback cache the kernel trusts its own size), open files that lose their name, set-id
 * bits cleared by the server (HANDLE_KILLPRIV_V2), and the libfuse backend still serving.
 */
class KernelSessionTest {

    @TempDir
    Path tmp;

    private FuseMount mount(Path mp, MountOptions.Builder opts) throws IOException {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("lowerfile"), "from the image\n");
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper);
        return FuseMount.mount(o, mp, opts.readOnly(false).build());
    }

    @ParameterizedTest(name = "writeback={0}")
    @ValueSource(booleans = {true, false})
    void hardLinkedNames_showOneFilesSizeAndBytes_whileStillOpen(boolean writeback) throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = mount(mp, MountOptions.builder().writebackCache(writeback))) {
            Path a = mp.resolve("a");
            Path b = mp.resolve("b");
            Files.writeString(a, "x");
            Files.createLink(b, a);
            assertEquals(1L, Files.size(b), "b looked up before the write");
            try (FileChannel ch = FileChannel.open(a, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap("hello world".getBytes(StandardCharsets.US_ASCII)), 0);
                // not closed, not synced: with the writeback cache the bytes are only in the kernel
                assertEquals(11L, Files.size(b), "the other name's size");
                assertEquals("hello world", Files.readString(b), "the other name's bytes");
                assertEquals(Files.getAttribute(a, "unix:ino"), Files.getAttribute(b, "unix:ino"));
            }
            Files.delete(a);
            assertEquals("hello world", Files.readString(b), "the remaining name keeps the file");
            assertEquals(1, Files.getAttribute(b, "unix:nlink"));
        }
        assertEquals("hello world", Files.readString(tmp.resolve("upper/b")), "and the upper layer has it");
    }

    @Test
    void openFile_keepsWorkingAfterUnlink_andLeavesNothingBehind() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = mount(mp, MountOptions.builder())) {
            Path f = mp.resolve("scratch");
            Files.writeString(f, "before\n");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Files.delete(f);
                assertFalse(Files.exists(f, LinkOption.NOFOLLOW_LINKS));
                ch.write(ByteBuffer.wrap("after!\n".getBytes(StandardCharsets.US_ASCII)), 7);
                assertEquals(14L, ch.size(), "fstat of the unlinked file");
                ByteBuffer back = ByteBuffer.allocate(14);
                ch.read(back, 0);
                assertEquals("before\nafter!\n", new String(back.array(), StandardCharsets.US_ASCII));
                Files.writeString(f, "a new file of that name\n");
                assertEquals("a new file of that name\n", Files.readString(f));
            }
            // RELEASE reaches the server after close(2) returns: give it a moment.
            for (int i = 0; i < 100 && names(mp).size() > 2; i++) {
                Thread.sleep(20);
            }
            assertEquals(List.of("lowerfile", "scratch"), names(mp), "the hidden name went with the last close");
        }
        assertEquals(List.of("scratch"), names(tmp.resolve("upper")).stream().filter(n -> !n.startsWith(".wh..wh.")).toList(),
                "nothing but the file in the upper layer (the overlay's work directory aside)");
    }

    @Test
    void renameOverAnOpenFile_leavesTheOpenHandleOnTheOldBytes() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = mount(mp, MountOptions.builder())) {
            Files.writeString(mp.resolve("target"), "old\n");
            Files.writeString(mp.resolve("incoming"), "new\n");
            try (FileChannel old = FileChannel.open(mp.resolve("target"), StandardOpenOption.READ)) {
                Files.move(mp.resolve("incoming"), mp.resolve("target"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                ByteBuffer b = ByteBuffer.allocate(4);
                old.read(b, 0);
                assertEquals("old\n", new String(b.array(), StandardCharsets.US_ASCII));
                assertEquals("new\n", Files.readString(mp.resolve("target")));
            }
            for (int i = 0; i < 100 && names(mp).size() > 2; i++) {
                Thread.sleep(20);
            }
            assertEquals(List.of("lowerfile", "target"), names(mp));
        }
    }

    @Test
    void writesAndChownsClearSetIdBits_asTheKernelWould() throws Exception {
        assumeTrue(Sh.isRoot(), "writes as another user need root to set up");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // sqtest walks in
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = mount(mp, MountOptions.builder().allowOther(true))) {
            Files.setPosixFilePermissions(mp, PosixFilePermissions.fromString("rwxr-xr-x"));
            // the same steps on the host's own file system, as the reference
            Path ref = Files.createDirectory(tmp.resolve("ref"));
            Files.setPosixFilePermissions(ref, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path dir : List.of(ref, mp)) {
                String d = dir.toString();
                Sh.ok("sh", "-c", "cd " + d + " && touch u g s c && chmod 4777 u && chmod 2767 g && chmod 6755 s"
                        + " && chmod 6745 c && chown 1:1 s c");
                Sh.ok(Sh.asUser("sh", "-c", "echo x >> " + d + "/u && echo x >> " + d + "/g").toArray(String[]::new));
            }
            for (String f : List.of("u", "g", "s", "c")) {
                assertEquals(Files.getAttribute(ref.resolve(f), "unix:mode"), Files.getAttribute(mp.resolve(f), "unix:mode"),
                        f + ": mode after the same writes and chowns as on the host");
            }
            assertEquals(0100777, Files.getAttribute(mp.resolve("u"), "unix:mode"), "set-user-id gone after a user's write");
            assertEquals(0102745, Files.getAttribute(mp.resolve("c"), "unix:mode"), "root's chown keeps set-group-id without group x");
        }
    }

    @Test
    void libfuseBackend_stillServesTheOverlay() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = mount(mp, MountOptions.builder().backend("libfuse"))) {
            assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .anyMatch(l -> l.contains(" " + mp + " ") && l.contains("max_read=131072")),
                    "libfuse2 mounts with its 128 KiB max_read");
            assertEquals("from the image\n", Files.readString(mp.resolve("lowerfile")));
            Files.writeString(mp.resolve("lowerfile"), "changed\n", StandardOpenOption.APPEND);
            assertEquals("from the image\nchanged\n", Files.readString(mp.resolve("lowerfile")));
        }
        assertEquals("from the image\nchanged\n", Files.readString(tmp.resolve("upper/lowerfile")));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
