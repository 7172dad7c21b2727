package io.squashroot.host;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.ObjectParameterInfo;
import com.kenai.jffi.ObjectParameterInvoker;
import com.kenai.jffi.Type;

/**
 * One C library function, called through jffi's fixed JNI entry points: its address and libffi
 * call description are made once, and each call passes numbers and Java arrays straight to it.
 *
 * <p>Why not jnr-ffi's {@code LibraryLoader}: it generates, at run time, a class per interface
 * and stubs per method (about 60 ms of CPU for the overlay's libc calls, on a container start's
 * critical path), and class-data sharing cannot archive generated classes, so every start paid
 * it again. Here nothing is generated; the jffi classes this uses are ordinary classes that the
 * archive keeps.
 *
 * <p>An array argument is copied to native memory for the call (on the stack below 1 KiB) and,
 * for {@link Arg#BYTES_OUT}, zeroed there and copied back after it; a null array is passed as
 * NULL. The caller bounds every length it passes with the array it passes (a size argument
 * larger than its array would let the function write past the copy). errno is saved after
 * every call ({@link #errno}).
 */
public final class CFunction {
    /** How one parameter is passed. */
    public enum Arg {
        /** C int (and unsigned int, uid_t, gid_t, mode_t): an Integer. */
        INT(Type.SINT),
        /** C long, size_t, ssize_t, off_t, dev_t (64-bit Linux): a Long or Integer. */
        LONG(Type.SLONG),
        /** const pointer to bytes the function reads: a byte[] (paths NUL-terminated) or null. */
        BYTES_IN(Type.POINTER),
        /** pointer to bytes the function fills: a byte[] or null. */
        BYTES_OUT(Type.POINTER),
        /** const pointer to 64-bit integers the function reads (struct timespec[2]): a long[]. */
        LONGS_IN(Type.POINTER);

        private final Type type;

        Arg(Type type) {
            this.type = type;
        }
    }

    private static final Library LIBC = libc();
    private static final Invoker INVOKER = Invoker.getInstance();
    private static final ObjectParameterInvoker ARRAYS = ObjectParameterInvoker.getInstance();

    private final String name;
    /** A C int result: libffi may leave the upper half of the 64-bit return value undefined. */
    private final boolean intResult;
    private final Arg[] params;
    private final ObjectParameterInfo[] infos;
    /** null when the C library lacks the symbol: then a call fails, as jnr-ffi's would. */
    private final Function function;

    private CFunction(String name, Type result, Arg[] params) {
        this.name = name;
        this.intResult = result == Type.SINT;
        this.params = params.clone();
        this.infos = new ObjectParameterInfo[params.length];
        Type[] types = new Type[params.length];
        for (int i = 0; i < params.length; i++) {
            types[i] = params[i].type;
            infos[i] = switch (params[i]) {
                case BYTES_IN -> ObjectParameterInfo.create(i, ObjectParameterInfo.ARRAY, ObjectParameterInfo.BYTE,
                        ObjectParameterInfo.IN);
                // cleared, not left as stack garbage: the whole copy comes back, written or not
                case BYTES_OUT -> ObjectParameterInfo.create(i, ObjectParameterInfo.ARRAY, ObjectParameterInfo.BYTE,
                        ObjectParameterInfo.OUT | ObjectParameterInfo.CLEAR);
                case LONGS_IN -> ObjectParameterInfo.create(i, ObjectParameterInfo.ARRAY, ObjectParameterInfo.LONG,
                        ObjectParameterInfo.IN);
                default -> null;
            };
        }
        long address = LIBC == null ? 0 : LIBC.getSymbolAddress(name);
        this.function = address == 0 ? null
                : new Function(address, CallContext.getCallContext(result, types, CallingConvention.DEFAULT, true));
    }

    /** libc's {@code name} returning a C int. */
    public static CFunction ofInt(String name, Arg... params) {
        return new CFunction(name, Type.SINT, params);
    }

    /** libc's {@code name} returning a C long or ssize_t. */
    public static CFunction ofLong(String name, Arg... params) {
        return new CFunction(name, Type.SLONG, params);
    }

    /** The errno that the calling thread's last call through this class left. */
    public static int errno() {
        return LastError.getInstance().get();
    }

    /** Calls the function with {@code args} as its parameters say; an int result sign-extended. */
    public long call(Object... args) {
        long r = invoke(args);
        return intResult ? (int) r : r;
    }

