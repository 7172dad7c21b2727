package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.squashroot.fuse.FuseMount;
import io.squashroot.fuse.MountOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

    /**
     * READDIRPLUS on a writable tree: the attributes a listing hands the kernel are the entries'
     * own at that moment (hard links one inode, a copied-up file's new mode, a size written
     * through a handle still open), and an open unlinked file is not among them. The dentry
     * cache is dropped first, so the names come back through the listing, not earlier lookups.
     */
    @Test
    void listingWithAttributes_carriesEachEntrysCurrentAttributes() throws Exception {
        assumeTrue(Sh.isRoot(), "dropping the dentry cache needs root");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = mount(mp, MountOptions.builder())) {
            Files.writeString(mp.resolve("a"), "x");
            Files.createLink(mp.resolve("b"), mp.resolve("a"));
            Files.setPosixFilePermissions(mp.resolve("lowerfile"), PosixFilePermissions.fromString("rw-------"));
            Path gone = mp.resolve("gone");
            Files.writeString(gone, "bye");
            try (FileChannel ch = FileChannel.open(mp.resolve("a"), StandardOpenOption.WRITE);
                 FileChannel g = FileChannel.open(gone, StandardOpenOption.READ)) {
                ch.write(ByteBuffer.wrap("hello world".getBytes(StandardCharsets.US_ASCII)), 0);
                Files.delete(gone);
                Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "2");
                String ls = Sh.ok("ls", "-lin", "--time-style=+", mp.toString());
                List<String[]> rows = ls.lines().skip(1).map(l -> l.trim().split("\\s+")).toList();
                assertEquals(List.of("a", "b", "lowerfile"), rows.stream().map(r -> r[r.length - 1]).toList(), ls);
                String[] a = rows.get(0);
                String[] b = rows.get(1);
                assertEquals(a[0], b[0], "one inode for both names: " + ls);
                assertEquals("2", a[2], "link count: " + ls);
                assertEquals("11", a[5], "the size written through the open handle: " + ls);
                assertEquals("11", b[5], ls);
                assertEquals("-rw-------", rows.get(2)[1], "the copied-up file's new mode: " + ls);
                assertEquals("bye", read(g), "the unlinked file still reads through its handle");
            }
        }
    }

    /**
     * FUSE_POSIX_ACL on an allow_other (default_permissions) mount: the kernel grants by the
     * ACLs, and new entries inherit a directory's default ACL with the umask ignored, as on the
     * host's own file system, which runs the same script as the reference.
     */
    @Test
    void posixAcls_enforcedAndInherited_asOnTheHostFileSystem() throws Exception {
        assumeTrue(Sh.isRoot(), "sqtest as the other user, and allow_other, need root");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // sqtest walks in
        Path ref = Files.createDirectory(tmp.resolve("ref"));
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        String script = "cd \"$1\" || exit 1\n"
                + "echo secret > f; chmod 600 f\n"
                + "setpriv --reuid=sqtest --regid=sqtest --init-groups cat f 2>/dev/null || echo denied\n"
                + "setfacl -m u:sqtest:r f\n"
                + "setpriv --reuid=sqtest --regid=sqtest --init-groups cat f 2>/dev/null || echo denied\n"
                + "mkdir d; setfacl -d -m u:sqtest:rw d\n"
                + "(umask 022; touch d/x; mkdir d/y; mknod d/p p)\n"
                + "(umask 077; touch plain)\n"
                + "stat -c '%n %A' d/x d/y d/p plain\n"
                + "getfacl -n d/x d/y\n"
                + "setpriv --reuid=sqtest --regid=sqtest --init-groups sh -c 'echo hi > d/x' || echo denied\n"
                + "cat d/x\n";
        String expected = Sh.ok("sh", "-c", script, "sh", ref.toString());
        assertTrue(expected.startsWith("denied\nsecret\n"), "the host enforces the ACL: " + expected);
        assertTrue(expected.contains("user:1001:rw-"), "and inherits the default one: " + expected);
        try (FuseMount m = mount(mp, MountOptions.builder().allowOther(true))) {
            assertEquals(expected, Sh.ok("sh", "-c", script, "sh", mp.toString()));
        }
        String upper = Sh.ok("getfacl", "-n", tmp.resolve("upper/d/x").toString());
        assertTrue(upper.contains("user:1001:rw-"), "the inherited ACL is in the upper layer: " + upper);
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
                // ATOMIC_MOVE: rename(2) over the open file (REPLACE_EXISTING would unlink it first)
                Files.move(mp.resolve("incoming"), mp.resolve("target"), StandardCopyOption.ATOMIC_MOVE);
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
    void renameOverAnOpenFile_failingAtCopyUp_givesTheTargetItsNameBack() throws Exception {
        assumeTrue(Sh.isRoot(), "mounting a small tmpfs needs root");
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        byte[] big = new byte[2 << 20];
        new Random(3).nextBytes(big); // no zero blocks: the copy-up cannot leave holes
        Files.write(lower.resolve("big"), big);
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Sh.ok("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", upper.toString());
        try {
            Path mp = Files.createDirectory(tmp.resolve("mnt"));
            Overlay o = Overlay.open(List.of(DirectoryTree.of(lower)), upper);
            try (FuseMount m = FuseMount.mount(o, mp, MountOptions.builder().readOnly(false).build())) {
                Path target = mp.resolve("target");
                Files.writeString(target, "kept\n");
                try (FileChannel open = FileChannel.open(target, StandardOpenOption.READ)) {
                    // rename(2) itself (no unlink first): the target is hidden, then the copy-up fails
                    FileSystemException e = assertThrows(FileSystemException.class,
                            () -> Files.move(mp.resolve("big"), target, StandardCopyOption.ATOMIC_MOVE));
                    assertTrue(String.valueOf(e.getMessage()).contains("No space left"), e.getMessage());
                    assertEquals("kept\n", read(open), "the open handle");
                    assertEquals("kept\n", Files.readString(target), "the name");
                    assertEquals(List.of("big", "target"), names(mp), "listed again, nothing hidden");
                    assertEquals(List.of("target"), upperEntries(upper), "the upper layer on the host");
                }
                Thread.sleep(300); // let RELEASE arrive: the last close must not remove the target
                assertEquals("kept\n", Files.readString(target));
                assertArrayEquals(big, Files.readAllBytes(mp.resolve("big")), "the lower file is untouched");
            }
            assertEquals(List.of("target"), upperEntries(upper));
            assertEquals("kept\n", Files.readString(upper.resolve("target")));
        } finally {
            Sh.run(List.of("umount", upper.toString()));
        }
    }

    /** "d" lives in the upper layer only; "ldir" comes from the lower layer with its file. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"d", "ldir"})
    void rmdir_ofADirectoryHoldingOnlyAnOpenUnlinkedFile_succeeds_andTheHandleStillWorks(String dir) throws Exception {
        Files.createDirectories(tmp.resolve("lower/ldir"));
        Files.writeString(tmp.resolve("lower/ldir/f"), "from below\n");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path upper = tmp.resolve("upper");
        List<String> expected = dir.equals("ldir") ? List.of("ldir") : List.of(); // ldir: a whiteout
        try (FuseMount m = mount(mp, MountOptions.builder())) {
            Path d = mp.resolve(dir);
            Path f = d.resolve("f");
            if (!Files.exists(d)) {
                Files.createDirectory(d);
            }
            Files.writeString(f, "still here\n");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Files.delete(f);
                Files.delete(d); // rmdir(2): on a local disk the open file keeps no name in it
                assertFalse(Files.exists(d, LinkOption.NOFOLLOW_LINKS));
                assertEquals(List.of("ldir", "lowerfile").stream().filter(n -> !n.equals(dir)).toList(), names(mp));
                assertEquals("still here\n", read(ch), "the open handle reads its bytes");
                ch.write(ByteBuffer.wrap("and more\n".getBytes(StandardCharsets.US_ASCII)), 11);
                assertEquals(20L, ch.size(), "fstat");
                List<String> inUpper = upperEntries(upper);
                assertEquals(expected, inUpper.stream().filter(n -> !n.startsWith(HIDDEN)).toList(),
                        "the directory is gone from the upper layer too");
                assertEquals(1, inUpper.stream().filter(n -> n.startsWith(HIDDEN)).count(),
                        "the open file waits in the root under a hidden name: " + inUpper);
                Files.createDirectory(d);
                assertEquals(List.of(), names(d), "a new directory of that name is empty");
                Files.delete(d);
            }
            List<String> left = List.of();
            for (int i = 0; i < 100; i++) { // RELEASE reaches the server after close(2) returns
                left = upperEntries(upper).stream().filter(n -> n.contains(HIDDEN)).toList();
                if (left.isEmpty()) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals(List.of(), left, "the hidden file went at its last close");
            assertEquals(List.of("ldir", "lowerfile").stream().filter(n -> !n.equals(dir)).toList(), names(mp));
        }
        assertEquals(expected, upperEntries(upper), "nothing else in the upper layer");
        if (dir.equals("ldir")) {
            assertEquals(020000, (int) Files.getAttribute(upper.resolve("ldir"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                    & 0170000, "a whiteout (character device) hides the lower directory");
        }
    }

    @Test
    void rmdir_withARealEntryBesideAnOpenUnlinkedFile_answersEnotempty_andKeepsBoth() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path upper = tmp.resolve("upper");
        try (FuseMount m = mount(mp, MountOptions.builder())) {
            Path d = Files.createDirectory(mp.resolve("d"));
            Files.writeString(d.resolve("f"), "open\n");
            try (FileChannel ch = FileChannel.open(d.resolve("f"), StandardOpenOption.READ)) {
                Files.delete(d.resolve("f"));
                Files.writeString(d.resolve("real"), "x");
                assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(d));
                assertEquals(List.of("real"), names(d));
                List<String> inUpper = upperEntries(upper);
                assertEquals(3, inUpper.size(), inUpper.toString());
                assertTrue(inUpper.get(0).equals("d") && inUpper.get(1).startsWith("d/" + HIDDEN)
                        && inUpper.get(2).equals("d/real"), "the hidden file is back in d: " + inUpper);
                assertEquals("open\n", read(ch));
                Files.delete(d.resolve("real"));
                Files.delete(d); // now only the hidden file is left
                assertEquals("open\n", read(ch));
            }
        }
        assertEquals(List.of(), upperEntries(upper));
    }

    @Test
    void renameOverADirectoryHoldingOnlyAnOpenUnlinkedFile_succeeds() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FuseMount m = mount(mp, MountOptions.builder())) {
            Path d = Files.createDirectory(mp.resolve("d"));
            Path e = Files.createDirectory(mp.resolve("e"));
            Files.writeString(e.resolve("inside"), "moved\n");
            Files.writeString(d.resolve("f"), "open\n");
            try (FileChannel ch = FileChannel.open(d.resolve("f"), StandardOpenOption.READ)) {
                Files.delete(d.resolve("f"));
                Files.move(e, d, StandardCopyOption.ATOMIC_MOVE); // rename(2) over an empty directory
                assertEquals(List.of("inside"), names(d));
                assertEquals("open\n", read(ch));
            }
            assertEquals("moved\n", Files.readString(d.resolve("inside")));
        }
        assertEquals(List.of("d", "d/inside"), upperEntries(tmp.resolve("upper")));
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

    private static final String HIDDEN = ".fuse_hidden";

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) ch.size());
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    /** Every entry of the upper directory on the host, relative and sorted, the overlay's work directory aside. */
    private static List<String> upperEntries(Path upper) throws IOException {
        List<String> found = new ArrayList<>();
        Files.walkFileTree(upper, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                found.add(upper.relativize(d).toString());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                found.add(upper.relativize(f).toString());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // removed while we looked (a last close)
                }
                throw e;
            }
        });
        return found.stream().filter(n -> !n.isEmpty() && !n.startsWith(".wh..wh.")).sorted().toList();
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
