package io.squashroot.squashfs.write;

import java.util.Arrays;

/**
 * Where one regular file's bytes were put: its data blocks (format doc §7) and, optionally, its
 * tail in a fragment (§8). Filled in by {@link DataArea} as blocks reach the output.
 */
final class FileData {
    static final int NO_FRAGMENT = -1;

    long size;
    long blocksStart;
    int[] sizeWords = new int[0];
    int blockCount;
    long sparseBytes;
    int fragmentIndex = NO_FRAGMENT;
    int fragmentOffset;

    void addBlock(int word) {
        if (blockCount == sizeWords.length) {
            sizeWords = Arrays.copyOf(sizeWords, Math.max(4, blockCount * 2));
        }
        sizeWords[blockCount++] = word;
    }

    int[] words() {
        return blockCount == sizeWords.length ? sizeWords : Arrays.copyOf(sizeWords, blockCount);
    }
}
