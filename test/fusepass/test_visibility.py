# SPDX-License-Identifier: GPL-2.0
"""Changes made directly in the backing tree show through the mount at once,
and inode numbers are the backing ones."""

import os

import pytest

from fplib import read_file, write_file


def test_backing_create_visible(fp):
    assert os.listdir(fp.mnt) == []
    write_file(fp.b("new"), b"created behind the mount")
    assert os.listdir(fp.mnt) == ["new"]
    assert read_file(fp.m("new")) == b"created behind the mount"


def test_backing_modify_visible(fp):
    write_file(fp.b("f"), b"old")
    assert read_file(fp.m("f")) == b"old"
    assert os.stat(fp.m("f")).st_size == 3
    with open(fp.b("f"), "r+b") as f:
        f.write(b"NEW content, longer")
    assert os.stat(fp.m("f")).st_size == 19
    assert read_file(fp.m("f")) == b"NEW content, longer"
    os.truncate(fp.b("f"), 3)
    assert read_file(fp.m("f")) == b"NEW"


def test_backing_modify_visible_to_open_file(fp):
    write_file(fp.b("f"), b"aaaa")
    fd = os.open(fp.m("f"), os.O_RDONLY)
    try:
        assert os.pread(fd, 16, 0) == b"aaaa"
        with open(fp.b("f"), "r+b") as f:
            f.write(b"bbbbbb")
        assert os.fstat(fd).st_size == 6
        assert os.pread(fd, 16, 0) == b"bbbbbb"
    finally:
        os.close(fd)


def test_backing_delete_visible(fp):
    write_file(fp.b("f"), b"x")
    os.mkdir(fp.b("d"))
    assert os.path.isfile(fp.m("f")) and os.path.isdir(fp.m("d"))
    os.unlink(fp.b("f"))
    os.rmdir(fp.b("d"))
    with pytest.raises(FileNotFoundError):
        os.stat(fp.m("f"))
    with pytest.raises(FileNotFoundError):
        os.stat(fp.m("d"))
    assert os.listdir(fp.mnt) == []


def test_backing_rename_visible(fp):
    write_file(fp.b("old"), b"payload")
    ino = os.stat(fp.m("old")).st_ino
    os.rename(fp.b("old"), fp.b("new"))
    with pytest.raises(FileNotFoundError):
        os.stat(fp.m("old"))
    st = os.stat(fp.m("new"))
    assert st.st_ino == ino
    assert read_file(fp.m("new")) == b"payload"
    assert os.listdir(fp.mnt) == ["new"]


def test_backing_replace_visible(fp):
    # The name stays, the inode behind it changes.
    write_file(fp.b("f"), b"first")
    first = os.stat(fp.m("f")).st_ino
    write_file(fp.b("tmp"), b"second")
    os.rename(fp.b("tmp"), fp.b("f"))
    st = os.stat(fp.m("f"))
    assert st.st_ino == os.stat(fp.b("f")).st_ino != first
    assert read_file(fp.m("f")) == b"second"


def test_missing_name_then_backing_create_visible(fp):
    for name in ("late-file", "late-dir"):
        with pytest.raises(FileNotFoundError):
            os.stat(fp.m(name))
    write_file(fp.b("late-file"), b"here now")
    os.mkdir(fp.b("late-dir"))
    assert read_file(fp.m("late-file")) == b"here now"
    assert os.path.isdir(fp.m("late-dir"))


def test_missing_name_in_subdir_then_backing_create_visible(fp):
    os.mkdir(fp.b("d"))
    with pytest.raises(FileNotFoundError):
        os.stat(fp.m("d", "sub", "f"))
    os.makedirs(fp.b("d", "sub"))
    write_file(fp.b("d", "sub", "f"), b"deep")
    assert read_file(fp.m("d", "sub", "f")) == b"deep"


def _tree(fp):
    os.makedirs(fp.b("dir", "sub"))
    write_file(fp.b("file"), b"1")
    write_file(fp.b("dir", "sub", "file2"), b"2")
    os.symlink("file", fp.b("link"))
    os.mkfifo(fp.b("dir", "fifo"))
    return ["", "file", "dir", os.path.join("dir", "sub"),
            os.path.join("dir", "sub", "file2"), "link",
            os.path.join("dir", "fifo")]


def test_st_ino_equals_backing(fp):
    for rel in _tree(fp):
        m = os.lstat(fp.m(rel) if rel else fp.mnt)
        b = os.lstat(fp.b(rel) if rel else fp.backing)
        assert m.st_ino == b.st_ino, rel
        assert m.st_mode == b.st_mode, rel
        assert m.st_nlink == b.st_nlink, rel


def test_d_ino_equals_backing(fp):
    _tree(fp)
    for rel in ("", "dir", os.path.join("dir", "sub")):
        seen = {e.name: e.inode() for e in os.scandir(fp.m(rel) if rel else fp.mnt)}
        want = {e.name: e.inode() for e in os.scandir(fp.b(rel) if rel else fp.backing)}
        assert seen == want, rel
        for name, ino in seen.items():
            assert ino == os.lstat(fp.b(rel, name)).st_ino, name


@pytest.mark.fusepass_only
def test_st_dev_differs_from_backing(fp):
    _tree(fp)
    dev = os.stat(fp.mnt).st_dev
    assert dev != os.stat(fp.backing).st_dev
    for rel in ("file", "dir", os.path.join("dir", "sub", "file2")):
        assert os.lstat(fp.m(rel)).st_dev == dev, rel
