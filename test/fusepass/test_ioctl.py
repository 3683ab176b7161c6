# SPDX-License-Identifier: GPL-2.0
"""Inode flags (FS_IOC_GETFLAGS / FS_IOC_SETFLAGS) through the mount."""

import fcntl
import os
import struct

import pytest

from fplib import FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_NOATIME_FL, FS_NODUMP_FL
from fplib import write_file


def _get(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        buf = bytearray(8)
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, buf, True)
        return struct.unpack_from("i", buf)[0]
    finally:
        os.close(fd)


def _set(path, flags):
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("i4x", flags))
    finally:
        os.close(fd)


@pytest.fixture
def flagged(fp):
    """A file in the backing tree, after checking the backing fs has flags."""
    write_file(fp.b("f"), b"data")
    try:
        _get(fp.b("f"))
    except OSError as e:
        pytest.skip("backing filesystem has no inode flags: %s" % e)
    return fp


def test_getflags_equals_backing(flagged):
    fp = flagged
    assert _get(fp.m("f")) == _get(fp.b("f"))


def test_setflags_noatime_visible_on_backing(flagged):
    fp = flagged
    before = _get(fp.b("f"))
    assert not before & FS_NOATIME_FL
    _set(fp.m("f"), _get(fp.m("f")) | FS_NOATIME_FL)
    assert _get(fp.b("f")) == before | FS_NOATIME_FL
    _set(fp.m("f"), _get(fp.m("f")) & ~FS_NOATIME_FL)
    assert _get(fp.b("f")) == before


def test_setflags_on_backing_seen_through_mount(flagged):
    fp = flagged
    _set(fp.b("f"), _get(fp.b("f")) | FS_NODUMP_FL)
    assert _get(fp.m("f")) & FS_NODUMP_FL
    _set(fp.b("f"), _get(fp.b("f")) & ~FS_NODUMP_FL)
    assert not _get(fp.m("f")) & FS_NODUMP_FL


def test_setflags_on_directory(flagged):
    fp = flagged
    os.mkdir(fp.b("d"))
    _set(fp.m("d"), _get(fp.m("d")) | FS_NOATIME_FL)
    assert _get(fp.b("d")) & FS_NOATIME_FL
