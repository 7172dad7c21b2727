package io.squashroot.squashfs;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link ReadStats}, one set per open image; updated from any thread. */
final class ReadCounters {
    final LongAdder backingRequests = new LongAdder();
    final LongAdder backingBytes = new LongAdder();
    final LongAdder memoryHits = new LongAdder();
    final LongAdder memoryMisses = new LongAdder();
    final LongAdder nodeHits = new LongAdder();
    final LongAdder nodeMisses = new LongAdder();
    final LongAdder nodeCorrupt = new LongAdder();
    final LongAdder readahead = new LongAdder();

    ReadStats snapshot() {
        return new ReadStats(backingRequests.sum(), backingBytes.sum(), memoryHits.sum(), memoryMisses.sum(),
                nodeHits.sum(), nodeMisses.sum(), nodeCorrupt.sum(), readahead.sum());
    }
}
