package io.squashroot.squashfs;

import java.util.Arrays;

/**
 * A regular file's block size words (§7.2) with where each block starts, so that a read at
 * the end of a file of millions of blocks finds its block without summing the whole list.
 *
 * <p>Why checkpoints instead of a full prefix array: the words cost 4 bytes a block, as the
 * format stores them; a {@code long} offset per block would triple that. Every
 * {@value #STRIDE}th block's offset is kept instead (8 bytes per {@value #STRIDE} blocks, an
 * eighth of a byte a block), and block {@code i} is found from the checkpoint before it plus at
 * most {@value #STRIDE} - 1 words: constant time whatever the file's size.
 */
public final class BlockList {
    /** Blocks between checkpoints: a power of two so the checkpoint is a shift away. */
    static final int STRIDE = 64;
    private static final int SHIFT = Integer.numberOfTrailingZeros(STRIDE);
    /** Bits of a size word that hold the stored length (§7.2; bit 24 marks an uncompressed block). */
    private static final int LENGTH_MASK = 0x00FF_FFFF;

    private final int[] words;
    /** {@code checkpoints[k]}: bytes stored before block {@code k * STRIDE}. */
    private final long[] checkpoints;

    private BlockList(int[] words, long[] checkpoints) {
        this.words = words;
        this.checkpoints = checkpoints;
    }

    /** The first {@code count} words of {@code words} (the array is kept, not copied). */
    static BlockList of(int[] words, int count) {
        int[] w = words.length == count ? words : Arrays.copyOf(words, count);
        long[] cp = new long[(count + STRIDE - 1) >>> SHIFT];
        long sum = 0;
        for (int i = 0; i < count; i++) {
            if ((i & (STRIDE - 1)) == 0) {
                cp[i >>> SHIFT] = sum;
            }
            sum += w[i] & LENGTH_MASK;
        }
        return new BlockList(w, cp);
    }

    /** Number of blocks stored in the data area (the tail in a fragment is not one of them). */
    public int count() {
        return words.length;
    }

    /** The on-disk size word of block {@code i}: 0 for a sparse block, bit 24 set when stored uncompressed. */
    public int word(int i) {
        return words[i];
    }

    /**
     * Bytes stored before block {@code i}, i.e. its position relative to the file's first block;
     * {@code i == count()} gives the total stored length.
     */
    public long offset(int i) {
        if (i < 0 || i > words.length) {
            throw new IndexOutOfBoundsException("block " + i + " of " + words.length);
        }
        int k = i >>> SHIFT;
        if (k == checkpoints.length) {
            k--;
        }
        if (k < 0) {
            return 0;
        }
        long sum = checkpoints[k];
        for (int j = k << SHIFT; j < i; j++) {
            sum += words[j] & LENGTH_MASK;
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockList b && Arrays.equals(b.words, words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "BlockList[" + words.length + " blocks]";
    }
}
