# SPDX-License-Identifier: GPL-2.0
"""Creating, removing, linking and renaming names through the mount."""

import errno
import os
import socket
import stat

import pytest

import fplib
from fplib import read_file, write_file


def test_create_visible_on_backing(fp):
    fd = os.open(fp.m("f"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        os.write(fd, b"new")
    finally:
        os.close(fd)
    st = os.stat(fp.b("f"))
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o640
    assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid())
    assert read_file(fp.b("f")) == b"new"
    with pytest.raises(FileExistsError):
        os.open(fp.m("f"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)


def test_create_honours_umask(fp):
    old = os.umask(0o077)
    try:
        os.close(os.open(fp.m("f"), os.O_WRONLY | os.O_CREAT, 0o666))
        os.mkdir(fp.m("d"), 0o777)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(fp.b("f")).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(fp.b("d")).st_mode) == 0o700


def test_create_inherits_setgid_dir_group(fp):
    os.mkdir(fp.b("d"))
    os.chown(fp.b("d"), 0, 1234)
    os.chmod(fp.b("d"), 0o2775)
    write_file(fp.m("d", "f"))
    os.mkdir(fp.m("d", "sub"))
    assert os.stat(fp.b("d", "f")).st_gid == 1234
    st = os.stat(fp.b("d", "sub"))
    assert st.st_gid == 1234 and st.st_mode & stat.S_ISGID


def test_mkdir_rmdir(fp):
    os.mkdir(fp.m("d"), 0o750)
    st = os.stat(fp.b("d"))
    assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o750
    os.mkdir(fp.m("d", "sub"))
    assert os.path.isdir(fp.b("d", "sub"))
    assert os.stat(fp.m("d")).st_nlink == os.stat(fp.b("d")).st_nlink == 3
    with pytest.raises(OSError) as exc:
        os.rmdir(fp.m("d"))
    assert exc.value.errno == errno.ENOTEMPTY
    os.rmdir(fp.m("d", "sub"))
    os.rmdir(fp.m("d"))
    assert not os.path.exists(fp.b("d"))
    assert os.listdir(fp.mnt) == []


def test_unlink(fp):
    write_file(fp.b("f"), b"x")
    os.unlink(fp.m("f"))
    assert not os.path.lexists(fp.b("f"))
    with pytest.raises(FileNotFoundError):
        os.stat(fp.m("f"))


def test_unlink_open_file_stays_usable(fp):
    write_file(fp.b("f"), b"still here")
    fd = os.open(fp.m("f"), os.O_RDWR)
    try:
        os.unlink(fp.m("f"))
        assert not os.path.lexists(fp.b("f"))
        assert os.listdir(fp.b("")) == []
        assert os.pread(fd, 100, 0) == b"still here"
        os.pwrite(fd, b"STILL", 0)
        assert os.pread(fd, 100, 0) == b"STILL here"
        assert os.fstat(fd).st_nlink == 0
    finally:
        os.close(fd)


def test_mkfifo(fp):
    os.mkfifo(fp.m("fifo"), 0o640)
    st = os.lstat(fp.b("fifo"))
    assert stat.S_ISFIFO(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o640
    # A FIFO opened through the mount is a working pipe.
    fd = os.open(fp.m("fifo"), os.O_RDWR | os.O_NONBLOCK)
    try:
        os.write(fd, b"through the fifo")
        assert os.read(fd, 100) == b"through the fifo"
    finally:
        os.close(fd)


def test_unix_socket_bound_inside_mount(fp):
    path = fp.m("sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        srv.bind(path)
        srv.listen(1)
        assert stat.S_ISSOCK(os.lstat(fp.b("sock")).st_mode)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
        cli.connect(path)
        conn, _ = srv.accept()
        with conn:
            cli.sendall(b"ping")
            assert conn.recv(4) == b"ping"
    finally:
        cli.close()
        srv.close()
    os.unlink(path)
    assert not os.path.lexists(fp.b("sock"))


def test_mknod_char_device_reads_like_dev_null(fp):
    if "nodev" in fplib.mount_of(fp.backing)["options"].split(","):
        pytest.skip("backing filesystem is mounted nodev")
    os.mknod(fp.m("null"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
    st = os.lstat(fp.b("null"))
    assert stat.S_ISCHR(st.st_mode)
    assert st.st_rdev == os.makedev(1, 3)
    assert os.lstat(fp.m("null")).st_rdev == os.makedev(1, 3)
    fd = os.open(fp.m("null"), os.O_RDWR)
    try:
        assert os.write(fd, b"discarded") == 9
        assert os.read(fd, 100) == b""
    finally:
        os.close(fd)


def test_mknod_regular_file(fp):
    os.mknod(fp.m("reg"), stat.S_IFREG | 0o640)
    st = os.lstat(fp.b("reg"))
    assert stat.S_ISREG(st.st_mode) and st.st_size == 0
    assert stat.S_IMODE(st.st_mode) == 0o640


def test_symlink_readlink(fp):
    write_file(fp.b("target"), b"pointed at")
    os.symlink("target", fp.m("rel"))
    os.symlink("./no/such/../thing", fp.m("dangling"))
    assert os.readlink(fp.b("rel")) == "target"
    assert os.readlink(fp.m("rel")) == "target"
    assert os.readlink(fp.m("dangling")) == "./no/such/../thing"
    assert stat.S_ISLNK(os.lstat(fp.b("rel")).st_mode)
    assert read_file(fp.m("rel")) == b"pointed at"
    with pytest.raises(FileNotFoundError):
        os.stat(fp.m("dangling"))


def test_symlink_on_backing_readable_through_mount(fp):
    os.mkdir(fp.b("d"))
    write_file(fp.b("d", "f"), b"via link")
    os.symlink("d", fp.b("dl"))
    assert os.readlink(fp.m("dl")) == "d"
    assert read_file(fp.m("dl", "f")) == b"via link"


def test_symlink_absolute_target_resolves_in_caller_namespace(fp):
    # Like a bind mount: the target is resolved from the caller's root.
    write_file(fp.b("f"), b"absolute")
    os.symlink(fp.b("f"), fp.m("abs"))
    assert read_file(fp.m("abs")) == b"absolute"


def test_link_raises_and_unlink_drops_nlink(fp):
    write_file(fp.b("a"), b"shared")
    os.link(fp.m("a"), fp.m("b"))
    assert os.stat(fp.b("a")).st_nlink == 2
    assert os.stat(fp.m("a")).st_nlink == 2
    assert os.stat(fp.m("b")).st_ino == os.stat(fp.b("a")).st_ino
    assert read_file(fp.b("b")) == b"shared"
    os.unlink(fp.m("b"))
    assert os.stat(fp.m("a")).st_nlink == 1
    assert os.stat(fp.b("a")).st_nlink == 1
    assert not os.path.lexists(fp.b("b"))


def test_rename_plain(fp):
    write_file(fp.b("a"), b"A")
    os.mkdir(fp.b("d1"))
    os.mkdir(fp.b("d2"))
    write_file(fp.b("d1", "x"), b"X")
    ino = os.stat(fp.b("a")).st_ino
    os.rename(fp.m("a"), fp.m("d2", "a2"))
    assert not os.path.lexists(fp.b("a"))
    assert os.stat(fp.b("d2", "a2")).st_ino == ino
    os.rename(fp.m("d1"), fp.m("d2", "d1moved"))
    assert read_file(fp.b("d2", "d1moved", "x")) == b"X"
    assert read_file(fp.m("d2", "d1moved", "x")) == b"X"
    # Over an existing file: replaced.
    write_file(fp.b("c"), b"C")
    os.rename(fp.m("c"), fp.m("d2", "a2"))
    assert read_file(fp.b("d2", "a2")) == b"C"
    assert sorted(os.listdir(fp.b(""))) == ["d2"]


def test_rename_noreplace_eexist(fp):
    write_file(fp.b("a"), b"A")
    write_file(fp.b("b"), b"B")
    with pytest.raises(OSError) as exc:
        fplib.renameat2(fp.m("a"), fp.m("b"), fplib.RENAME_NOREPLACE)
    assert exc.value.errno == errno.EEXIST
    assert read_file(fp.b("a")) == b"A" and read_file(fp.b("b")) == b"B"
    fplib.renameat2(fp.m("a"), fp.m("c"), fplib.RENAME_NOREPLACE)
    assert read_file(fp.b("c")) == b"A" and not os.path.lexists(fp.b("a"))


def test_rename_exchange_swaps(fp):
    write_file(fp.b("a"), b"contents of a")
    os.mkdir(fp.b("b"))
    write_file(fp.b("b", "inner"), b"in b")
    fplib.renameat2(fp.m("a"), fp.m("b"), fplib.RENAME_EXCHANGE)
    assert read_file(fp.b("b")) == b"contents of a"
    assert read_file(fp.b("a", "inner")) == b"in b"
    assert read_file(fp.m("a", "inner")) == b"in b"
    write_file(fp.b("c"), b"C")
    fplib.renameat2(fp.m("b"), fp.m("c"), fplib.RENAME_EXCHANGE)
    assert read_file(fp.b("b")) == b"C"
    assert read_file(fp.b("c")) == b"contents of a"
    with pytest.raises(FileNotFoundError):
        fplib.renameat2(fp.m("c"), fp.m("missing"), fplib.RENAME_EXCHANGE)


def test_o_tmpfile_linkat(fp):
    os.mkdir(fp.b("d"))
    fd = os.open(fp.m("d"), os.O_TMPFILE | os.O_RDWR, 0o640)
    try:
        os.write(fd, b"anonymous until linked")
        assert os.listdir(fp.b("d")) == []
        assert os.fstat(fd).st_nlink == 0
        fplib.linkat("/proc/self/fd/%d" % fd, fp.m("d", "named"),
                     fplib.AT_SYMLINK_FOLLOW)
        assert os.fstat(fd).st_nlink == 1
    finally:
        os.close(fd)
    assert os.listdir(fp.b("d")) == ["named"]
    assert read_file(fp.b("d", "named")) == b"anonymous until linked"
    assert stat.S_IMODE(os.stat(fp.b("d", "named")).st_mode) == 0o640


LONG = "n" * 256


def _errno(fn, *args):
    try:
        ret = fn(*args)
    except OSError as e:
        return e.errno
    if isinstance(ret, int):
        os.close(ret)       # an open that should have failed
    return 0


# Each failing operation, run on a path relative to the tree's root.
ERROR_CASES = {
    "open-missing": (lambda p: os.open(p("missing"), os.O_RDONLY), errno.ENOENT),
    "open-under-file": (lambda p: os.open(p("file", "x"), os.O_RDONLY), errno.ENOTDIR),
    "create-excl-existing": (lambda p: os.open(p("file"), os.O_CREAT | os.O_EXCL | os.O_WRONLY),
                             errno.EEXIST),
    "open-dir-for-write": (lambda p: os.open(p("dir"), os.O_WRONLY), errno.EISDIR),
    "mkdir-existing": (lambda p: os.mkdir(p("dir")), errno.EEXIST),
    "rmdir-nonempty": (lambda p: os.rmdir(p("dir")), errno.ENOTEMPTY),
    "rmdir-file": (lambda p: os.rmdir(p("file")), errno.ENOTDIR),
    "unlink-dir": (lambda p: os.unlink(p("dir")), errno.EISDIR),
    "rename-into-self": (lambda p: os.rename(p("dir"), p("dir", "sub", "x")), errno.EINVAL),
    "rename-dir-over-file": (lambda p: os.rename(p("dir"), p("file")), errno.ENOTDIR),
    "rename-file-over-dir": (lambda p: os.rename(p("file"), p("dir")), errno.EISDIR),
    "link-dir": (lambda p: os.link(p("dir"), p("dirlink")), errno.EPERM),
    "name-too-long": (lambda p: os.open(p(LONG), os.O_CREAT | os.O_WRONLY), errno.ENAMETOOLONG),
    "readlink-file": (lambda p: os.readlink(p("file")), errno.EINVAL),
    "getxattr-missing": (lambda p: os.getxattr(p("file"), "user.missing"), errno.ENODATA),
    "truncate-dir": (lambda p: os.truncate(p("dir"), 0), errno.EISDIR),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_backing_errors_returned_unchanged(fp, case):
    write_file(fp.b("file"), b"f")
    os.makedirs(fp.b("dir", "sub"))
    fn, want = ERROR_CASES[case]
    direct = _errno(fn, fp.b)
    assert direct == want, "backing itself: %s" % fplib.errname(direct)
    through = _errno(fn, fp.m)
    assert fplib.errname(through) == fplib.errname(direct)
    assert sorted(os.listdir(fp.b(""))) == ["dir", "file"]
