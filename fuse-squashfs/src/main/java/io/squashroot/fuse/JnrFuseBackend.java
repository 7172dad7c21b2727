package io.squashroot.fuse;

import io.squashroot.tree.FsTree;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.Caller;
import io.squashroot.tree.FsStat;
import io.squashroot.tree.FsException;
import io.squashroot.tree.Errno;
import io.squashroot.tree.NameBytes;


import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The one class that speaks jnr: it fills libfuse2's high-level {@code fuse_operations} with
 * callbacks that translate into {@link FsTree} calls, and drives the session itself.
 *
 * <p>Why not jnr-fuse's {@code mount()}: it runs {@code fuse_main_real}, whose multi-threaded
 * loop ({@code fuse_loop_mt}) starts a thread per burst of requests and lets idle ones exit,
 * so a busy mount keeps creating threads (each of which jnr must attach). Here the mount is
 * set up with {@code fuse_mount}/{@code fuse_new} and a fixed set of Java threads each run
 * {@link #serve()}: receive one request from the channel, process it, repeat, until the kernel
 * reports the connection gone (ENODEV on unmount). jnr-fuse is used only for its struct
 * layouts; the callbacks are {@link RawCallbacks}, which take names as bytes.
 *
 * <p>No exception may cross back into native code: {@link FsException} becomes its -errno,
 * anything else -EIO, logged the first time only.
 */
final class JnrFuseBackend implements FuseSession {

    private static final Logger LOG = Logger.getLogger(JnrFuseBackend.class.getName());

    /** The libfuse2 calls used here (fuse.h, fuse_lowlevel.h of libfuse 2.9). */
    public interface LibFuse2 {
        Pointer fuse_mount(String mountpoint, Pointer args);

        Pointer fuse_get_session(Pointer fuse);

        @size_t long fuse_chan_bufsize(Pointer ch);

        int fuse_chan_recv(Pointer chp, Pointer buf, @size_t long size);

        void fuse_session_process(Pointer se, Pointer buf, @size_t long len, Pointer ch);

        int fuse_session_exited(Pointer se);

        void fuse_session_exit(Pointer se);

        void fuse_unmount(String mountpoint, Pointer ch);

        void fuse_destroy(Pointer fuse);

        Pointer fuse_get_context();
    }

    /** dlopen/dlvsym, to pick one version of a symbol libfuse exports several times. */
    public interface LibDl {
        Pointer dlopen(String file, int mode);

        Pointer dlvsym(Pointer handle, String symbol, String version);
    }

    private static LibFuse2 lib;
    private static long fuseNewAddress;

    /**
     * Loads libfuse2 once per process. {@code SQUASHROOT_LIBFUSE} (or the system property
     * {@code squashroot.libfuse}) names the library file to use instead of the system's.
     */
    static synchronized LibFuse2 library() throws FuseUnavailableException {
        if (lib != null) {
            return lib;
        }
        String override = System.getProperty("squashroot.libfuse", System.getenv("SQUASHROOT_LIBFUSE"));
        try {
            if (override != null && !override.isEmpty()) {
                if (!Files.isRegularFile(Path.of(override))) {
                    throw new FuseUnavailableException("libfuse2 not found at " + override
                            + " (SQUASHROOT_LIBFUSE): install libfuse2 (apt-get install libfuse2) or fix the path");
                }
                lib = LibraryLoader.create(LibFuse2.class).failImmediately().load(override);
            } else {
                lib = LibraryLoader.create(LibFuse2.class).failImmediately().load("libfuse.so.2");
            }
        } catch (UnsatisfiedLinkError | IllegalStateException | IllegalArgumentException e) {
            throw new FuseUnavailableException("libfuse2 (libfuse.so.2) not found: install it "
                    + "(Debian/Ubuntu: apt-get install libfuse2; RHEL: dnf install fuse-libs)");
        }
        fuseNewAddress = versionedSymbol(override != null && !override.isEmpty() ? override : "libfuse.so.2",
                "fuse_new", "FUSE_2.6");
        return lib;
    }

    /**
     * libfuse2 also exports an unversioned compat {@code fuse_new} (the 2.1 signature), and an
     * unversioned dlsym() binds to that one; the 2.6 API must be asked for by version.
     */
    private static long versionedSymbol(String library, String symbol, String version)
            throws FuseUnavailableException {
        LibDl dl = LibraryLoader.create(LibDl.class).failImmediately().load("c");
        Pointer handle = dl.dlopen(library, 1 /* RTLD_LAZY */);
        Pointer sym = handle == null ? null : dl.dlvsym(handle, symbol, version);
        if (sym == null) {
            throw new FuseUnavailableException(library + " has no " + symbol + "@" + version
                    + ": install libfuse2 2.9 (apt-get install libfuse2)");
        }
        return sym.address();
    }

    /** struct fuse *fuse_new(struct fuse_chan *, struct fuse_args *, const struct fuse_operations *, size_t, void *). */
    private static final CallContext FUSE_NEW = CallContext.getCallContext(Type.POINTER,
            new Type[] {Type.POINTER, Type.POINTER, Type.POINTER, Type.ULONG, Type.POINTER},
            CallingConvention.DEFAULT, false);

    private Pointer fuseNew(Pointer ch, Pointer args) {
        int size = Struct.size(ops);
        opsMemory = Memory.allocateDirect(runtime, size, true);
        opsMemory.transferFrom(0, Struct.getMemory(ops), 0, size);
        long f = Invoker.getInstance().invokeN5(FUSE_NEW, fuseNewAddress, ch.address(), args.address(),
                opsMemory.address(), size, 0);
        return f == 0 ? null : runtime.getMemoryManager().newPointer(f);
    }

    private final FsTree tree;
    private final long uid;
    private final long gid;
    private final LibFuse2 fuse;
    private final Runtime runtime = Runtime.getSystemRuntime();
    private final FuseOperations ops;
    private final AtomicBoolean internalErrorLogged = new AtomicBoolean();
    /** fuse_fill_dir_t: int (*)(void *buf, const char *name, const struct stat *stbuf, off_t off). */
    private static final CallContext FILL_DIR = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.POINTER, Type.POINTER, Type.POINTER, Type.SLONG_LONG}, CallingConvention.DEFAULT, false);
    private final int statSize;
    private final ThreadLocal<Pointer> statScratch;
    private final ThreadLocal<Pointer> nameScratch;
    // jnr structs cost a dozen allocations each to build: keep one view per worker and point it
    // at each request's memory instead.
    private final ThreadLocal<FileStat> statView;
    private final ThreadLocal<FuseFileInfo> infoView;

    /** Bigger than any name a kernel accepts (NAME_MAX 255 bytes) plus its NUL. */
    private static final int NAME_SCRATCH = 1024;

    /** Closures handed to libfuse: kept reachable for as long as the session may call them. */
    private final List<Object> closures = new java.util.ArrayList<>();
    private Pointer opsMemory;
    private Pointer fusePtr;
    private Pointer session;
    private Pointer channel;
    private Pointer argsMemory;
    private String mountpoint;

    /**
     * @param uid owner every node is presented with, or -1 for the tree's own
     * @param gid group likewise
     * @param writable whether write operations can reach the tree (else they are not wired)
     */
    JnrFuseBackend(FsTree tree, long uid, long gid, boolean writable) throws FuseUnavailableException {
        this.tree = tree;
        this.uid = uid;
        this.gid = gid;
        this.fuse = library();
        this.ops = new FuseOperations(runtime);
        this.statSize = Struct.size(new FileStat(runtime));
        this.statScratch = ThreadLocal.withInitial(() -> Memory.allocateDirect(runtime, statSize, true));
        this.nameScratch = ThreadLocal.withInitial(() -> Memory.allocateDirect(runtime, NAME_SCRATCH, false));
        this.statView = ThreadLocal.withInitial(() -> new FileStat(runtime));
        this.infoView = ThreadLocal.withInitial(() -> FuseFileInfo.of(Memory.allocateDirect(runtime, 64, true)));
        wire();
        // Each callback costs jnr a generated class at start-up; on a read-only mount of a
        // read-only tree the kernel answers EROFS to writes before they would reach them.
        if (writable) {
            wireWrites();
        }
    }

    /**
     * Mounts (root: mount(2); others: through fusermount) and creates the session; requests
     * are served only once threads call {@link #serve()}.
     *
     * @param options libfuse command-line options, e.g. {@code ["-o", "ro,use_ino"]}
     */
    void mount(Path mountpoint, List<String> options) throws IOException {
        this.mountpoint = mountpoint.toString();
        argsMemory = fuseArgs(options);
        channel = fuse.fuse_mount(this.mountpoint, argsMemory);
        if (channel == null) {
            throw new IOException(mountpoint + ": mount failed (libfuse's message is above;"
                    + " as a user this needs fusermount and /dev/fuse readable and writable)");
        }
        fusePtr = fuseNew(channel, argsMemory);
        if (fusePtr == null) {
            fuse.fuse_unmount(this.mountpoint, channel);
            throw new IOException(mountpoint + ": FUSE session setup failed (bad mount options? "
                    + String.join(" ", options) + ")");
        }
        session = fuse.fuse_get_session(fusePtr);
    }

    /**
     * One worker: receives and processes requests until the session ends. Each worker owns its
     * receive buffer, sized by libfuse for the largest request (a max_write payload).
     */
    @Override
    public void serve() {
        long size = fuse.fuse_chan_bufsize(channel);
        Pointer buf = Memory.allocateDirect(runtime, (int) size, false);
        Pointer chp = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        while (fuse.fuse_session_exited(session) == 0) {
            chp.putPointer(0, channel);
            int n = fuse.fuse_chan_recv(chp, buf, size);
            if (n == -Errno.EINTR || n == -Errno.EAGAIN) {
                continue;
            }
            if (n <= 0) {
                fuse.fuse_session_exit(session);
                break;
            }
            SetattrTimes.complete(buf, n);
            fuse.fuse_session_process(session, buf, n, chp.getPointer(0));
        }
    }

    /** Ends the session so idle workers return once the kernel connection is gone. */
    @Override
    public void exit() {
        if (session != null) {
            fuse.fuse_session_exit(session);
        }
    }

    /**
     * Closes the channel (unmounting lazily if the mount is still there) and frees the session;
     * call after every worker has returned.
     */
    @Override
    public void destroy() {
        if (channel != null) {
            fuse.fuse_unmount(mountpoint, channel);
            channel = null;
        }
        if (fusePtr != null) {
            fuse.fuse_destroy(fusePtr);
            fusePtr = null;
        }
    }

    /** Builds a {@code struct fuse_args} {argc, argv, allocated=0} whose strings stay alive. */
    private Pointer fuseArgs(List<String> options) {
        int argc = options.size() + 1;
        Pointer argv = Memory.allocateDirect(runtime, (argc + 1) * runtime.addressSize(), true);
        argStrings = new Pointer[argc];
        for (int i = 0; i < argc; i++) {
            String s = i == 0 ? "squashroot" : options.get(i - 1);
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            Pointer p = Memory.allocateDirect(runtime, b.length + 1, true);
            p.put(0, b, 0, b.length);
            argStrings[i] = p;
            argv.putPointer((long) i * runtime.addressSize(), p);
        }
        Pointer args = Memory.allocateDirect(runtime, 8 + 2 * runtime.addressSize(), true);
        args.putInt(0, argc);
        args.putPointer(runtime.addressSize(), argv);
        args.putInt(2L * runtime.addressSize(), 0);
        argvMemory = argv;
        return args;
    }

    // Kept reachable: libfuse may keep pointers into argv until the session is destroyed.
    private Pointer[] argStrings;
    private Pointer argvMemory;

    // ---- callbacks ------------------------------------------------------------------------

    private int fail(Throwable t, String op, String path) {
        if (t instanceof FsException e) {
            return -e.errno();
        }
        if (internalErrorLogged.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "squashroot: " + op + " " + path + " failed (answering EIO; further"
                    + " unexpected errors are not logged)", t);
        }
        return -Errno.EIO;
    }

    private Caller caller() {
        Pointer ctx = fuse.fuse_get_context();
        if (ctx == null) {
            return new Caller(0, 0, 0);
        }
        // struct fuse_context { struct fuse *fuse; uid_t uid; gid_t gid; pid_t pid; ... }
        long base = runtime.addressSize();
        return new Caller(ctx.getInt(base) & 0xffffffffL, ctx.getInt(base + 4) & 0xffffffffL,
                ctx.getInt(base + 8));
    }

    private void fillStat(FileAttr a, Pointer stbuf) {
        FileStat st = statView.get();
        st.useMemory(stbuf);
        st.st_ino.set(a.ino());
        st.st_mode.set(a.mode());
        st.st_nlink.set(a.nlink());
        st.st_uid.set(uid >= 0 ? uid : a.uid());
        st.st_gid.set(gid >= 0 ? gid : a.gid());
        st.st_rdev.set(a.rdev());
        st.st_size.set(a.size());
        st.st_blocks.set(a.blocks());
        st.st_blksize.set(4096);
        st.st_atim.tv_sec.set(a.atimeSec());
        st.st_atim.tv_nsec.set(a.atimeNsec());
        st.st_mtim.tv_sec.set(a.mtimeSec());
        st.st_mtim.tv_nsec.set(a.mtimeNsec());
        st.st_ctim.tv_sec.set(a.ctimeSec());
        st.st_ctim.tv_nsec.set(a.ctimeNsec());
    }

    private FuseFileInfo info(Pointer fi) {
        FuseFileInfo info = infoView.get();
        info.useMemory(fi);
        return info;
    }

    private long fh(Pointer fi) {
        return fi == null ? -1 : info(fi).fh.get();
    }

    private static int putBytes(byte[] value, Pointer dst, long size) {
        if (size == 0) {
            return value.length;
        }
        if (value.length > size) {
            return -Errno.ERANGE;
        }
        dst.put(0, value, 0, value.length);
        return value.length;
    }

    private static long unsignedToId(long id) {
        return id == 0xffffffffL ? -1 : id;
    }

    private static long timeNanos(Timespec t) {
        long nsec = t.tv_nsec.longValue();
        if (nsec == FileAttr.UTIME_NOW || nsec == FileAttr.UTIME_OMIT) {
            return nsec;
        }
        return t.tv_sec.get() * 1_000_000_000L + nsec;
    }

    private void wire() {
        set(ops.getattr, RawCallbacks.GetAttr.class, (pathPtr, stbuf) -> {
            String path = string(pathPtr);
            try {
                fillStat(tree.getattr(path), stbuf);
                return 0;
            } catch (Throwable t) {
                return fail(t, "getattr", path);
            }
        });
        set(ops.fgetattr, RawCallbacks.Fgetattr.class, (pathPtr, stbuf, fi) -> {
            String path = string(pathPtr);
            try {
                fillStat(tree.getattr(path), stbuf);
                return 0;
            } catch (Throwable t) {
                return fail(t, "fgetattr", path);
            }
        });
        set(ops.readdir, RawCallbacks.Readdir.class, (pathPtr, buf, fillerPtr, offset, fi) -> {
            String path = string(pathPtr);
            try {
                long fill = fillerPtr.address();
                Invoker invoker = Invoker.getInstance();
                Pointer st = statScratch.get();
                Pointer name = nameScratch.get();
                tree.readdir(path, (n, attr) -> {
                    byte[] b = NameBytes.encode(n);
                    if (b.length >= NAME_SCRATCH) {
                        return true; // longer than any kernel name: skip rather than truncate
                    }
                    name.put(0, b, 0, b.length);
                    name.putByte(b.length, (byte) 0);
                    long stp = 0;
                    if (attr != null) {
                        st.setMemory(0, statSize, (byte) 0);
                        fillStat(attr, st);
                        stp = st.address();
                    }
                    return (int) invoker.invokeN4(FILL_DIR, fill, buf.address(), name.address(), stp, 0) == 0;
                });
                return 0;
            } catch (Throwable t) {
                return fail(t, "readdir", path);
            }
        });
        set(ops.open, RawCallbacks.PathFile.class, (pathPtr, fi) -> {
            String path = string(pathPtr);
            try {
                FuseFileInfo info = info(fi);
                info.fh.set(tree.open(path, info.flags.get(), caller()));
                return 0;
            } catch (Throwable t) {
                return fail(t, "open", path);
            }
        });
        set(ops.read, RawCallbacks.Io.class, (pathPtr, buf, size, offset, fi) -> {
            String path = string(pathPtr);
            try {
                ByteBuffer dst = MemoryIO.getInstance().newDirectByteBuffer(buf.address(), (int) size);
                return tree.read(path, fh(fi), dst, offset);
            } catch (Throwable t) {
                return fail(t, "read", path);
            }
        });
        set(ops.release, RawCallbacks.PathFile.class, (pathPtr, fi) -> {
            String path = string(pathPtr);
            try {
                tree.release(path, fh(fi));
                return 0;
            } catch (Throwable t) {
                return fail(t, "release", path);
            }
        });
        set(ops.readlink, RawCallbacks.Readlink.class, (pathPtr, buf, size) -> {
            String path = string(pathPtr);
            try {
                byte[] target = tree.readlink(path);
                int n = (int) Math.min(target.length, size - 1);
                buf.put(0, target, 0, n);
                buf.putByte(n, (byte) 0);
                return 0;
            } catch (Throwable t) {
                return fail(t, "readlink", path);
            }
        });
        set(ops.getxattr, RawCallbacks.Getxattr.class, (pathPtr, namePtr, value, size) -> {
            String path = string(pathPtr);
            String name = string(namePtr);
            try {
                return putBytes(tree.getxattr(path, name), value, size);
            } catch (Throwable t) {
                return fail(t, "getxattr", path);
            }
        });
        set(ops.listxattr, RawCallbacks.Listxattr.class, (pathPtr, list, size) -> {
            String path = string(pathPtr);
            try {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                for (String n : tree.listxattr(path)) {
                    out.writeBytes(NameBytes.encode(n));
                    out.write(0);
                }
                return putBytes(out.toByteArray(), list, size);
            } catch (Throwable t) {
                return fail(t, "listxattr", path);
            }
        });
        set(ops.statfs, RawCallbacks.PathStruct.class, (pathPtr, stbuf) -> {
            String path = string(pathPtr);
            try {
                FsStat s = tree.statfs(path);
                Statvfs v = Statvfs.of(stbuf);
                v.f_bsize.set(s.blockSize());
                v.f_frsize.set(s.blockSize());
                v.f_blocks.set(s.blocks());
                v.f_bfree.set(s.blocksFree());
                v.f_bavail.set(s.blocksAvail());
                v.f_files.set(s.files());
                v.f_ffree.set(s.filesFree());
                v.f_favail.set(s.filesFree());
                v.f_namemax.set(s.nameMax());
                return 0;
            } catch (Throwable t) {
                return fail(t, "statfs", path);
            }
        });
        set(ops.access, RawCallbacks.Access.class, (pathPtr, mask) -> {
            String path = string(pathPtr);
            try {
                tree.access(path, mask, caller());
                return 0;
            } catch (Throwable t) {
                return fail(t, "access", path);
            }
        });
        ops.destroy.set(p -> {
            try {
                tree.destroy();
            } catch (Throwable t) {
                fail(t, "destroy", "/");
            }
        });
    }

    private void wireWrites() {
        set(ops.create, RawCallbacks.Create.class, (pathPtr, mode, fi) -> {
            String path = string(pathPtr);
            try {
                FuseFileInfo info = info(fi);
                info.fh.set(tree.create(path, (int) mode, info.flags.get(), caller()));
                return 0;
            } catch (Throwable t) {
                return fail(t, "create", path);
            }
        });
        set(ops.write, RawCallbacks.Io.class, (pathPtr, buf, size, offset, fi) -> {
            String path = string(pathPtr);
            try {
                ByteBuffer src = MemoryIO.getInstance().newDirectByteBuffer(buf.address(), (int) size);
                return tree.write(path, fh(fi), src, offset);
            } catch (Throwable t) {
                return fail(t, "write", path);
            }
        });
        set(ops.truncate, RawCallbacks.Truncate.class, (p, size) ->
                run(path -> tree.truncate(path, size, -1), "truncate", p));
        set(ops.ftruncate, RawCallbacks.Ftruncate.class, (p, size, fi) ->
                run(path -> tree.truncate(path, size, fh(fi)), "ftruncate", p));
        set(ops.mkdir, RawCallbacks.PathMode.class, (p, mode) ->
                run(path -> tree.mkdir(path, (int) mode, caller()), "mkdir", p));
        set(ops.mknod, RawCallbacks.Mknod.class, (p, mode, rdev) ->
                run(path -> tree.mknod(path, (int) mode, rdev, caller()), "mknod", p));
        set(ops.symlink, RawCallbacks.TwoPaths.class, (target, link) ->
                run(path -> tree.symlink(string(target), path, caller()), "symlink", link));
        set(ops.link, RawCallbacks.TwoPaths.class, (from, to) ->
                run(path -> tree.link(string(from), path), "link", to));
        set(ops.unlink, RawCallbacks.PathOnly.class, p -> run(tree::unlink, "unlink", p));
        set(ops.rmdir, RawCallbacks.PathOnly.class, p -> run(tree::rmdir, "rmdir", p));
        set(ops.rename, RawCallbacks.TwoPaths.class, (from, to) ->
                run(path -> tree.rename(path, string(to), 0), "rename", from));
        set(ops.chmod, RawCallbacks.PathMode.class, (p, mode) ->
                run(path -> tree.chmod(path, (int) mode & 07777), "chmod", p));
        set(ops.chown, RawCallbacks.Chown.class, (p, u, g) ->
                run(path -> tree.chown(path, unsignedToId(u), unsignedToId(g)), "chown", p));
        set(ops.utimens, RawCallbacks.PathStruct.class, (p, ts) -> run(path -> {
            Timespec atime = Timespec.of(ts);
            Timespec mtime = Timespec.of(ts.slice(Struct.size(atime)));
            tree.utimens(path, timeNanos(atime), timeNanos(mtime));
        }, "utimens", p));
        set(ops.setxattr, RawCallbacks.Setxattr.class, (p, name, value, size, flags) -> run(path -> {
            byte[] v = new byte[(int) size];
            value.get(0, v, 0, v.length);
            tree.setxattr(path, string(name), v, flags);
        }, "setxattr", p));
        set(ops.removexattr, RawCallbacks.TwoPaths.class, (p, name) ->
                run(path -> tree.removexattr(path, string(name)), "removexattr", p));
        set(ops.fsync, RawCallbacks.Fsync.class, (p, dataOnly, fi) ->
                run(path -> tree.fsync(path, fh(fi), dataOnly != 0), "fsync", p));
        set(ops.flush, RawCallbacks.PathFile.class, (p, fi) -> run(path -> tree.flush(path, fh(fi)), "flush", p));
    }

    /** Stores {@code callback} in the operations struct at {@code field}'s offset and keeps it reachable. */
    private <T> void set(jnr.ffi.BaseStruct.Func<?> field, Class<T> type, T callback) {
        Pointer p = runtime.getClosureManager().getClosurePointer(type, callback);
        closures.add(callback);
        closures.add(p);
        Struct.getMemory(ops).putPointer(field.offset(), p);
    }

    /**
     * A {@code const char *} from libfuse (a path, an xattr name, a symlink target) decoded with
     * {@link NameBytes}, so that every byte string has a String of its own that encodes back to it.
     */
    private static String string(Pointer p) {
        if (p == null) {
            return null;
        }
        int len = p.indexOf(0, (byte) 0);
        byte[] b = new byte[len];
        p.get(0, b, 0, len);
        return NameBytes.decode(b);
    }

    @FunctionalInterface
    private interface TreeCall {
        void call(String path) throws FsException;
    }

    private int run(TreeCall call, String op, Pointer pathPtr) {
        String path = string(pathPtr);
        try {
            call.call(path);
            return 0;
        } catch (Throwable t) {
            return fail(t, op, path);
        }
    }
}
