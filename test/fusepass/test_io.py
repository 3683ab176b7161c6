# SPDX-License-Identifier: GPL-2.0
"""Data I/O through the mount reaches the backing file and back."""

import errno
import mmap
import os

import pytest

import fplib
from fplib import read_file, write_file

PATTERN = bytes(range(256)) * 64     # 16 KiB, no two adjacent blocks alike


def test_write_through_mount_read_on_backing(fp):
    write_file(fp.m("f"), PATTERN)
    assert read_file(fp.b("f")) == PATTERN
    assert os.stat(fp.b("f")).st_size == len(PATTERN)


def test_write_on_backing_read_through_mount(fp):
    write_file(fp.b("f"), PATTERN)
    assert read_file(fp.m("f")) == PATTERN


def test_pread_pwrite(fp):
    write_file(fp.b("f"), b"." * 100)
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        assert os.pwrite(fd, b"MIDDLE", 40) == 6
        assert os.pwrite(fd, b"TAIL", 200) == 4     # leaves a gap
        assert os.pread(fd, 10, 38) == b"..MIDDLE.."
        assert os.fstat(fd).st_size == 204
    finally:
        os.close(fd)
    data = read_file(fp.b("f"))
    assert data[40:46] == b"MIDDLE"
    assert data[100:200] == b"\0" * 100
    assert data[200:] == b"TAIL"


def test_seek_and_read(fp):
    write_file(fp.b("f"), PATTERN)
    fd = os.open(fp.m("f"), os.O_RDONLY)
    try:
        assert os.lseek(fd, 1000, os.SEEK_SET) == 1000
        assert os.read(fd, 4) == PATTERN[1000:1004]
        assert os.lseek(fd, 10, os.SEEK_CUR) == 1014
        assert os.lseek(fd, -6, os.SEEK_END) == len(PATTERN) - 6
        assert os.read(fd, 100) == PATTERN[-6:]
    finally:
        os.close(fd)


def test_o_append_writes_at_backing_end(fp):
    write_file(fp.b("f"), b"start\n")
    fd = os.open(fp.m("f"), os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, b"one\n")
        # The file grows behind the mount; the next append goes after it.
        with open(fp.b("f"), "ab") as f:
            f.write(b"direct\n")
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b"two\n")
    finally:
        os.close(fd)
    assert read_file(fp.b("f")) == b"start\none\ndirect\ntwo\n"


def test_o_direct_read_write(fp):
    size = 4 * 4096
    write_file(fp.b("probe"))
    try:
        os.close(os.open(fp.b("probe"), os.O_RDONLY | os.O_DIRECT))
    except OSError as e:
        if e.errno == errno.EINVAL:
            pytest.skip("backing filesystem does not support O_DIRECT")
        raise
    buf = mmap.mmap(-1, size)       # page aligned
    buf.write(PATTERN[:size])
    fd = os.open(fp.m("f"), os.O_RDWR | os.O_CREAT | os.O_DIRECT, 0o644)
    try:
        assert os.write(fd, buf) == size
        assert read_file(fp.b("f")) == PATTERN[:size]
        # Change the backing file, then read it back with O_DIRECT.
        with open(fp.b("f"), "r+b") as f:
            f.write(b"Z" * 4096)
            f.flush()
            os.fsync(f.fileno())
        back = mmap.mmap(-1, size)
        assert os.preadv(fd, [back], 0) == size
        assert back[:4096] == b"Z" * 4096
        assert back[4096:] == PATTERN[4096:size]
    finally:
        os.close(fd)


