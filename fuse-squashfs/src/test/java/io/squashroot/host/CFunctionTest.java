package io.squashroot.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.host.CFunction.Arg;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real libc calls through {@link CFunction}: arguments in, results and errno out. */
class CFunctionTest {
    private static final CFunction READLINK = CFunction.ofLong("readlink", Arg.BYTES_IN, Arg.BYTES_OUT, Arg.LONG);
    private static final CFunction CHMOD = CFunction.ofInt("chmod", Arg.BYTES_IN, Arg.INT);
    private static final CFunction CLOSE = CFunction.ofInt("close", Arg.INT);
    private static final CFunction UTIMENSAT = CFunction.ofInt("utimensat", Arg.INT, Arg.BYTES_IN, Arg.LONGS_IN, Arg.INT);
    private static final CFunction LLISTXATTR = CFunction.ofLong("llistxattr", Arg.BYTES_IN, Arg.BYTES_OUT, Arg.LONG);
    private static final CFunction GETPID = CFunction.ofInt("getpid");

    @TempDir
    Path dir;

    @Test
    void outArray_isFilledByTheCall_belowAndAboveTheStackCopyLimit() throws Exception {
        String target = "x".repeat(3000); // longer than 1 KiB: the heap copy; the small buffer: the stack copy
        Path link = Files.createSymbolicLink(dir.resolve("l"), Path.of(target));
        byte[] big = new byte[4097];
        assertEquals(3000, READLINK.call(HostPaths.cString(link), big, (long) big.length));
        assertEquals(target, new String(big, 0, 3000, StandardCharsets.US_ASCII));
        byte[] small = new byte[100];
        assertEquals(100, READLINK.call(HostPaths.cString(link), small, (long) small.length));
        assertArrayEquals(Arrays.copyOf(target.getBytes(StandardCharsets.US_ASCII), 100), small);
    }

    @Test
    void outArray_comesBackZeroedBeyondWhatTheCallWrote() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("short"), Path.of("ab"));
        for (int size : new int[] {200, 3000}) { // the stack copy and the heap copy
            byte[] buf = new byte[size];
            Arrays.fill(buf, (byte) 7);
            assertEquals(2, READLINK.call(HostPaths.cString(link), buf, (long) buf.length));
            byte[] expected = new byte[size];
            expected[0] = 'a';
            expected[1] = 'b';
            assertArrayEquals(expected, buf);
        }
    }

    @Test
    void failedCall_returnsMinusOneAndLeavesErrno() {
        byte[] missing = HostPaths.cString(dir.resolve("missing"));
        assertEquals(-1, CHMOD.call(missing, 0644));
        assertEquals(2, CFunction.errno()); // ENOENT
        assertEquals(-1, CLOSE.call(-1)); // an int result comes back sign-extended
        assertEquals(9, CFunction.errno()); // EBADF
    }

    @Test
    void longArray_reachesTheCallAsTimespecs() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        long[] times = {1_000_000_000L, 5, 1_234_567_890L, 123_456_789};
        assertEquals(0, UTIMENSAT.call(-100, HostPaths.cString(f), times, 0x100));
        assertEquals(FileTime.from(java.time.Instant.ofEpochSecond(1_234_567_890L, 123_456_789)),
                Files.getLastModifiedTime(f));
    }

    @Test
    void nullArray_passesNull_soTheCallOnlyMeasures() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        long n = LLISTXATTR.call(HostPaths.cString(f), null, 0L);
        assertTrue(n >= 0, "llistxattr(path, NULL, 0) = " + n + ", errno " + CFunction.errno());
    }

    @Test
    void noArguments_callsTheFunction() {
        assertEquals(ProcessHandle.current().pid(), GETPID.call());
    }

    @Test
    void wrongArgumentType_failsBeforeTheCall_namingTheFunction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CHMOD.call(HostPaths.cString(dir), 0644L));
        assertTrue(e.getMessage().startsWith("chmod: argument 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CHMOD.call(HostPaths.cString(dir)));
        assertEquals("chmod takes 2 arguments, not 1", e.getMessage());
    }

    @Test
    void missingSymbol_failsAtTheCall_notWhenBound() {
        CFunction f = CFunction.ofInt("squashroot_no_such_function");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, f::call);
        assertEquals("the C library has no function squashroot_no_such_function", e.getMessage());
    }
}
