# SPDX-License-Identifier: GPL-2.0
"""Mounting fusepass in no-daemon mode: options, errors, privilege."""

import errno
import os
import shutil

import pytest

import fplib
from fplib import read_file, write_file

pytestmark = pytest.mark.fusepass_only


def test_mount_type_is_fusepass(fp):
    ent = fplib.top_mount(fp.mnt)
    assert ent["fstype"] == "fusepass"
    assert [e for e in fplib.mounts_of_type("fusepass") if e["target"] == fp.mnt]


@pytest.mark.mount_opts("rootmode=40755", "user_id=0", "group_id=0",
                        "default_permissions", "allow_other")
def test_mount_accepts_optional_options(fp):
    write_file(fp.m("f"), b"works")
    assert read_file(fp.b("f")) == b"works"


def test_mount_read_only(tmp_root, mounts):
    backing, mnt = os.path.join(tmp_root, "b"), os.path.join(tmp_root, "m")
    os.mkdir(backing)
    os.mkdir(mnt)
    write_file(os.path.join(backing, "f"), b"ro")
    mounts.fusepass(backing, mnt, flags=fplib.MS_RDONLY)
    assert read_file(os.path.join(mnt, "f")) == b"ro"
    with pytest.raises(OSError) as exc:
        write_file(os.path.join(mnt, "g"))
    assert exc.value.errno == errno.EROFS
    with pytest.raises(OSError) as exc:
        os.open(os.path.join(mnt, "f"), os.O_WRONLY)
    assert exc.value.errno == errno.EROFS
    # The backing tree itself stays writable.
    write_file(os.path.join(backing, "g"), b"rw")


def test_mount_same_backing_twice(tmp_root, mounts):
    backing = os.path.join(tmp_root, "b")
    m1, m2 = os.path.join(tmp_root, "m1"), os.path.join(tmp_root, "m2")
    for d in (backing, m1, m2):
        os.mkdir(d)
    mounts.fusepass(backing, m1)
    mounts.fusepass(backing, m2)
    write_file(os.path.join(m1, "f"), b"one")
    assert read_file(os.path.join(m2, "f")) == b"one"
    assert os.stat(os.path.join(m1, "f")).st_ino == os.stat(os.path.join(m2, "f")).st_ino
    mounts.unmount(m1)
    assert read_file(os.path.join(m2, "f")) == b"one"


# option string template, errno, names any of which the kernel log line
# must mention ({dir}: an open directory fd, {file}: an open regular file
# fd, {closed}: a descriptor number that is not open).
ERRORS = {
    "unknown-option": ("root_dir={dir},no_daemon,bogus_option=1", errno.EINVAL,
                       ["bogus_option"]),
    "root_dir-not-a-number": ("root_dir=abc,no_daemon", errno.EINVAL, ["root_dir"]),
    "rootmode-malformed": ("root_dir={dir},no_daemon,rootmode=99x", errno.EINVAL,
                           ["rootmode"]),
    "user_id-negative": ("root_dir={dir},no_daemon,user_id=-1", errno.EINVAL,
                         ["user_id"]),
    "group_id-malformed": ("root_dir={dir},no_daemon,group_id=abc", errno.EINVAL,
                           ["group_id"]),
    "root_dir-closed-fd": ("root_dir={closed},no_daemon", errno.EBADF, ["root_dir"]),
    "root_dir-regular-file": ("root_dir={file},no_daemon", errno.ENOTDIR, ["root_dir"]),
    "no_daemon-without-root_dir": ("no_daemon", errno.EINVAL, ["root_dir", "no_daemon"]),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_mount_error(tmp_root, case):
    template, want, names = ERRORS[case]
    backing, mnt = os.path.join(tmp_root, "b"), os.path.join(tmp_root, "m")
    os.mkdir(backing)
    os.mkdir(mnt)
    write_file(os.path.join(tmp_root, "file"))
    dfd = os.open(backing, os.O_RDONLY | os.O_DIRECTORY)
    ffd = os.open(os.path.join(tmp_root, "file"), os.O_RDONLY)
    got = 0
    try:
        with fplib.Kmsg() as log:
            closed = os.open(backing, os.O_RDONLY)
            os.close(closed)
            data = template.format(dir=dfd, file=ffd, closed=closed)
            try:
                fplib.mount("none", mnt, "fusepass", 0, data)
            except OSError as e:
                got = e.errno
    finally:
        os.close(dfd)
        os.close(ffd)
        if got == 0 and fplib.top_mount(mnt):
            fplib.umount(mnt, fplib.MNT_DETACH)
    assert fplib.errname(got) == fplib.errname(want), data
    lines = [l for l in log.lines if "fusepass" in l]
    assert any(n in l for l in lines for n in names), (
        "no kernel log line naming %s; fusepass lines: %r" % (names, lines))


def _unprivileged_mount(tmp_root, prefix):
    backing, mnt = os.path.join(tmp_root, "b"), os.path.join(tmp_root, "m")
    os.mkdir(backing)
    os.mkdir(mnt)
    try:
        res = fplib.run_child(prefix, [["mount", [backing, mnt]]])
    finally:
        while fplib.top_mount(mnt):
            fplib.umount(mnt, fplib.MNT_DETACH)
    return fplib.errname(res[0][0])


def test_mount_unprivileged_user_eperm(tmp_root):
    assert _unprivileged_mount(tmp_root, fplib.as_user(1000, 1000)) == "EPERM"


def test_mount_in_unprivileged_user_namespace_eperm(tmp_root):
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is required"
    assert _unprivileged_mount(tmp_root, [unshare, "-Urm"]) == "EPERM"

