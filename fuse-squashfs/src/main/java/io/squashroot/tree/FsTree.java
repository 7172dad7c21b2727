package io.squashroot.tree;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The project's own FUSE binding: the one interface every mountable tree implements (the
 * read-only SquashFS tree, the copy-on-write overlay) and the only thing a FUSE backend
 * (today {@code JnrFuseBackend}, later perhaps a Panama/libfuse3 one) calls.
 *
 * <p>Why path-based: libfuse's high-level API, which jnr-fuse wraps, hands us paths; keeping
 * that shape avoids a second inode table in the backend. Trees that need stable inode numbers
 * report them in {@link FileAttr#ino()} and the backend passes {@code use_ino}.
 *
 * <p>Errors are errno values carried by {@link FsException}; no other exception may escape a
 * method (the backend maps anything else to EIO and logs it once). Every write operation
 * defaults to EROFS, so a read-only tree implements only the first block of methods.
 *
 * <p>Methods are called concurrently from the backend's worker pool: implementations must be
 * thread-safe.
 */
public interface FsTree {

    // ---- read side -------------------------------------------------------------------------

    /** lstat(2) of {@code path}; never follows a final symlink. */
    FileAttr getattr(String path) throws FsException;

    /**
     * Lists a directory, "." and ".." included, passing attributes where cheap so the kernel
     * can skip a getattr per entry (readdirplus-style).
     */
    void readdir(String path, DirFiller filler) throws FsException;

    /** Opens a file and returns a handle the tree understands (0 when it keeps none). */
    long open(String path, int flags, Caller caller) throws FsException;

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its
     * position; returns the number of bytes read, 0 at or past end of file.
     */
    int read(String path, long handle, ByteBuffer dst, long offset) throws FsException;

    /** Releases a handle returned by {@link #open} or {@link #create}. */
    default void release(String path, long handle) throws FsException {
    }

    /** The target of a symlink, as raw bytes. */
    byte[] readlink(String path) throws FsException;

    /** The value of one extended attribute; ENODATA when absent. */
    byte[] getxattr(String path, String name) throws FsException;

    /** The names of the extended attributes of {@code path}. */
    List<String> listxattr(String path) throws FsException;

    /** Filesystem statistics, as statvfs(2). */
    FsStat statfs(String path) throws FsException;

    /** access(2) check for {@code mask} (R_OK=4, W_OK=2, X_OK=1, F_OK=0). */
    default void access(String path, int mask, Caller caller) throws FsException {
        getattr(path);
        if ((mask & 2) != 0 && isReadOnly()) {
            throw new FsException(Errno.EROFS);
        }
    }

    /** True when every write operation answers EROFS. */
    default boolean isReadOnly() {
        return true;
    }

    /** Called once when the filesystem is unmounted. */
    default void destroy() {
    }

    // ---- write side: EROFS unless overridden ----------------------------------------------

    default long create(String path, int mode, int flags, Caller caller) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /** Writes {@code src.remaining()} bytes at {@code offset}; returns the count written. */
    default int write(String path, long handle, ByteBuffer src, long offset) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /** truncate/ftruncate; {@code handle} is -1 when no open file is given. */
    default void truncate(String path, long size, long handle) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    default void mkdir(String path, int mode, Caller caller) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /** mknod with the full st_mode (type bits included) and a Linux dev_t. */
    default void mknod(String path, int mode, long rdev, Caller caller) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    default void symlink(String target, String linkPath, Caller caller) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    default void link(String existingPath, String newPath) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    default void unlink(String path) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    default void rmdir(String path) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /** rename(2); {@code flags} carries RENAME_NOREPLACE (1) / RENAME_EXCHANGE (2) when set. */
    default void rename(String from, String to, int flags) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /** chmod; {@code mode} holds permission bits only (07777). */
    default void chmod(String path, int mode) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /** chown; -1 leaves that id unchanged. */
    default void chown(String path, long uid, long gid) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /**
     * utimensat; times in nanoseconds since the epoch, or {@link FileAttr#UTIME_NOW} /
     * {@link FileAttr#UTIME_OMIT}.
     */
    default void utimens(String path, long atimeNanos, long mtimeNanos) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    /** setxattr; flags XATTR_CREATE (1) / XATTR_REPLACE (2). */
    default void setxattr(String path, String name, byte[] value, int flags) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    default void removexattr(String path, String name) throws FsException {
        throw new FsException(Errno.EROFS);
    }

    default void fsync(String path, long handle, boolean dataOnly) throws FsException {
    }

    /**
     * Called at every close(2) of a descriptor (FUSE FLUSH). The default has nothing to do and
     * answers ENOSYS, which the kernel takes as "never send FLUSH on this mount again": one
     * round trip less per close (an untar closes every file it writes). A tree that must act at
     * close overrides it.
     */
    default void flush(String path, long handle) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }
}
