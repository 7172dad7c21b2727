package io.squashroot.fuse;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The native calls of the kernel-protocol session ({@link KernelSession}): libfuse2 only to
 * mount and unmount (it knows fusermount's socket protocol for users and mount(2)'s options
 * for root), libc's read/write on the /dev/fuse descriptor for everything else.
 *
 * <p>Why jffi and not jnr-ffi's {@code LibraryLoader}: jnr-ffi generates and loads a class
 * per bound interface at first use, tens of milliseconds on the path of a container start;
 * jffi calls a symbol address through a prepared call context with nothing generated.
 */
final class DevFuse {

    private static final Invoker INVOKER = Invoker.getInstance();
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    /** ssize_t read/write(int fd, void *buf, size_t count), errno saved. */
    private static final CallContext IO = CallContext.getCallContext(Type.SLONG,
            new Type[] {Type.SINT, Type.POINTER, Type.ULONG}, CallingConvention.DEFAULT, true);
    /** struct fuse_chan *fuse_mount(const char *mountpoint, struct fuse_args *args). */
    private static final CallContext MOUNT = CallContext.getCallContext(Type.POINTER,
            new Type[] {Type.POINTER, Type.POINTER}, CallingConvention.DEFAULT, false);
    /** int fuse_chan_fd(struct fuse_chan *ch). */
    private static final CallContext CHAN_FD = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.POINTER}, CallingConvention.DEFAULT, false);
    /** void fuse_unmount(const char *mountpoint, struct fuse_chan *ch). */
    private static final CallContext UNMOUNT = CallContext.getCallContext(Type.VOID,
            new Type[] {Type.POINTER, Type.POINTER}, CallingConvention.DEFAULT, false);

    private static long readFn;
    private static long writeFn;
    private static long mountFn;
    private static long chanFdFn;
    private static long unmountFn;

    private DevFuse() {
    }

    /**
     * Resolves the symbols once per process. {@code SQUASHROOT_LIBFUSE} (or the system property
     * {@code squashroot.libfuse}) names the library file to use instead of the system's.
     */
    static synchronized void load() throws FuseUnavailableException {
        if (mountFn != 0) {
            return;
        }
        String override = System.getProperty("squashroot.libfuse", System.getenv("SQUASHROOT_LIBFUSE"));
        String name = "libfuse.so.2";
        if (override != null && !override.isEmpty()) {
            if (!Files.isRegularFile(Path.of(override))) {
                throw new FuseUnavailableException("libfuse2 not found at " + override
                        + " (SQUASHROOT_LIBFUSE): install libfuse2 (apt-get install libfuse2) or fix the path");
            }
            name = override;
        }
        Library fuse;
        Library libc;
        try {
            fuse = Library.getCachedInstance(name, Library.LAZY | Library.LOCAL);
            libc = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL);
        } catch (UnsatisfiedLinkError e) {
            fuse = null;
            libc = null;
        }
        if (fuse == null || libc == null) {
            throw new FuseUnavailableException("libfuse2 (" + name + ") not found: install it "
                    + "(Debian/Ubuntu: apt-get install libfuse2; RHEL: dnf install fuse-libs)");
        }
        long m = fuse.getSymbolAddress("fuse_mount");
        long c = fuse.getSymbolAddress("fuse_chan_fd");
        long u = fuse.getSymbolAddress("fuse_unmount");
        if (m == 0 || c == 0 || u == 0) {
            throw new FuseUnavailableException(name + " lacks fuse_mount/fuse_chan_fd/fuse_unmount:"
                    + " install libfuse2 2.9 (apt-get install libfuse2)");
        }
        readFn = libc.getSymbolAddress("read");
        writeFn = libc.getSymbolAddress("write");
        chanFdFn = c;
        unmountFn = u;
        mountFn = m;
    }

    /** A mounted FUSE connection: the channel libfuse keeps and the device descriptor. */
    record Channel(long chan, int fd, long mountpointString) {
    }

    /**
     * Mounts through libfuse2 ({@code fuse_mount}: mount(2) as root, fusermount otherwise) with
     * {@code options} (e.g. {@code ["-o", "ro,nosuid"]}); libfuse prints its own reason on failure.
     */
    static Channel mount(Path mountpoint, List<String> options) throws IOException {
        long mp = cString(mountpoint.toString());
        long args = fuseArgs(options);
        long chan = INVOKER.invokeN2(MOUNT, mountFn, mp, args);
        if (chan == 0) {
            MEMORY.freeMemory(mp);
            throw new IOException(mountpoint + ": mount failed (libfuse's message is above;"
                    + " as a user this needs fusermount and /dev/fuse readable and writable)");
        }
        int fd = (int) INVOKER.invokeN1(CHAN_FD, chanFdFn, chan);
        return new Channel(chan, fd, mp);
    }

    /** Unmounts (lazily, if still mounted) and closes the descriptor; libfuse skips a mount already gone. */
    static void unmount(Channel ch) {
        INVOKER.invokeN2(UNMOUNT, unmountFn, ch.mountpointString(), ch.chan());
    }

    /** read(2) into native memory; returns the count or -errno. */
    static int read(int fd, long address, int size) {
        long n = INVOKER.invokeN3(IO, readFn, fd, address, size);
        return n < 0 ? -LastError.getInstance().get() : (int) n;
    }

    /** write(2) of one whole reply; returns the count or -errno. */
    static int write(int fd, long address, int size) {
        long n = INVOKER.invokeN3(IO, writeFn, fd, address, size);
        return n < 0 ? -LastError.getInstance().get() : (int) n;
    }

    static long address(java.nio.ByteBuffer direct) {
        return MEMORY.getDirectBufferAddress(direct);
    }

    /**
     * A {@code struct fuse_args} {argc, argv, allocated=0}. Never freed: libfuse replaces the
     * struct's contents with its own copies while parsing, and the strings are a few bytes once
     * per mount.
     */
    private static long fuseArgs(List<String> options) {
        int argc = options.size() + 1;
        long argv = MEMORY.allocateMemory((argc + 1) * 8L, true);
        for (int i = 0; i < argc; i++) {
            MEMORY.putAddress(argv + i * 8L, cString(i == 0 ? "squashroot" : options.get(i - 1)));
        }
        long args = MEMORY.allocateMemory(24, true);
        MEMORY.putInt(args, argc);
        MEMORY.putAddress(args + 8, argv);
        MEMORY.putInt(args + 16, 0);
        return args;
    }

    private static long cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        long p = MEMORY.allocateMemory(b.length + 1L, true);
        MEMORY.putByteArray(p, b, 0, b.length);
        return p;
    }
}
