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

import errno
import mmap
import os
import stat
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
import rawfuse as rf  # noqa: E402
from inproc_daemon import (FOPEN_PASSTHROUGH, FUSEPASS_BACKING_DIR,  # noqa: E402
                           InProcessDaemon, backing_close, backing_open)

pytestmark = pytest.mark.fusepass_only


class PassthroughDaemon(InProcessDaemon):
    """MemFS, plus "pt": a file whose opens answer with @open_reply().

    @open_reply(req) returns (open_flags, backing_id) for each OPEN of
    "pt". Every request is recorded in @ops.
    """

    def __init__(self, mnt, backing_path, negotiate=True):
        self.fs = rf.MemFS()
        size = os.stat(backing_path).st_size
        self.pt = self.fs.add(rf.ROOT_ID, "pt", stat.S_IFREG | 0o666,
                              b'\0' * size)
        self.open_reply = lambda req: (0, 0)
        super().__init__(mnt, negotiate, source="passthrough-test")

    def handle(self, req):
        if req.opcode == rf.OPEN and req.nodeid == self.pt.ino:
            flags, backing_id = self.open_reply(req)
            self.conn.reply(req.unique, rf.OPEN_OUT.pack(7, flags, backing_id))
            return True
        return False


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
    print("daemon saw", sorted(set(daemon.op_names())))
    assert "READ" not in daemon.op_names()
    assert "WRITE" not in daemon.op_names()
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
