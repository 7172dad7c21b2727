package io.squashroot.overlay;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A table of open-file handles: the numbers FUSE carries between open, read and release. */
final class OpenFiles<T> {
    private final ConcurrentHashMap<Long, T> open = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long add(T file) {
        long h = next.getAndIncrement();
        open.put(h, file);
        return h;
    }

    T get(long handle) throws FsException {
        T f = open.get(handle);
        if (f == null) {
            throw new FsException(Errno.EBADF, "no open file with handle " + handle);
        }
        return f;
    }

    T remove(long handle) {
        return open.remove(handle);
    }

    java.util.Collection<T> all() {
        return open.values();
    }
}
