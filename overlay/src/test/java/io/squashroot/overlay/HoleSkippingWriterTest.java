package io.squashroot.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.host.FileWrites;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy-up's host writes: bytes land where asked, in pieces, with all-zero pages left as holes. */
class HoleSkippingWriterTest {
    @TempDir
    Path tmp;

    @Test
    void writeFully_largerThanOnePiece_writesEveryByteAtItsOffset() throws Exception {
        byte[] data = new byte[FileWrites.PIECE * 3 + 12345];
        new Random(7).nextBytes(data);
        Path f = tmp.resolve("f");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer src = ByteBuffer.allocateDirect(data.length + 100);
            src.position(100);
            src.put(data).flip().position(100);
            FileWrites.writeFully(ch, src, 5000);
            assertEquals(src.limit(), src.position(), "the source is consumed");
            assertEquals(data.length + 100, src.limit(), "its limit is kept");
        }
        byte[] back = Files.readAllBytes(f);
        assertEquals(5000 + data.length, back.length);
        assertArrayEquals(data, Arrays.copyOfRange(back, 5000, back.length));
    }

    @Test
    void writeSkippingZeros_zeroPagesBetweenData_leftAsHoles() throws Exception {
        int pages = 2 * FileWrites.PIECE / HoleSkippingWriter.PIECE; // data runs longer than a piece
        ByteBuffer block = ByteBuffer.allocateDirect((pages + 64) * HoleSkippingWriter.PIECE);
        byte[] page = new byte[HoleSkippingWriter.PIECE];
        new Random(9).nextBytes(page);
        for (int i = 0; i < pages; i++) {
            block.put(i * HoleSkippingWriter.PIECE, page); // then 64 zero pages
        }
        block.limit(block.capacity());
        Path f = tmp.resolve("g");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            HoleSkippingWriter.writeSkippingZeros(ch, block, 0);
            ch.write(ByteBuffer.wrap(page), (long) (pages + 64) * HoleSkippingWriter.PIECE); // data after the gap
        }
        byte[] back = Files.readAllBytes(f);
        assertEquals((pages + 65) * HoleSkippingWriter.PIECE, back.length);
        for (int i = 0; i < pages + 65; i++) {
            byte[] got = Arrays.copyOfRange(back, i * HoleSkippingWriter.PIECE, (i + 1) * HoleSkippingWriter.PIECE);
            assertArrayEquals(i < pages || i == pages + 64 ? page : new byte[HoleSkippingWriter.PIECE], got, "page " + i);
        }
        Process p = new ProcessBuilder("stat", "-c", "%b %B", f.toString()).start();
        String[] bb = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        long bytesOnDisk = Long.parseLong(bb[0]) * Long.parseLong(bb[1]);
        assertTrue(bytesOnDisk <= (long) (pages + 1 + 16) * HoleSkippingWriter.PIECE,
                "the 64 zero pages are a hole: " + bytesOnDisk + " bytes allocated");
    }
}
