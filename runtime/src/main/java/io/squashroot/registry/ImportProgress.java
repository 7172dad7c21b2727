package io.squashroot.registry;

/** What an import reports as it goes; the CLI draws bars on a terminal or prints lines. */
public interface ImportProgress {

    enum LayerState { CACHED, DOWNLOADING, CONVERTED, FAILED }

    /** A step of the import ("Fetching manifest", "Writing flat image ..."). */
    default void phase(String message) {
    }

    /** A layer changed state; {@code size} is the blob size from the manifest. */
    default void layer(int index, int count, Digest digest, long size, LayerState state) {
    }

    /** {@code delta} more bytes of a layer were received (called from download threads). */
    default void bytes(Digest digest, long delta) {
    }

    ImportProgress NONE = new ImportProgress() {
    };
}
