package io.squashroot.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;

/**
 * libfuse2's {@code fuse_operations} callbacks with every {@code const char *} (paths, xattr
 * names, symlink targets) left as a pointer.
 *
 * <p>Why not jnr-fuse's own callback types: they declare those arguments as {@code String},
 * which jnr decodes with the JVM's default charset. Under {@code LANG=C} that is ASCII, and
 * under UTF-8 a name that is not valid UTF-8 becomes U+FFFD, so such files could be listed but
 * never opened. {@link JnrFuseBackend} reads the bytes itself and decodes them with
 * {@link io.squashroot.tree.NameBytes}, which gives every byte string a String of its own.
 * jnr-fuse is still used for the struct layouts; these closures are stored in its
 * {@code FuseOperations} at the same offsets.
 */
final class RawCallbacks {
    private RawCallbacks() {
    }

    public interface GetAttr {
        @Delegate
        int getattr(Pointer path, Pointer stbuf);
    }

    public interface Fgetattr {
        @Delegate
        int fgetattr(Pointer path, Pointer stbuf, Pointer fi);
    }

    public interface Readdir {
        @Delegate
        int readdir(Pointer path, Pointer buf, Pointer filler, @off_t long offset, Pointer fi);
    }

    /** open, release, flush: a path and its fuse_file_info. */
    public interface PathFile {
        @Delegate
        int call(Pointer path, Pointer fi);
    }

    /** read and write. */
    public interface Io {
        @Delegate
        int io(Pointer path, Pointer buf, @size_t long size, @off_t long offset, Pointer fi);
    }

    public interface Readlink {
        @Delegate
        int readlink(Pointer path, Pointer buf, @size_t long size);
    }

    public interface Getxattr {
        @Delegate
        int getxattr(Pointer path, Pointer name, Pointer value, @size_t long size);
    }

    public interface Listxattr {
        @Delegate
        int listxattr(Pointer path, Pointer list, @size_t long size);
    }

    /** statfs and utimens: a path and a struct. */
    public interface PathStruct {
        @Delegate
        int call(Pointer path, Pointer struct);
    }

    public interface Access {
        @Delegate
        int access(Pointer path, int mask);
    }

    public interface Destroy {
        @Delegate
        void destroy(Pointer data);
    }

    public interface Create {
        @Delegate
        int create(Pointer path, @mode_t long mode, Pointer fi);
    }

    public interface Truncate {
        @Delegate
        int truncate(Pointer path, @off_t long size);
    }

    public interface Ftruncate {
        @Delegate
        int ftruncate(Pointer path, @off_t long size, Pointer fi);
    }

    /** mkdir and chmod. */
    public interface PathMode {
        @Delegate
        int call(Pointer path, @mode_t long mode);
    }

    public interface Mknod {
        @Delegate
        int mknod(Pointer path, @mode_t long mode, @dev_t long rdev);
    }

    /** symlink, link, rename, removexattr: two strings. */
    public interface TwoPaths {
        @Delegate
        int call(Pointer first, Pointer second);
    }

    /** unlink and rmdir. */
    public interface PathOnly {
        @Delegate
        int call(Pointer path);
    }

    public interface Chown {
        @Delegate
        int chown(Pointer path, @uid_t long uid, @gid_t long gid);
    }

    public interface Setxattr {
        @Delegate
        int setxattr(Pointer path, Pointer name, Pointer value, @size_t long size, int flags);
    }

    public interface Fsync {
        @Delegate
        int fsync(Pointer path, int dataOnly, Pointer fi);
    }
}