def test_splice(fp):
    write_file(fp.b("src"), PATTERN)
    r, w = os.pipe()
    src = os.open(fp.m("src"), os.O_RDONLY)
    dst = os.open(fp.m("dst"), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        done = 0
        while done < len(PATTERN):
            n = os.splice(src, w, min(4096, len(PATTERN) - done), offset_src=done)
            assert n > 0
            m = 0
            while m < n:
                m += os.splice(r, dst, n - m, offset_dst=done + m)
            done += n
    finally:
        for fd in (r, w, src, dst):
            os.close(fd)
    assert read_file(fp.b("dst")) == PATTERN


def test_sendfile(fp):
    write_file(fp.b("src"), PATTERN)
    src = os.open(fp.m("src"), os.O_RDONLY)
    dst = os.open(fp.m("dst"), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        done = 0
        while done < len(PATTERN):
            n = os.sendfile(dst, src, done, len(PATTERN) - done)
            assert n > 0
            done += n
    finally:
        os.close(src)
        os.close(dst)
    assert read_file(fp.b("dst")) == PATTERN


def test_copy_file_range(fp):
    write_file(fp.b("src"), PATTERN)
    write_file(fp.b("dst"), b"-" * 100)
    src = os.open(fp.m("src"), os.O_RDONLY)
    dst = os.open(fp.m("dst"), os.O_WRONLY)
    try:
        done = 0
        while done < 8192:
            n = os.copy_file_range(src, dst, 8192 - done, 4096 + done, 50 + done)
            assert n > 0
            done += n
    finally:
        os.close(src)
        os.close(dst)
    assert read_file(fp.b("dst")) == b"-" * 50 + PATTERN[4096:4096 + 8192]


def test_mmap_shared_write_lands_in_backing_file(fp):
    write_file(fp.b("f"), b"\0" * 8192)
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        mm = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    finally:
        os.close(fd)
    mm[100:111] = b"hello mmap!"
    mm[5000:5004] = b"page"
    mm.flush()
    mm.close()
    data = read_file(fp.b("f"))
    assert data[100:111] == b"hello mmap!"
    assert data[5000:5004] == b"page"
    assert len(data) == 8192


def test_mmap_shared_write_visible_before_msync(fp):
    # A bind mount shares the page cache: no msync needed to see the data.
    write_file(fp.b("f"), b"\0" * 4096)
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        mm = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    finally:
        os.close(fd)
    try:
        mm[0:7] = b"coheren"
        assert read_file(fp.b("f"))[:7] == b"coheren"
        # ...and the other way round.
        with open(fp.b("f"), "r+b") as f:
            f.seek(10)
            f.write(b"backing")
        assert mm[10:17] == b"backing"
    finally:
        mm.close()


def test_mmap_read_of_backing_data(fp):
    write_file(fp.b("f"), PATTERN)
    with open(fp.m("f"), "rb") as f:
        with mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ) as mm:
            assert mm[:] == PATTERN


def test_fsync_fdatasync_syncfs(fp):
    os.mkdir(fp.m("d"))
    fd = os.open(fp.m("d", "f"), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.write(fd, PATTERN)
        os.fsync(fd)
        os.fdatasync(fd)
        fplib.syncfs(fd)
    finally:
        os.close(fd)
    dfd = os.open(fp.m("d"), os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
        fplib.syncfs(dfd)
    finally:
        os.close(dfd)
    assert read_file(fp.b("d", "f")) == PATTERN


def _sparse(path, bs):
    """Data block, 3 hole blocks, data block: returns the file size."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.pwrite(fd, b"A" * bs, 0)
        os.pwrite(fd, b"B" * bs, 4 * bs)
        os.fsync(fd)
    finally:
        os.close(fd)
    return 5 * bs


def _seek_map(path, size, step):
    """(SEEK_DATA, SEEK_HOLE) results at every `step` offset below size."""
    out = []
    fd = os.open(path, os.O_RDONLY)
    try:
        for off in range(0, size + step, step):
            row = []
            for whence in (os.SEEK_DATA, os.SEEK_HOLE):
                try:
                    row.append(os.lseek(fd, off, whence))
                except OSError as e:
                    row.append(-e.errno)
            out.append(tuple(row))
    finally:
        os.close(fd)
    return out


def test_lseek_data_hole(fp):
    bs = os.statvfs(fp.backing).f_bsize
    size = _sparse(fp.b("f"), bs)
    seen = _seek_map(fp.m("f"), size, bs)
    assert seen == _seek_map(fp.b("f"), size, bs)
    # Independently of the backing's answers: a hole in the middle.
    assert seen[0] == (0, bs)
    assert seen[1] == (4 * bs, bs)
    assert seen[4] == (4 * bs, size)
    assert seen[5] == (-errno.ENXIO, -errno.ENXIO)
