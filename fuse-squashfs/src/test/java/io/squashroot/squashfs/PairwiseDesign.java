package io.squashroot.squashfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A covering array of strength two: rows (one value index per factor) such that every pair of
 * values of every two factors appears together in at least one row.
 *
 * <p>Built greedily and deterministically, in the manner of AETG without its random candidates:
 * each new row starts from the first pair not yet covered (factors and values in the order
 * given), then fills the other factors, most values first, each with the value that covers the
 * most pairs still uncovered with the values already chosen; ties go to the value used least so
 * far, then to the first one. The same factors always give the same rows, so a failing row keeps
 * its index from run to run. For factors of a x b x ... values (a ≥ b ≥ the rest) the result
 * has at least a*b rows and, for the conformance matrix, exactly that many or close to it.
 */
final class PairwiseDesign {
    private PairwiseDesign() {
    }

    /** @param sizes number of values of each factor (each ≥ 1) */
    static List<int[]> rows(int... sizes) {
        int k = sizes.length;
        // uncovered[f][g][v * sizes[g] + w] for f < g
        boolean[][][] uncovered = new boolean[k][k][];
        int left = 0;
        for (int f = 0; f < k; f++) {
            for (int g = f + 1; g < k; g++) {
                uncovered[f][g] = new boolean[sizes[f] * sizes[g]];
                Arrays.fill(uncovered[f][g], true);
                left += sizes[f] * sizes[g];
            }
        }
        Integer[] order = new Integer[k];
        for (int f = 0; f < k; f++) {
            order[f] = f;
        }
        Arrays.sort(order, (a, b) -> sizes[b] - sizes[a]); // stable: ties keep the given order
        int[][] used = new int[k][];
        for (int f = 0; f < k; f++) {
            used[f] = new int[sizes[f]];
        }
        List<int[]> rows = new ArrayList<>();
        while (left > 0) {
            int[] row = new int[k];
            Arrays.fill(row, -1);
            seed(uncovered, sizes, row);
            for (int f : order) {
                if (row[f] >= 0) {
                    continue;
                }
                int best = 0;
                int bestGain = -1;
                for (int v = 0; v < sizes[f]; v++) {
                    int gain = 0;
                    for (int g = 0; g < k; g++) {
                        if (g != f && row[g] >= 0 && isUncovered(uncovered, sizes, f, v, g, row[g])) {
                            gain++;
                        }
                    }
                    if (gain > bestGain || gain == bestGain && used[f][v] < used[f][best]) {
                        best = v;
                        bestGain = gain;
                    }
                }
                row[f] = best;
            }
            for (int f = 0; f < k; f++) {
                used[f][row[f]]++;
                for (int g = f + 1; g < k; g++) {
                    int cell = row[f] * sizes[g] + row[g];
                    if (uncovered[f][g][cell]) {
                        uncovered[f][g][cell] = false;
                        left--;
                    }
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /** Sets the first uncovered pair (factor order, then value order) in {@code row}. */
    private static void seed(boolean[][][] uncovered, int[] sizes, int[] row) {
        for (int f = 0; f < sizes.length; f++) {
            for (int g = f + 1; g < sizes.length; g++) {
                boolean[] u = uncovered[f][g];
                for (int cell = 0; cell < u.length; cell++) {
                    if (u[cell]) {
                        row[f] = cell / sizes[g];
                        row[g] = cell % sizes[g];
                        return;
                    }
                }
            }
        }
    }

    private static boolean isUncovered(boolean[][][] uncovered, int[] sizes, int f, int v, int g, int w) {
        return f < g ? uncovered[f][g][v * sizes[g] + w] : uncovered[g][f][w * sizes[f] + v];
    }
}
