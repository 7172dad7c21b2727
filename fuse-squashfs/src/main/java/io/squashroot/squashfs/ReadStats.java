package io.squashroot.squashfs;

/**
 * What reading one open image has cost so far: requests and bytes sent to the image file, and
 * how often the in-memory chunk cache and the node cache answered instead.
 *
 * @param backingRequests read requests sent to the image file
 * @param backingBytes bytes read from the image file
 * @param memoryHits chunk reads answered from memory
 * @param memoryMisses chunk reads that went further (node cache or file)
 * @param nodeHits chunks found valid in the node cache
 * @param nodeMisses chunks the node cache did not have (fetched from the file and stored)
 * @param nodeCorrupt node cache chunks that failed their check and were replaced
 * @param readaheadChunks chunks fetched ahead of a sequential reader
 */
public record ReadStats(long backingRequests, long backingBytes, long memoryHits, long memoryMisses,
        long nodeHits, long nodeMisses, long nodeCorrupt, long readaheadChunks) {

    public static final ReadStats NONE = new ReadStats(0, 0, 0, 0, 0, 0, 0, 0);

    public ReadStats plus(ReadStats o) {
        return new ReadStats(backingRequests + o.backingRequests, backingBytes + o.backingBytes,
                memoryHits + o.memoryHits, memoryMisses + o.memoryMisses, nodeHits + o.nodeHits,
                nodeMisses + o.nodeMisses, nodeCorrupt + o.nodeCorrupt, readaheadChunks + o.readaheadChunks);
    }
}
