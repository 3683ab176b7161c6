# SPDX-License-Identifier: GPL-2.0
"""flock and POSIX record locks through the mount are the backing file's."""

import errno
import fcntl
import json
import os
import struct

import pytest

from fplib import write_file

# struct flock on x86_64: l_type, l_whence, (pad), l_start, l_len, l_pid, (pad)
FLOCK_FMT = "hhqqi4x"


def _flock(ltype, start=0, length=0):
    return struct.pack(FLOCK_FMT, ltype, os.SEEK_SET, start, length, 0)


def _unflock(raw):
    ltype, _, start, length, pid = struct.unpack(FLOCK_FMT, raw)
    return ltype, start, length, pid


def _in_child(fn):
    """Run fn() in a forked child; return its JSON-able result."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(r)
            out = json.dumps(["ok", fn()])
            code = 0
        except BaseException as e:      # report anything to the parent
            out = json.dumps(["error", repr(e)])
        try:
            os.write(w, out.encode())
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    while True:
        data = os.read(r, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(r)
    os.waitpid(pid, 0)
    status, value = json.loads(b"".join(chunks))
    assert status == "ok", value
    return value


def _try_flock(path, how):
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def test_flock_conflicts_between_opens_through_mount(fp):
    write_file(fp.b("f"))
    fd = os.open(fp.m("f"), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert _try_flock(fp.m("f"), fcntl.LOCK_EX) == errno.EWOULDBLOCK
        assert _try_flock(fp.m("f"), fcntl.LOCK_SH) == errno.EWOULDBLOCK
        fcntl.flock(fd, fcntl.LOCK_SH)      # downgrade: readers may join
        assert _try_flock(fp.m("f"), fcntl.LOCK_SH) == 0
        assert _try_flock(fp.m("f"), fcntl.LOCK_EX) == errno.EWOULDBLOCK
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert _try_flock(fp.m("f"), fcntl.LOCK_EX) == 0
    finally:
        os.close(fd)


def test_flock_through_mount_conflicts_with_backing_open(fp):
    write_file(fp.b("f"))
    fd = os.open(fp.m("f"), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert _try_flock(fp.b("f"), fcntl.LOCK_EX) == errno.EWOULDBLOCK
    finally:
        os.close(fd)
    assert _try_flock(fp.b("f"), fcntl.LOCK_EX) == 0


def test_flock_on_backing_conflicts_with_open_through_mount(fp):
    write_file(fp.b("f"))
    fd = os.open(fp.b("f"), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert _try_flock(fp.m("f"), fcntl.LOCK_EX) == errno.EWOULDBLOCK
    finally:
        os.close(fd)
    assert _try_flock(fp.m("f"), fcntl.LOCK_EX) == 0


def _child_setlk(path, start, length):
    def probe():
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.fcntl(fd, fcntl.F_SETLK, _flock(fcntl.F_WRLCK, start, length))
            return 0
        except OSError as e:
            return e.errno
        finally:
            os.close(fd)
    return _in_child(probe)


def _child_getlk(path):
    def probe():
        fd = os.open(path, os.O_RDWR)
        try:
            return list(_unflock(fcntl.fcntl(fd, fcntl.F_GETLK,
                                             _flock(fcntl.F_WRLCK, 0, 0))))
        finally:
            os.close(fd)
    return _in_child(probe)


def test_posix_lock_conflicts_with_forked_child(fp):
    write_file(fp.b("f"), b"x" * 1000)
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLK, _flock(fcntl.F_WRLCK, 0, 100))
        assert _child_setlk(fp.m("f"), 50, 10) in (errno.EAGAIN, errno.EACCES)
        assert _child_setlk(fp.m("f"), 200, 10) == 0    # no overlap
    finally:
        os.close(fd)
    # Closing any fd of the file drops the process's locks.
    assert _child_setlk(fp.m("f"), 50, 10) == 0


def test_posix_getlk_reports_holder_pid(fp):
    write_file(fp.b("f"), b"x" * 1000)
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLK, _flock(fcntl.F_WRLCK, 10, 90))
        ltype, start, length, pid = _child_getlk(fp.m("f"))
    finally:
        os.close(fd)
    assert (ltype, start, length, pid) == (fcntl.F_WRLCK, 10, 90, os.getpid())


def test_posix_lock_through_mount_conflicts_on_backing(fp):
    write_file(fp.b("f"), b"x" * 1000)
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLK, _flock(fcntl.F_RDLCK, 0, 0))
        assert _child_setlk(fp.b("f"), 0, 1) in (errno.EAGAIN, errno.EACCES)
        ltype, start, length, pid = _child_getlk(fp.b("f"))
        assert (ltype, pid) == (fcntl.F_RDLCK, os.getpid())
    finally:
        os.close(fd)


def test_posix_lock_on_backing_conflicts_through_mount(fp):
    write_file(fp.b("f"), b"x" * 1000)
    fd = os.open(fp.b("f"), os.O_RDWR)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLK, _flock(fcntl.F_WRLCK, 0, 0))
        assert _child_setlk(fp.m("f"), 500, 1) in (errno.EAGAIN, errno.EACCES)
        ltype, _, _, pid = _child_getlk(fp.m("f"))
        assert (ltype, pid) == (fcntl.F_WRLCK, os.getpid())
    finally:
        os.close(fd)


def test_posix_getlk_unlocked(fp):
    write_file(fp.b("f"), b"x")
    ltype, _, _, _ = _child_getlk(fp.m("f"))
    assert ltype == fcntl.F_UNLCK


def test_ofd_lock_conflicts_between_opens(fp):
    write_file(fp.b("f"), b"x" * 100)
    ofd_setlk = fcntl.F_OFD_SETLK
    a = os.open(fp.m("f"), os.O_RDWR)
    b = os.open(fp.m("f"), os.O_RDWR)
    try:
        fcntl.fcntl(a, ofd_setlk, _flock(fcntl.F_WRLCK, 0, 10))
        with pytest.raises(OSError) as exc:
            fcntl.fcntl(b, ofd_setlk, _flock(fcntl.F_WRLCK, 5, 1))
        assert exc.value.errno in (errno.EAGAIN, errno.EACCES)
    finally:
        os.close(a)
        os.close(b)
