package io.squashroot.tree;

/** The process on whose behalf a request runs, as the kernel reports it. */
public record Caller(long uid, long gid, long pid) {
}
