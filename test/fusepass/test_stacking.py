# SPDX-License-Identifier: GPL-2.0
"""Mounts inside the backing tree, fusepass on fusepass, and its limits."""

import errno
import os

import pytest

import fplib
from fplib import read_file, write_file


def _dirs(root, *names):
    paths = [os.path.join(root, n) for n in names]
    for p in paths:
        os.mkdir(p)
        os.chmod(p, 0o755)
    return paths


def test_lookup_crosses_mount_in_backing_tree(tmp_root, mounts):
    backing, mnt = _dirs(tmp_root, "backing", "mnt")
    sub = os.path.join(backing, "sub")
    os.mkdir(sub)
    write_file(os.path.join(sub, "under"), b"hidden by the tmpfs")
    mounts.tmpfs(sub)
    write_file(os.path.join(sub, "on-tmpfs"), b"tmpfs file")
    mounts.fusepass(backing, mnt)
    assert os.listdir(os.path.join(mnt, "sub")) == ["on-tmpfs"]
    assert read_file(os.path.join(mnt, "sub", "on-tmpfs")) == b"tmpfs file"
    assert os.stat(os.path.join(mnt, "sub")).st_ino == os.stat(sub).st_ino
    # Names created through the mount land on the tmpfs.
    write_file(os.path.join(mnt, "sub", "new"), b"via mount")
    assert read_file(os.path.join(sub, "new")) == b"via mount"
    os.mkdir(os.path.join(mnt, "sub", "d"))
    assert os.path.isdir(os.path.join(sub, "d"))
    assert sorted(os.listdir(sub)) == ["d", "new", "on-tmpfs"]


@pytest.mark.fusepass_only
def test_lookup_crosses_mount_made_after_mounting(tmp_root, mounts):
    backing, mnt = _dirs(tmp_root, "backing", "mnt")
    sub = os.path.join(backing, "sub")
    os.mkdir(sub)
    mounts.fusepass(backing, mnt)
    # sub is first looked up through the mount after the tmpfs is there.
    mounts.tmpfs(sub)
    write_file(os.path.join(sub, "on-tmpfs"), b"late tmpfs")
    assert read_file(os.path.join(mnt, "sub", "on-tmpfs")) == b"late tmpfs"


@pytest.mark.fusepass_only
def test_self_stacking_lookup_eloop(tmp_root, mounts):
    backing, = _dirs(tmp_root, "backing")
    inner = os.path.join(backing, "m")
    os.mkdir(inner)
    write_file(os.path.join(backing, "f"), b"reachable")
    mounts.fusepass(backing, inner)
    # The mount works, but entering itself again does not.
    assert read_file(os.path.join(inner, "f")) == b"reachable"
    with pytest.raises(OSError) as exc:
        os.stat(os.path.join(inner, "m"))
    assert exc.value.errno == errno.ELOOP
    with pytest.raises(OSError) as exc:
        os.listdir(os.path.join(inner, "m"))
    assert exc.value.errno == errno.ELOOP


def _stack_two(tmp_root, mounts):
    """fusepass A over an ext4 dir, fusepass B over a dir inside A."""
    lower, ma, mb = _dirs(tmp_root, "lower", "ma", "mb")
    mounts.fusepass(lower, ma)
    os.makedirs(os.path.join(ma, "sub", "deeper"))
    mounts.fusepass(os.path.join(ma, "sub"), mb)
    return lower, ma, mb


@pytest.mark.fusepass_only
def test_stack_depth_two_works(tmp_root, mounts):
    lower, ma, mb = _stack_two(tmp_root, mounts)
    assert fplib.top_mount(mb)["fstype"] == "fusepass"
    write_file(os.path.join(mb, "deeper", "f"), b"two levels down")
    assert read_file(os.path.join(lower, "sub", "deeper", "f")) == b"two levels down"
    assert read_file(os.path.join(ma, "sub", "deeper", "f")) == b"two levels down"
    assert (os.stat(os.path.join(mb, "deeper", "f")).st_ino ==
            os.stat(os.path.join(lower, "sub", "deeper", "f")).st_ino)
    write_file(os.path.join(lower, "sub", "g"), b"from below")
    assert read_file(os.path.join(mb, "g")) == b"from below"


@pytest.mark.fusepass_only
def test_stack_depth_three_eloop(tmp_root, mounts):
    _, _, mb = _stack_two(tmp_root, mounts)
    mc, = _dirs(tmp_root, "mc")
    fd = os.open(os.path.join(mb, "deeper"), os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(OSError) as exc:
            fplib.mount("none", mc, "fusepass", 0, "root_dir=%d,no_daemon" % fd)
    finally:
        os.close(fd)
        if fplib.top_mount(mc):
            fplib.umount(mc, fplib.MNT_DETACH)
    assert exc.value.errno == errno.ELOOP
