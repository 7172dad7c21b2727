package io.squashroot.fuse;

/**
 * What {@link FuseMount} drives: a mounted FUSE connection served by worker threads. Two
 * implementations: {@link KernelSession} (the protocol spoken on /dev/fuse, the default) and
 * {@link JnrFuseBackend} (libfuse2's high-level loop, kept for comparison).
 */
interface FuseSession {

    /** One worker's loop: returns when the connection is gone. */
    void serve();

    /** Asks workers to stop once their current request is done. */
    void exit();

    /** Unmounts if still mounted and frees the connection; after every worker has returned. */
    void destroy();
}
