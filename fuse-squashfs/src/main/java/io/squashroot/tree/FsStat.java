package io.squashroot.tree;

/** statvfs(2) figures. */
public record FsStat(long blockSize, long blocks, long blocksFree, long blocksAvail,
                     long files, long filesFree, long nameMax) {
}
