# SPDX-License-Identifier: GPL-2.0
"""fallocate(2) modes through the mount, checked on the backing file by
size, contents, SEEK_DATA/SEEK_HOLE and st_blocks."""

import errno
import os

import pytest

import fplib
from fplib import (FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE,
                   FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE,
                   FALLOC_FL_ZERO_RANGE, read_file)


@pytest.fixture
def bs(fp):
    return os.statvfs(fp.backing).f_bsize


def _require(fp, bs, mode):
    """Skip when the backing filesystem itself lacks `mode`."""
    probe = fp.b(".falloc-probe")
    fd = os.open(probe, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.pwrite(fd, b"p" * (4 * bs), 0)
        fplib.fallocate(fd, mode, bs, bs)
    except OSError as e:
        if e.errno == errno.EOPNOTSUPP:
            pytest.skip("backing filesystem lacks fallocate mode %#x" % mode)
        raise
    finally:
        os.close(fd)
        os.unlink(probe)


def _blocks_file(fp, name, bs, letters):
    """A file of one block per letter, written through the mount and synced."""
    fd = os.open(fp.m(name), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, b"".join(l.encode() * bs for l in letters))
    os.fsync(fd)
    return fd


def _same_stat(fp, name):
    m, b = os.stat(fp.m(name)), os.stat(fp.b(name))
    assert (m.st_size, m.st_blocks) == (b.st_size, b.st_blocks)
    return b


def _seek(path, off, whence):
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.lseek(fd, off, whence)
    finally:
        os.close(fd)


def test_fallocate_default_allocates_and_extends(fp, bs):
    fd = os.open(fp.m("f"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fplib.fallocate(fd, 0, 0, 16 * bs)
        assert os.fstat(fd).st_size == 16 * bs
    finally:
        os.close(fd)
    st = _same_stat(fp, "f")
    assert st.st_size == 16 * bs
    assert st.st_blocks >= 16 * bs // 512
    assert read_file(fp.b("f")) == b"\0" * (16 * bs)


def test_fallocate_keep_size(fp, bs):
    fd = _blocks_file(fp, "f", bs, "A")
    try:
        before = os.fstat(fd).st_blocks
        fplib.fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 16 * bs)
    finally:
        os.close(fd)
    st = _same_stat(fp, "f")
    assert st.st_size == bs
    assert st.st_blocks >= before + 15 * bs // 512
    assert read_file(fp.b("f")) == b"A" * bs


def test_fallocate_punch_hole(fp, bs):
    _require(fp, bs, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
    fd = _blocks_file(fp, "f", bs, "ABC")
    try:
        before = os.fstat(fd).st_blocks
        fplib.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, bs, bs)
    finally:
        os.close(fd)
    st = _same_stat(fp, "f")
    assert st.st_size == 3 * bs
    assert st.st_blocks <= before - bs // 512
    assert read_file(fp.b("f")) == b"A" * bs + b"\0" * bs + b"C" * bs
    for path in (fp.b("f"), fp.m("f")):
        assert _seek(path, 0, os.SEEK_HOLE) == bs
        assert _seek(path, bs, os.SEEK_DATA) == 2 * bs


def test_fallocate_zero_range(fp, bs):
    _require(fp, bs, FALLOC_FL_ZERO_RANGE)
    fd = _blocks_file(fp, "f", bs, "ABC")
    try:
        fplib.fallocate(fd, FALLOC_FL_ZERO_RANGE, bs, bs)
        assert os.fstat(fd).st_size == 3 * bs
        # Past the end, without KEEP_SIZE, it extends the file.
        fplib.fallocate(fd, FALLOC_FL_ZERO_RANGE, 3 * bs, bs)
    finally:
        os.close(fd)
    st = _same_stat(fp, "f")
    assert st.st_size == 4 * bs
    assert read_file(fp.b("f")) == (b"A" * bs + b"\0" * bs + b"C" * bs +
                                   b"\0" * bs)


def test_fallocate_collapse_range(fp, bs):
    _require(fp, bs, FALLOC_FL_COLLAPSE_RANGE)
    fd = _blocks_file(fp, "f", bs, "ABCD")
    try:
        fplib.fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, bs, bs)
        assert os.fstat(fd).st_size == 3 * bs
    finally:
        os.close(fd)
    assert _same_stat(fp, "f").st_size == 3 * bs
    assert read_file(fp.b("f")) == b"A" * bs + b"C" * bs + b"D" * bs


def test_fallocate_insert_range(fp, bs):
    _require(fp, bs, FALLOC_FL_INSERT_RANGE)
    fd = _blocks_file(fp, "f", bs, "ABC")
    try:
        fplib.fallocate(fd, FALLOC_FL_INSERT_RANGE, bs, bs)
        assert os.fstat(fd).st_size == 4 * bs
    finally:
        os.close(fd)
    assert _same_stat(fp, "f").st_size == 4 * bs
    assert read_file(fp.b("f")) == (b"A" * bs + b"\0" * bs + b"B" * bs +
                                   b"C" * bs)
    for path in (fp.b("f"), fp.m("f")):
        assert _seek(path, 0, os.SEEK_HOLE) == bs
        assert _seek(path, bs, os.SEEK_DATA) == 2 * bs


def test_fallocate_errors_match_backing(fp, bs):
    _require(fp, bs, FALLOC_FL_COLLAPSE_RANGE)
    cases = [
        (FALLOC_FL_COLLAPSE_RANGE, 1, bs, errno.EINVAL),            # unaligned
        (FALLOC_FL_COLLAPSE_RANGE, 2 * bs, 4 * bs, errno.EINVAL),   # past EOF
        (FALLOC_FL_PUNCH_HOLE, 0, bs, errno.EOPNOTSUPP),    # needs KEEP_SIZE
        (0, 0, 0, errno.EINVAL),                            # empty range
    ]
    fd = _blocks_file(fp, "f", bs, "ABCD")
    bfd = os.open(fp.b("f"), os.O_RDWR)
    try:
        for mode, off, length, want in cases:
            errs = []
            for f in (fd, bfd):
                with pytest.raises(OSError) as exc:
                    fplib.fallocate(f, mode, off, length)
                errs.append(exc.value.errno)
            assert errs[0] == errs[1] == want, (mode, off, length)
    finally:
        os.close(fd)
        os.close(bfd)
    assert read_file(fp.b("f")) == b"".join(l * bs for l in (b"A", b"B", b"C", b"D"))
