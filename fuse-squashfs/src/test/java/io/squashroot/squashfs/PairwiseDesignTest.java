package io.squashroot.squashfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PairwiseDesignTest {

    /** Every pair of values of every two factors, counted from the rows alone. */
    private static void assertCoversEveryPair(int[] sizes, List<int[]> rows) {
        Set<List<Integer>> seen = new HashSet<>();
        for (int[] r : rows) {
            assertEquals(sizes.length, r.length);
            for (int f = 0; f < sizes.length; f++) {
                assertTrue(r[f] >= 0 && r[f] < sizes[f], "value of factor " + f);
                for (int g = f + 1; g < sizes.length; g++) {
                    seen.add(List.of(f, r[f], g, r[g]));
                }
            }
        }
        for (int f = 0; f < sizes.length; f++) {
            for (int g = f + 1; g < sizes.length; g++) {
                for (int v = 0; v < sizes[f]; v++) {
                    for (int w = 0; w < sizes[g]; w++) {
                        assertTrue(seen.contains(List.of(f, v, g, w)), "pair " + f + "=" + v + ", " + g + "=" + w);
                    }
                }
            }
        }
    }

    @Test
    void rows_coverEveryPair_ofTheConformanceFactors() {
        int[] sizes = ReaderConformanceTest.factorSizes();
        List<int[]> rows = PairwiseDesign.rows(sizes);
        assertCoversEveryPair(sizes, rows);
        // 6 compressors x 3 block sizes is the least any pairwise design can have.
        assertTrue(rows.size() >= 18 && rows.size() <= 24, rows.size() + " rows");
    }

    @Test
    void rows_areTheSame_onEveryCall() {
        int[] sizes = {4, 3, 2, 2, 2};
        List<int[]> a = PairwiseDesign.rows(sizes);
        List<int[]> b = PairwiseDesign.rows(sizes);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(java.util.Arrays.toString(a.get(i)), java.util.Arrays.toString(b.get(i)));
        }
        assertCoversEveryPair(sizes, a);
    }

    @Test
    void rows_ofTwoFactors_areTheirFullProduct() {
        List<int[]> rows = PairwiseDesign.rows(3, 2);
        assertEquals(6, rows.size());
        assertCoversEveryPair(new int[] {3, 2}, rows);
    }
}
