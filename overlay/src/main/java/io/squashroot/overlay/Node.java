package io.squashroot.overlay;

import io.squashroot.tree.FileAttr;

/**
 * Where one path of the merged view lives: the topmost layer that shows it ({@code top}, 0 =
 * upper), its attributes when that layer is a lower one (immutable, so kept), and for a
 * directory every layer that merges into it, top first, ending at the first opaque one.
 */
record Node(String path, int top, FileAttr lowerAttr, int[] dirLayers) {

    boolean isDirectory() {
        return dirLayers != null;
    }

    boolean inUpper() {
        return top == 0;
    }

    /** Whether any lower layer contributes to this directory. */
    boolean hasLowerDirs() {
        for (int l : dirLayers) {
            if (l > 0) {
                return true;
            }
        }
        return false;
    }
}
