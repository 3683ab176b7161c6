# SPDX-License-Identifier: GPL-2.0
"""A raw-protocol daemon in a thread of the test process, and fusepass's
backing ids, for the tests of per-open passthrough
(test/daemon/test_passthrough.py) and of backed inodes
(test/daemon/test_blocks.py).

InProcessDaemon opens the device, mounts, answers INIT (with
FUSE_PASSTHROUGH if asked) and serves rawfuse.MemFS, except for what a
subclass's handle() answers itself. Every request is recorded in ops as
(opcode name, nodeid). Standard library only.
"""

import ctypes
import errno
import os
import struct
import threading

from fptarget import TARGET, fstype_of
import rawfuse as rf

PASSTHROUGH = 1 << 37           # INIT flag (bit 5 of flags2)
FOPEN_PASSTHROUGH = 1 << 7
FUSEPASS_BACKING_DIR = 1        # FUSE_DEV_IOC_BACKING_OPEN flag

BACKING_MAP = struct.Struct('<iIQ')


def _iow(nr, size):
    return (1 << 30) | (size << 16) | (229 << 8) | nr


IOC_BACKING_OPEN = _iow(1, BACKING_MAP.size)
IOC_BACKING_CLOSE = _iow(2, 4)

rf.libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p]


def backing_open(devfd, fd, flags=0, padding=0):
    """The new id, or -errno."""
    buf = ctypes.create_string_buffer(BACKING_MAP.pack(fd, flags, padding))
    ret = rf.libc.ioctl(devfd, IOC_BACKING_OPEN, ctypes.addressof(buf))
    return ret if ret >= 0 else -ctypes.get_errno()


def backing_close(devfd, backing_id):
    buf = ctypes.c_uint32(backing_id)
    ret = rf.libc.ioctl(devfd, IOC_BACKING_CLOSE, ctypes.addressof(buf))
    return ret if ret >= 0 else -ctypes.get_errno()


def parse_stats(text):
    """{'request GETATTR': n, 'backed_ops': n, ...} of a stats file."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    return {" ".join(w[:-1]): int(w[-1]) for w in lines}


class InProcessDaemon:
    """MemFS on @mnt, served from a thread; handle(req) answers first.

    @negotiate: ask for FUSE_PASSTHROUGH in INIT (max_stack_depth 1).
    Subclasses set their own state before calling __init__, which mounts:
    requests may come from then on.
    """

    def __init__(self, mnt, negotiate=False, source="inprocess-test"):
        self.mnt = mnt
        if not hasattr(self, "fs"):
            self.fs = rf.MemFS()
        self.negotiate = negotiate
        self.conn = rf.Connection(TARGET.dev)
        self.ops = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        rf.mount(source, mnt, TARGET.fstype, 0,
                 TARGET.mount_data(self.conn.fd))
        assert fstype_of(mnt).split('.')[0] == "fusepass", fstype_of(mnt)

    def _init(self, req):
        major, kminor, readahead, kflags = rf.INIT_IN.unpack_from(req.body)
        kflags2 = struct.unpack_from('<I', req.body, rf.INIT_IN.size)[0]
        kernel = kflags | kflags2 << 32
        assert kernel & PASSTHROUGH, "INIT does not offer FUSE_PASSTHROUGH"
        wanted = rf.INIT_EXT | (PASSTHROUGH if self.negotiate else 0)
        flags = kernel & wanted
        out = rf.INIT_OUT.pack(7, 40, readahead, flags & 0xffffffff, 16, 12,
                               1 << 17, 1, 32, 0, flags >> 32,
                               1 if self.negotiate else 0)
        self.conn.reply(req.unique, out)

    def op_name(self, req):
        return req.name

    def handle(self, req):
        """Answer @req and return True, or False to leave it to MemFS."""
        return False

    def read_request(self, timeout):
        """The next request, None if none came in @timeout seconds (or
        it was answered already); raises OSError from the device."""
        return self.conn.read(timeout=timeout)

    def _serve(self):
        while not self.stopping:
            try:
                req = self.read_request(0.1)
            except OSError as e:
                if e.errno == errno.EPERM:   # not bound to the mount yet
                    continue
                return
            if req is None:
                continue
            self.ops.append((self.op_name(req), req.nodeid))
            if req.opcode == rf.INIT:
                self._init(req)
            elif req.opcode == rf.INTERRUPT:
                continue
            elif not self.handle(req):
                self.fs.serve(self.conn, req)

    def op_names(self):
        return [name for name, _ in self.ops]

    def ops_on(self, nodeid):
        """Names of the requests that named @nodeid."""
        return [name for name, n in self.ops if n == nodeid]

    def register(self, path_or_fd, flags=0, mode=os.O_RDWR):
        """A backing id for a path (opened with @mode) or an open fd."""
        fd = path_or_fd
        if isinstance(path_or_fd, str):
            fd = os.open(path_or_fd, mode)
        try:
            return backing_open(self.conn.fd, fd, flags)
        finally:
            if isinstance(path_or_fd, str):
                os.close(fd)

    def stats(self):
        with open(os.path.join(TARGET.ctl_dir(self.mnt), "stats")) as f:
            return parse_stats(f.read())

    def die(self):
        """The daemon closes its device, as a killed daemon's is closed."""
        self.stopping = True
        self.thread.join()
        self.conn.close()

    def stop(self):
        if rf.libc.umount2(self.mnt.encode(), rf.MNT_DETACH) < 0:
            pass
        self.die()
