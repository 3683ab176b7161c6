# SPDX-License-Identifier: GPL-2.0
"""getattr/setattr through the mount, seen on the backing file."""

import os
import stat
import time

import fplib
from fplib import UTIME_NOW, UTIME_OMIT, read_file, write_file


def test_chmod_visible_on_backing(fp):
    write_file(fp.b("f"), mode=0o644)
    os.mkdir(fp.b("d"))
    os.chmod(fp.m("f"), 0o4751)
    os.chmod(fp.m("d"), 0o1700)
    assert stat.S_IMODE(os.stat(fp.b("f")).st_mode) == 0o4751
    assert stat.S_IMODE(os.stat(fp.b("d")).st_mode) == 0o1700
    assert stat.S_IMODE(os.stat(fp.m("f")).st_mode) == 0o4751


def test_fchmod_visible_on_backing(fp):
    write_file(fp.b("f"), mode=0o644)
    fd = os.open(fp.m("f"), os.O_RDONLY)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    assert stat.S_IMODE(os.stat(fp.b("f")).st_mode) == 0o600


def test_chmod_on_backing_visible_through_mount(fp):
    write_file(fp.b("f"), mode=0o644)
    assert stat.S_IMODE(os.stat(fp.m("f")).st_mode) == 0o644
    os.chmod(fp.b("f"), 0o640)
    assert stat.S_IMODE(os.stat(fp.m("f")).st_mode) == 0o640


def test_chown_visible_on_backing(fp):
    write_file(fp.b("f"))
    os.symlink("f", fp.b("l"))
    os.chown(fp.m("f"), 1000, 1001)
    st = os.stat(fp.b("f"))
    assert (st.st_uid, st.st_gid) == (1000, 1001)
    os.chown(fp.m("l"), 1002, 1003, follow_symlinks=False)
    st = os.lstat(fp.b("l"))
    assert (st.st_uid, st.st_gid) == (1002, 1003)
    # -1 leaves the field alone
    os.chown(fp.m("f"), -1, 0)
    st = os.stat(fp.b("f"))
    assert (st.st_uid, st.st_gid) == (1000, 0)
    assert (os.stat(fp.m("f")).st_uid, os.stat(fp.m("f")).st_gid) == (1000, 0)


def test_chown_clears_setuid_on_backing(fp):
    write_file(fp.b("f"), mode=0o755)
    os.chmod(fp.b("f"), 0o4755)
    os.chown(fp.m("f"), 1000, 1000)
    assert stat.S_IMODE(os.stat(fp.b("f")).st_mode) == 0o755


def test_truncate_by_path(fp):
    write_file(fp.b("f"), b"0123456789")
    os.truncate(fp.m("f"), 4)
    assert read_file(fp.b("f")) == b"0123"
    os.truncate(fp.m("f"), 8)
    assert read_file(fp.b("f")) == b"0123\0\0\0\0"
    assert os.stat(fp.m("f")).st_size == 8


def test_truncate_by_fd(fp):
    write_file(fp.b("f"), b"0123456789")
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        os.ftruncate(fd, 3)
        assert os.fstat(fd).st_size == 3
        assert read_file(fp.b("f")) == b"012"
        os.ftruncate(fd, 6)
        assert os.pread(fd, 10, 0) == b"012\0\0\0"
    finally:
        os.close(fd)
    assert os.stat(fp.b("f")).st_size == 6


def test_o_trunc_visible_on_backing(fp):
    write_file(fp.b("f"), b"content")
    os.close(os.open(fp.m("f"), os.O_WRONLY | os.O_TRUNC))
    assert os.stat(fp.b("f")).st_size == 0


def _times(path):
    st = os.stat(path, follow_symlinks=False)
    return st.st_atime_ns, st.st_mtime_ns


def test_utimensat_explicit_ns(fp):
    write_file(fp.b("f"))
    fplib.utimensat(fp.m("f"), (1000000001, 123456789), (1200000002, 987654321))
    want = (1000000001123456789, 1200000002987654321)
    assert _times(fp.b("f")) == want
    assert _times(fp.m("f")) == want


def test_utimensat_symlink_nofollow(fp):
    write_file(fp.b("f"))
    os.symlink("f", fp.b("l"))
    target = _times(fp.b("f"))
    fplib.utimensat(fp.m("l"), (1000, 1), (2000, 2), fplib.AT_SYMLINK_NOFOLLOW)
    assert _times(fp.b("l")) == (1000000000001, 2000000000002)
    assert _times(fp.b("f")) == target


def test_utimensat_utime_now(fp):
    write_file(fp.b("f"))
    fplib.utimensat(fp.b("f"), (1000, 0), (1000, 0))
    ctime_before = os.stat(fp.b("f")).st_ctime_ns
    before = time.time_ns()
    fplib.utimensat(fp.m("f"), UTIME_NOW, UTIME_NOW)
    after = time.time_ns()
    atime, mtime = _times(fp.b("f"))
    # The kernel's clock for file times is coarse (a tick behind at most).
    slack = 1000000000
    for t in (atime, mtime):
        assert before - slack <= t <= after + slack
    assert os.stat(fp.b("f")).st_ctime_ns >= ctime_before


def test_utimensat_utime_omit(fp):
    write_file(fp.b("f"))
    fplib.utimensat(fp.b("f"), (1000, 5), (2000, 6))
    fplib.utimensat(fp.m("f"), (3000, 7), UTIME_OMIT)
    assert _times(fp.b("f")) == (3000000000007, 2000000000006)
    fplib.utimensat(fp.m("f"), UTIME_OMIT, (4000, 8))
    assert _times(fp.b("f")) == (3000000000007, 4000000000008)
    fplib.utimensat(fp.m("f"), UTIME_OMIT, UTIME_OMIT)
    assert _times(fp.b("f")) == (3000000000007, 4000000000008)


def test_write_updates_mtime_and_size_through_mount(fp):
    write_file(fp.b("f"), b"x")
    fplib.utimensat(fp.b("f"), (1000, 0), (1000, 0))
    with open(fp.m("f"), "ab") as f:
        f.write(b"yz")
    m, b = os.stat(fp.m("f")), os.stat(fp.b("f"))
    assert m.st_size == b.st_size == 3
    assert m.st_mtime_ns == b.st_mtime_ns > 1000 * 10**9
