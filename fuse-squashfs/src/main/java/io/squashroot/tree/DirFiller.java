package io.squashroot.tree;

/** Receives directory entries from {@link FsTree#readdir}. */
@FunctionalInterface
public interface DirFiller {
    /**
     * Adds one entry; {@code attr} may be null when attributes are not cheap to produce.
     *
     * @return false when the kernel's buffer is full and listing should stop
     */
    boolean add(String name, FileAttr attr);
}
