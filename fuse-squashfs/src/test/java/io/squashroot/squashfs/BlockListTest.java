package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockListTest {

    /** The plain prefix sum the checkpoints must reproduce. */
    private static long naive(int[] words, int i) {
        long sum = 0;
        for (int j = 0; j < i; j++) {
            sum += words[j] & 0x00FF_FFFF;
        }
        return sum;
    }

    @Test
    void offset_matchesPrefixSum_atEveryBlockAroundCheckpoints() {
        Random r = new Random(7);
        for (int count : new int[] {0, 1, 63, 64, 65, 127, 128, 129, 1000}) {
            int[] words = new int[count];
            for (int i = 0; i < count; i++) {
                int kind = r.nextInt(3);
                // sparse (0), compressed, or stored uncompressed (bit 24) words of up to 1 MiB
                words[i] = kind == 0 ? 0 : (1 + r.nextInt(1 << 20)) | (kind == 2 ? 0x0100_0000 : 0);
            }
            BlockList b = BlockList.of(words, count);
            assertEquals(count, b.count());
            for (int i = 0; i <= count; i++) {
                assertEquals(naive(words, i), b.offset(i), "count " + count + " block " + i);
            }
        }
    }

    @Test
    void offset_exceedsFourGiB_withoutOverflow() {
        int count = 5000;
        int[] words = new int[count + 17]; // longer array: only the first count words count
        java.util.Arrays.fill(words, 0x0100_0000 | (1 << 20)); // 1 MiB stored uncompressed
        BlockList b = BlockList.of(words, count);
        assertEquals(count, b.count());
        assertEquals(4999L << 20, b.offset(4999));
        assertEquals(5000L << 20, b.offset(5000));
    }

    @Test
    void offset_rejectsBlockOutsideList() {
        BlockList b = BlockList.of(new int[] {5, 6}, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> b.offset(3));
        assertThrows(IndexOutOfBoundsException.class, () -> b.offset(-1));
    }

    @Test
    void offset_isBoundedWork_forMillionsOfBlocks() {
        // Not a timing test: the words past block i are poisoned, so any sum that walked the
        // whole list (or more than one stride) from the start would give a different answer.
        int count = 4_000_000;
        int[] words = new int[count];
        java.util.Arrays.fill(words, 100);
        BlockList b = BlockList.of(words, count);
        int i = count - 1;
        for (int j = 0; j < (i & -BlockList.STRIDE); j++) {
            words[j] = 0x00FF_FFFF; // checkpoints already hold the sums before this stride
        }
        assertEquals(100L * i, b.offset(i));
    }
}
