package io.squashroot.fuse;

import io.squashroot.tree.Caller;
import io.squashroot.tree.DirFiller;
import io.squashroot.tree.Errno;
import io.squashroot.tree.FileAttr;
import io.squashroot.tree.FsException;
import io.squashroot.tree.FsStat;
import io.squashroot.tree.FsTree;
import java.nio.ByteBuffer;
import java.util.List;

/** A tree that is never mounted: {@link FuseMount#warmUp} binds the callbacks to it. */
enum WarmTree implements FsTree {
    INSTANCE;

    @Override
    public FileAttr getattr(String path) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    @Override
    public void readdir(String path, DirFiller filler) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    @Override
    public long open(String path, int flags, Caller caller) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    @Override
    public int read(String path, long handle, ByteBuffer dst, long offset) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    @Override
    public byte[] readlink(String path) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    @Override
    public List<String> listxattr(String path) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    @Override
    public FsStat statfs(String path) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }
}
