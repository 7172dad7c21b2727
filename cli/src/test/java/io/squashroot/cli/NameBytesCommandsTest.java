package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * File names are bytes: {@code extract}, {@code ls}, {@code mount} and {@code mksquashfs DIR}
 * keep names that are Latin-1 ({@code caf\xe9}), not text at all ({@code \xff\xfe}) or UTF-8,
 * and symlink targets, hard links, FIFOs and xattrs of such names likewise, under the C locale (where the JVM's file-name charset is ASCII)
 * and under C.UTF-8. Every comparison is of bytes, made by cmp against what unsquashfs and the
 * kernel's own view (find, ls -f) give: never through Java Strings.
 */
class NameBytesCommandsTest {
    private static Path work;
    private static Path tree;
    private static Path image;
    private static Path unsquashed;

    /** Names and a symlink target made with printf, so no JVM charset is involved in making them. */
    private static final String MAKE_TREE = String.join("\n",
            "set -e; mkdir -p \"$1\" && cd \"$1\"",
            "for n in 'caf\\351' '\\377\\376' '\\303\\251t\\303\\251' 'plain' 'sp ace' '\\342\\230\\203'; do",
            "  printf \"content of $n\" > \"$(printf \"$n\")\"; done",
            "mkdir \"$(printf 'dir-\\351')\" && printf inner > \"$(printf 'dir-\\351/in-\\376')\"",
            "ln -s \"$(printf 'caf\\351')\" \"$(printf 'link-\\377')\"",
            "ln \"$(printf 'caf\\351')\" \"$(printf 'hard-\\351')\" && mkfifo \"$(printf 'fifo-\\376')\"",
            "setfattr -n user.note -v x \"$(printf 'caf\\351')\"",
            "find . -exec touch -h -d '2023-11-14 22:13:20' {} +");

    @BeforeAll
    static void build() throws IOException {
        work = Files.createTempDirectory(Path.of("/tmp"), "sqr-names-");
        Sandbox.sh("chmod", "755", work.toString());
        tree = work.resolve("tree");
        image = work.resolve("names.sqsh");
        unsquashed = work.resolve("unsquashed");
        Sandbox.sh("sh", "-c", MAKE_TREE, "sh", tree.toString());
        Sandbox.sh("mksquashfs", tree.toString(), image.toString(), "-quiet", "-no-progress", "-comp", "zstd");
        Sandbox.sh("unsquashfs", "-q", "-n", "-d", unsquashed.toString(), image.toString());
        Sandbox.sh("chmod", "-R", "a+rX", work.toString());
    }

    @AfterAll
    static void clean() {
        Sandbox.deleteTree(work);
    }

    /** Fails unless the trees have the same names (bytes), types, sizes and link counts (not of directories), link targets, contents and xattrs. */
    private static void assertSameTree(Path expected, Path actual) throws IOException {
        String describe = "cd \"$1\" && export LC_ALL=C && find . \\( -type d -printf '%P|d\\n' \\) -o -printf '%P|%y|%s|%n|%l\\n' | sort"
                + " && find . -type f -print0 | sort -z | xargs -0 sha256sum"
                + " && find . -mindepth 1 -print0 | sort -z | xargs -0 getfattr -h -d -m user. -e hex 2>/dev/null";
        Sandbox.sh("bash", "-c", "cmp <(bash -c \"$0\" x \"$1\") <(bash -c \"$0\" x \"$2\")",
                describe, expected.toString(), actual.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void extract_keepsNameBytes_underLocale(String locale) throws Exception {
        try (Sandbox s = new Sandbox(null)) {
            Path out = s.base.resolve("out");
            Sandbox.Result r = s.run(Map.of("LC_ALL", locale), null, "extract", image.toString(), out.toString());
            assertEquals(0, r.status(), r.toString());
            assertSameTree(unsquashed, out);
            assertSameTree(tree, out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void ls_printsUnsquashfsBytes_underLocale(String locale) throws Exception {
        try (Sandbox s = new Sandbox(null)) {
            Process p = s.start(Map.of("LC_ALL", locale), "ls", image.toString());
            p.getOutputStream().close();
            byte[] ours = p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());
            Process u = new ProcessBuilder("unsquashfs", "-lln", image.toString()).start();
            byte[] theirs = u.getInputStream().readAllBytes();
            assertEquals(0, u.waitFor());
            assertArrayEquals(theirs, ours);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void mount_listsAndReadsNameBytes_underLocale(String locale) throws Exception {
        try (Sandbox s = new Sandbox(null)) {
            Path mp = Files.createDirectories(s.base.resolve("mnt"));
            Sandbox.Result r = s.run(Map.of("LC_ALL", locale), null, "mount", image.toString(), mp.toString());
            assertEquals(0, r.status(), r.toString());
            try {
                assertSameTree(unsquashed, mp);
                // ls -f: the kernel's readdir, unsorted, byte for byte the same set of names
                Sandbox.sh("bash", "-c", "cmp <(cd \"$1\" && ls -fa | LC_ALL=C sort) <(cd \"$2\" && ls -fa | LC_ALL=C sort)",
                        "x", unsquashed.toString(), mp.toString());
            } finally {
                s.run("umount", mp.toString());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void mksquashfs_keepsNameBytes_fromDirectory_underLocale(String locale) throws Exception {
        try (Sandbox s = new Sandbox(null)) {
            Path img = s.base.resolve("ours.sqsh");
            Sandbox.Result r = s.run(Map.of("LC_ALL", locale), null, "mksquashfs", tree.toString(), img.toString());
            assertEquals(0, r.status(), r.toString());
            Path x = s.base.resolve("x");
            Sandbox.sh("unsquashfs", "-q", "-n", "-d", x.toString(), img.toString());
            assertSameTree(tree, x);
        }
    }
}