    private long invoke(Object[] args) {
        if (function == null) {
            throw new UnsatisfiedLinkError("the C library has no function " + name);
        }
        if (args.length != params.length) {
            throw new IllegalArgumentException(name + " takes " + params.length + " arguments, not " + args.length);
        }
        long n0 = number(args, 0);
        long n1 = number(args, 1);
        long n2 = number(args, 2);
        long n3 = number(args, 3);
        long n4 = number(args, 4);
        long n5 = number(args, 5);
        // the non-null arrays, in parameter order; each one's info carries its position
        Object o1 = null;
        Object o2 = null;
        Object o3 = null;
        ObjectParameterInfo i1 = null;
        ObjectParameterInfo i2 = null;
        ObjectParameterInfo i3 = null;
        int objects = 0;
        for (int i = 0; i < args.length; i++) {
            check(i, args[i]);
            if (infos[i] != null && args[i] != null) {
                if (objects == 0) {
                    o1 = args[i];
                    i1 = infos[i];
                } else if (objects == 1) {
                    o2 = args[i];
                    i2 = infos[i];
                } else {
                    o3 = args[i];
                    i3 = infos[i];
                }
                objects++;
            }
        }
        CallContext ctx = function.getCallContext();
        long fn = function.getFunctionAddress();
        switch (args.length * 4 + objects) {
            case 0: return INVOKER.invokeN0(ctx, fn);
            case 4: return INVOKER.invokeN1(ctx, fn, n0);
            case 8: return INVOKER.invokeN2(ctx, fn, n0, n1);
            case 12: return INVOKER.invokeN3(ctx, fn, n0, n1, n2);
            case 16: return INVOKER.invokeN4(ctx, fn, n0, n1, n2, n3);
            case 20: return INVOKER.invokeN5(ctx, fn, n0, n1, n2, n3, n4);
            case 24: return INVOKER.invokeN6(ctx, fn, n0, n1, n2, n3, n4, n5);
            case 5: return ARRAYS.invokeN1O1rN(function, n0, o1, 0, length(o1), i1);
            case 9: return ARRAYS.invokeN2O1rN(function, n0, n1, o1, 0, length(o1), i1);
            case 10: return ARRAYS.invokeN2O2rN(function, n0, n1, o1, 0, length(o1), i1, o2, 0, length(o2), i2);
            case 13: return ARRAYS.invokeN3O1rN(function, n0, n1, n2, o1, 0, length(o1), i1);
            case 14: return ARRAYS.invokeN3O2rN(function, n0, n1, n2, o1, 0, length(o1), i1,
                    o2, 0, length(o2), i2);
            case 15: return ARRAYS.invokeN3O3rN(function, n0, n1, n2, o1, 0, length(o1), i1,
                    o2, 0, length(o2), i2, o3, 0, length(o3), i3);
            case 17: return ARRAYS.invokeN4O1rN(function, n0, n1, n2, n3, o1, 0, length(o1), i1);
            case 18: return ARRAYS.invokeN4O2rN(function, n0, n1, n2, n3, o1, 0, length(o1), i1,
                    o2, 0, length(o2), i2);
            case 19: return ARRAYS.invokeN4O3rN(function, n0, n1, n2, n3, o1, 0, length(o1), i1,
                    o2, 0, length(o2), i2, o3, 0, length(o3), i3);
            case 21: return ARRAYS.invokeN5O1rN(function, n0, n1, n2, n3, n4, o1, 0, length(o1), i1);
            case 22: return ARRAYS.invokeN5O2rN(function, n0, n1, n2, n3, n4, o1, 0, length(o1), i1,
                    o2, 0, length(o2), i2);
            case 23: return ARRAYS.invokeN5O3rN(function, n0, n1, n2, n3, n4, o1, 0, length(o1), i1,
                    o2, 0, length(o2), i2, o3, 0, length(o3), i3);
            default: throw new IllegalArgumentException(name + ": " + args.length + " arguments with "
                    + objects + " arrays is not a supported call shape");
        }
    }

    /** A wrong argument type is a programming error: caught here, before C sees it. */
    private void check(int i, Object arg) {
        boolean ok = switch (params[i]) {
            case INT -> arg instanceof Integer;
            case LONG -> arg instanceof Long || arg instanceof Integer;
            case BYTES_IN, BYTES_OUT -> arg == null || arg instanceof byte[];
            case LONGS_IN -> arg == null || arg instanceof long[];
        };
        if (!ok) {
            throw new IllegalArgumentException(name + ": argument " + i + " is not a " + params[i]);
        }
    }

    /** The numeric value of argument {@code i}; 0 for an array (its pointer replaces it) or NULL. */
    private static long number(Object[] args, int i) {
        return i < args.length && args[i] instanceof Number n ? n.longValue() : 0;
    }

    /** Elements (not bytes): jffi sizes the native copy from the info's element type. */
    private static int length(Object array) {
        return array instanceof byte[] b ? b.length : ((long[]) array).length;
    }

    private static Library libc() {
        Library l = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.LOCAL);
        return l != null ? l : Library.getDefault();
    }
}
