#!/usr/bin/python3
"""Latency-injecting FUSE passthrough: stand-in for slow shared storage (NFS).

usage: slowfs.py BACKING_DIR MOUNTPOINT [--delay-ms N] [--read-mbps N] [--foreground]
                [--stats FILE] [--direct-io]
Every metadata op sleeps DELAY ms; read/write additionally sleep size/bandwidth.
--stats FILE: writes "read_requests N\nread_bytes N" (what the "server" sent) to FILE every
0.2 s while they change and at unmount; the project's benchmarks read it as the bytes
fetched from shared storage.
--direct-io: no page cache on this mount, so every read reaches the "server", as on a node
whose NFS client cache is cold (the pessimistic case for the 16-starts benchmark).
Needs Debian packages python3-fusepy (module 'fusepy') and libfuse2; run as root
(mounts with allow_other) or as a user with fusermount (package 'fuse').
Unmount with: fusermount -u MOUNTPOINT (or umount MOUNTPOINT as root).
"""
import argparse, errno, os, threading, time
try:
    from fusepy import FUSE, FuseOSError, Operations
except ImportError:
    from fuse import FUSE, FuseOSError, Operations


class SlowFS(Operations):
    def __init__(self, root, delay, mbps, stats=None):
        self.root = os.path.realpath(root)
        self.delay = delay / 1000.0
        self.bps = mbps * 1024 * 1024 if mbps > 0 else 0
        self.stats = stats
        self._mutex = threading.Lock()
        self.requests = 0
        self.bytes = 0
        self.written_at = 0.0

    def init(self, path):
        # Runs once mounted (after fusepy daemonizes, if it does): flush the counters every 0.2 s.
        if self.stats is not None:
            with self._mutex:
                self._write_stats()
            threading.Thread(target=self._flusher, daemon=True).start()

    def _flusher(self):
        written = None
        while True:
            time.sleep(0.2)
            with self._mutex:
                if (self.requests, self.bytes) != written:
                    self._write_stats()
                    written = (self.requests, self.bytes)

    def _count(self, n):
        if self.stats is None:
            return
        with self._mutex:
            self.requests += 1
            self.bytes += n

    def _write_stats(self):
        tmp = self.stats + '.tmp'
        with open(tmp, 'w') as f:
            f.write('read_requests %d\nread_bytes %d\n' % (self.requests, self.bytes))
        os.replace(tmp, self.stats)
        self.written_at = time.monotonic()

    def destroy(self, path):
        if self.stats is not None:
            with self._mutex:
                self._write_stats()

    def _p(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def _slow(self, nbytes=0):
        t = self.delay + (nbytes / self.bps if self.bps else 0)
        if t > 0:
            time.sleep(t)

    def access(self, path, mode):
        self._slow()
        if not os.access(self._p(path), mode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        self._slow(); return os.chmod(self._p(path), mode)

    def chown(self, path, uid, gid):
        self._slow(); return os.lchown(self._p(path), uid, gid)

    def getattr(self, path, fh=None):
        self._slow()
        st = os.lstat(self._p(path))
        return {k: getattr(st, k) for k in ('st_atime', 'st_ctime', 'st_gid', 'st_mode',
                                             'st_mtime', 'st_nlink', 'st_size', 'st_uid')}

    def readdir(self, path, fh):
        self._slow()
        return ['.', '..'] + os.listdir(self._p(path))

    def readlink(self, path):
        self._slow(); return os.readlink(self._p(path))

    def mknod(self, path, mode, dev):
        self._slow(); return os.mknod(self._p(path), mode, dev)

    def rmdir(self, path):
        self._slow(); return os.rmdir(self._p(path))

    def mkdir(self, path, mode):
        self._slow(); return os.mkdir(self._p(path), mode)

    def statfs(self, path):
        self._slow()
        s = os.statvfs(self._p(path))
        return {k: getattr(s, k) for k in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail',
                                            'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

    def unlink(self, path):
        self._slow(); return os.unlink(self._p(path))

    def symlink(self, name, target):
        self._slow(); return os.symlink(target, self._p(name))

    def rename(self, old, new):
        self._slow(); return os.rename(self._p(old), self._p(new))

    def link(self, target, name):
        self._slow(); return os.link(self._p(name), self._p(target))

    def utimens(self, path, times=None):
        self._slow(); return os.utime(self._p(path), times)

    def open(self, path, flags):
        self._slow(); return os.open(self._p(path), flags)

    def create(self, path, mode, fi=None):
        self._slow(); return os.open(self._p(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, length, offset, fh):
        data = os.pread(fh, length, offset)
        self._slow(len(data))
        self._count(len(data))
        return data

    def write(self, path, buf, offset, fh):
        self._slow(len(buf)); return os.pwrite(fh, buf, offset)

    def truncate(self, path, length, fh=None):
        self._slow()
        with open(self._p(path), 'r+') as f:
            f.truncate(length)

    def flush(self, path, fh):
        return os.fsync(fh)

    def release(self, path, fh):
        return os.close(fh)

    def fsync(self, path, datasync, fh):
        self._slow(); return os.fsync(fh)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('backing'); ap.add_argument('mountpoint')
    ap.add_argument('--delay-ms', type=float, default=5.0)
    ap.add_argument('--read-mbps', type=float, default=0.0, help='bandwidth cap for read/write, MiB/s (0 = none)')
    ap.add_argument('--foreground', action='store_true')
    ap.add_argument('--stats', default=None, help='file to write read counters to')
    ap.add_argument('--direct-io', action='store_true', help='bypass the page cache on this mount')
    a = ap.parse_args()
    opts = dict(foreground=a.foreground, nothreads=False, fsname='slowfs', subtype='slowfs')
    if a.direct_io:
        opts['direct_io'] = True
    if os.geteuid() == 0:
        opts['allow_other'] = True
        opts['default_permissions'] = True  # kernel checks mode bits, like NFS would
    stats = os.path.abspath(a.stats) if a.stats else None
    FUSE(SlowFS(a.backing, a.delay_ms, a.read_mbps, stats), a.mountpoint, **opts)
