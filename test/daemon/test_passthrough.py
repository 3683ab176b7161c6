# SPDX-License-Identifier: GPL-2.0
"""Backing ids and per-open passthrough (the FUSE ABI of Linux 6.9).

An in-process raw-protocol daemon registers backing files with
FUSE_DEV_IOC_BACKING_OPEN and answers OPEN with FOPEN_PASSTHROUGH; the
tests check the ioctl's errors, that the data really moves between the
caller and the backing file (the daemon sees no READ or WRITE, the
connection's counters count passthrough calls), the I/O mode rules, and
what open files do when the daemon dies.

fusepass only: the kernel's FUSE on 6.1 has no passthrough, and the
counters and FUSEPASS_BACKING_DIR are fusepass's.
"""

import ctypes
import errno
import mmap
import os
import stat
import struct
import subprocess
import sys
import tempfile
import threading

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from fptarget import TARGET, fstype_of  # noqa: E402
import rawfuse as rf  # noqa: E402

pytestmark = pytest.mark.fusepass_only

PASSTHROUGH = 1 << 37
FOPEN_PASSTHROUGH = 1 << 7
FUSEPASS_BACKING_DIR = 1

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


class PassthroughDaemon:
    """MemFS, plus "pt": a file whose opens answer with @open_reply().

    @open_reply(req) returns (open_flags, backing_id) for each OPEN of
    "pt". Every request's opcode name is recorded in @ops.
    """

    def __init__(self, mnt, backing_path, negotiate=True):
        self.mnt = mnt
        self.fs = rf.MemFS()
        size = os.stat(backing_path).st_size
        self.pt = self.fs.add(rf.ROOT_ID, "pt", stat.S_IFREG | 0o666,
                              b'\0' * size)
        self.negotiate = negotiate
        self.conn = rf.Connection(TARGET.dev)
        self.ops = []
        self.open_reply = lambda req: (0, 0)
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        rf.mount("passthrough-test", mnt, TARGET.fstype, 0,
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

    def _serve(self):
        while not self.stopping:
            try:
                req = self.conn.read(timeout=0.1)
            except OSError as e:
                if e.errno == errno.EPERM:   # not bound to the mount yet
                    continue
                return
            if req is None:
                continue
            self.ops.append(req.name)
            if req.opcode == rf.INIT:
                self._init(req)
            elif req.opcode == rf.OPEN and req.nodeid == self.pt.ino:
                flags, backing_id = self.open_reply(req)
                self.conn.reply(req.unique,
                                rf.OPEN_OUT.pack(7, flags, backing_id))
            elif req.opcode == rf.INTERRUPT:
                continue
            else:
                self.fs.serve(self.conn, req)

    def register(self, path_or_fd, flags=0):
        fd = path_or_fd
        if isinstance(path_or_fd, str):
            fd = os.open(path_or_fd, os.O_RDWR)
        try:
            return backing_open(self.conn.fd, fd, flags)
        finally:
            if isinstance(path_or_fd, str):
                os.close(fd)

    def stats(self):
        with open(os.path.join(TARGET.ctl_dir(self.mnt), "stats")) as f:
            lines = [line.split() for line in f]
        return {" ".join(w[:-1]): int(w[-1]) for w in lines}

    def die(self):
        """The daemon closes its device, as a killed daemon's is closed."""
        self.stopping = True
        self.thread.join()
        self.conn.close()

    def stop(self):
        if rf.libc.umount2(self.mnt.encode(), rf.MNT_DETACH) < 0:
            pass
        self.die()


@pytest.fixture
def backing():
    d = tempfile.mkdtemp(prefix="fp-backing.")
    path = os.path.join(d, "data")
    with open(path, "wb") as f:
        f.write(bytes(range(256)) * 64)      # 16 KiB
    yield path
    os.unlink(path)
    os.rmdir(d)


@pytest.fixture
def daemon(target, mnt, backing):
    d = PassthroughDaemon(mnt, backing)
    yield d
    d.stop()


def passthrough_to(backing_id):
    return lambda req: (FOPEN_PASSTHROUGH, backing_id)


# ---- FUSE_DEV_IOC_BACKING_OPEN / _CLOSE ---------------------------------

def test_backing_open_gives_positive_ids(daemon, backing):
    a = daemon.register(backing)
    b = daemon.register(backing)
    print("ids", a, b)
    assert a > 0 and b > 0 and a != b


def test_backing_open_bad_fd(daemon):
    assert daemon.register(-1) == -errno.EBADF
    assert daemon.register(1000) == -errno.EBADF


def test_backing_open_nonzero_flags_or_padding(daemon, backing):
    fd = os.open(backing, os.O_RDONLY)
    try:
        assert backing_open(daemon.conn.fd, fd, flags=1 << 5) == -errno.EINVAL
        assert backing_open(daemon.conn.fd, fd, padding=1) == -errno.EINVAL
    finally:
        os.close(fd)


def test_backing_open_directory_needs_the_flag(daemon, backing):
    fd = os.open(os.path.dirname(backing), os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert backing_open(daemon.conn.fd, fd) == -errno.EISDIR
        assert backing_open(daemon.conn.fd, fd, FUSEPASS_BACKING_DIR) > 0
    finally:
        os.close(fd)


def test_backing_open_not_a_regular_file(daemon):
    r, w = os.pipe()
    try:
        assert backing_open(daemon.conn.fd, r) == -errno.EINVAL
    finally:
        os.close(r)
        os.close(w)


def test_backing_open_on_itself_is_a_loop(daemon):
    fd = os.open(os.path.join(daemon.mnt, "file"), os.O_RDONLY)
    try:
        assert backing_open(daemon.conn.fd, fd) == -errno.ELOOP
    finally:
        os.close(fd)


def test_backing_ioctls_need_cap_sys_admin(daemon, backing):
    fd = os.open(backing, os.O_RDONLY)
    good = backing_open(daemon.conn.fd, fd)
    assert good > 0
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            if backing_open(daemon.conn.fd, fd) != -errno.EPERM:
                code |= 1
            if backing_close(daemon.conn.fd, good) != -errno.EPERM:
                code |= 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, \
        "unprivileged BACKING_OPEN (1) / BACKING_CLOSE (2) not refused"
    assert backing_close(daemon.conn.fd, good) == 0


def test_backing_close_errors(daemon, backing):
    assert backing_close(daemon.conn.fd, 0) == -errno.EINVAL
    assert backing_close(daemon.conn.fd, 4242) == -errno.ENOENT
    backing_id = daemon.register(backing)
    assert backing_close(daemon.conn.fd, backing_id) == 0
    assert backing_close(daemon.conn.fd, backing_id) == -errno.ENOENT


# ---- per-open passthrough -------------------------------------------------

def test_read_write_mmap_go_to_the_backing_file(daemon, backing):
    daemon.open_reply = passthrough_to(daemon.register(backing))
    path = os.path.join(daemon.mnt, "pt")
    with open(backing, "rb") as f:
        expected = f.read()
    before = daemon.stats()

    fd = os.open(path, os.O_RDWR)
    try:
        assert os.pread(fd, len(expected), 0) == expected
        assert os.pwrite(fd, b"written through", 100) == 15
        with open(backing, "rb") as f:
            f.seek(100)
            assert f.read(15) == b"written through"
        m = mmap.mmap(fd, 8192, mmap.MAP_SHARED,
                      mmap.PROT_READ | mmap.PROT_WRITE)
        m[4096:4103] = b"mmapped"
        m.flush()
        m.close()
        with open(backing, "rb") as f:
            f.seek(4096)
            assert f.read(7) == b"mmapped"
        # Appending grows the file as the backing file grew.
        os.lseek(fd, 0, os.SEEK_END)
        os.write(fd, b"tail")
    finally:
        os.close(fd)
    assert os.path.getsize(backing) == len(expected) + 4

    after = daemon.stats()
    print("counters before", before)
    print("counters after", after)
    print("daemon saw", sorted(set(daemon.ops)))
    assert "READ" not in daemon.ops and "WRITE" not in daemon.ops
    assert after.get("request READ", 0) == before.get("request READ", 0)
    assert after.get("request WRITE", 0) == before.get("request WRITE", 0)
    assert after["passthrough_read"] > before["passthrough_read"]
    assert after["passthrough_write"] > before["passthrough_write"]
    assert after["passthrough_mmap"] > before["passthrough_mmap"]


def test_closing_the_id_leaves_open_files_working(daemon, backing):
    backing_id = daemon.register(backing)
    daemon.open_reply = passthrough_to(backing_id)
    fd = os.open(os.path.join(daemon.mnt, "pt"), os.O_RDONLY)
    try:
        assert backing_close(daemon.conn.fd, backing_id) == 0
        assert os.pread(fd, 4, 0) == bytes([0, 1, 2, 3])
    finally:
        os.close(fd)
    # A new open naming the closed id fails.
    with pytest.raises(OSError) as e:
        os.open(os.path.join(daemon.mnt, "pt"), os.O_RDONLY)
    assert e.value.errno == errno.EIO


def test_unknown_backing_id_fails_the_open(daemon):
    daemon.open_reply = passthrough_to(4242)
    with pytest.raises(OSError) as e:
        os.open(os.path.join(daemon.mnt, "pt"), os.O_RDONLY)
    assert e.value.errno == errno.EIO


def test_id_of_another_connection_is_refused(daemon, backing):
    other_mnt = tempfile.mkdtemp(prefix="fp-other.")
    other = PassthroughDaemon(other_mnt, backing)
    try:
        daemon.open_reply = passthrough_to(other.register(backing))
        # The same number may exist here too: make sure it does not.
        with pytest.raises(OSError) as e:
            os.open(os.path.join(daemon.mnt, "pt"), os.O_RDONLY)
        assert e.value.errno == errno.EIO
    finally:
        other.stop()
        os.rmdir(other_mnt)


def test_passthrough_without_negotiation_fails_the_open(target, mnt, backing):
    d = PassthroughDaemon(mnt, backing, negotiate=False)
    try:
        d.open_reply = passthrough_to(d.register(backing))
        with pytest.raises(OSError) as e:
            os.open(os.path.join(mnt, "pt"), os.O_RDONLY)
        assert e.value.errno == errno.EIO
    finally:
        d.stop()


def test_cached_and_passthrough_opens_exclude_each_other(daemon, backing):
    backing_id = daemon.register(backing)
    path = os.path.join(daemon.mnt, "pt")
    daemon.open_reply = lambda req: (0, 0)              # cached
    fd = os.open(path, os.O_RDONLY)
    try:
        daemon.open_reply = passthrough_to(backing_id)
        with pytest.raises(OSError) as e:
            os.open(path, os.O_RDONLY)
        assert e.value.errno == errno.EIO
    finally:
        os.close(fd)
    fd = os.open(path, os.O_RDONLY)                     # now passthrough
    try:
        daemon.open_reply = lambda req: (0, 0)
        with pytest.raises(OSError) as e:
            os.open(path, os.O_RDONLY)
        assert e.value.errno == errno.EIO
    finally:
        os.close(fd)


def test_open_files_survive_the_daemon(daemon, backing):
    """Decided: passthrough I/O needs no daemon, so an open file keeps
    reading and writing its backing file after the daemon is gone; new
    opens fail (ENOTCONN). close() reports ENOTCONN, as on FUSE, since
    its FLUSH has no daemon to go to, and the descriptor is closed."""
    daemon.open_reply = passthrough_to(daemon.register(backing))
    path = os.path.join(daemon.mnt, "pt")
    fd = os.open(path, os.O_RDWR)
    try:
        daemon.die()
        assert os.pread(fd, 4, 0) == bytes([0, 1, 2, 3])
        assert os.pwrite(fd, b"after", 0) == 5
        with open(backing, "rb") as f:
            assert f.read(5) == b"after"
        with pytest.raises(OSError) as e:
            os.open(path, os.O_RDONLY)
        assert e.value.errno == errno.ENOTCONN
    finally:
        with pytest.raises(OSError) as e:
            os.close(fd)
    assert e.value.errno == errno.ENOTCONN
    with pytest.raises(OSError) as e:
        os.fstat(fd)
    assert e.value.errno == errno.EBADF


def test_fusepassctl_prints_the_counters(daemon, backing):
    daemon.open_reply = passthrough_to(daemon.register(backing))
    fd = os.open(os.path.join(daemon.mnt, "pt"), os.O_RDONLY)
    try:
        os.pread(fd, 100, 0)
    finally:
        os.close(fd)
    out = subprocess.run(["fusepassctl", "stat", daemon.mnt], check=True,
                         capture_output=True, text=True).stdout
    print(out)
    lines = dict(line.rsplit(" ", 1) for line in out.splitlines())
    assert int(lines["passthrough_read"]) >= 1
    assert int(lines["request OPEN"]) >= 1
    assert "request READ" not in lines
    # Not a fusepass mount: status 1 and a reason.
    r = subprocess.run(["fusepassctl", "stat", "/"], capture_output=True,
                       text=True)
    assert r.returncode == 1 and "not fusepass" in r.stderr, r
