# SPDX-License-Identifier: GPL-2.0
"""Unloading the module. These run after every other test (conftest.py
orders `module_reload` last) and leave the module loaded again."""

import os
import shutil
import subprocess

import pytest

import fplib
from fplib import read_file, write_file

pytestmark = [pytest.mark.fusepass_only, pytest.mark.module_reload]


def _tool(name):
    path = shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/sbin/" + name) if os.access(p, os.X_OK)),
        None)
    assert path, "%s (kmod) is required" % name
    return path


def _rmmod():
    return subprocess.run([_tool("rmmod"), fplib.FSTYPE], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)


def _ko():
    ko = os.environ.get("FUSEPASS_KO")
    assert ko and os.path.isfile(ko), \
        "FUSEPASS_KO must name fusepass.ko to reload it (got %r)" % ko
    return ko


@pytest.fixture
def reload_module():
    """Make sure the module is loaded again after the test, whatever happened."""
    ko = _ko()
    yield
    if not fplib.fusepass_registered():
        subprocess.run([_tool("insmod"), ko], check=True)
    assert fplib.fusepass_registered()


def test_rmmod_refused_while_mounted(reload_module, fp):
    proc = _rmmod()
    assert proc.returncode != 0, "rmmod succeeded with a mount in place"
    assert fplib.fusepass_registered()
    write_file(fp.m("f"), b"still mounted")
    assert read_file(fp.b("f")) == b"still mounted"


def test_umount_then_rmmod(reload_module, tmp_root):
    left = fplib.mounts_of_type(fplib.FSTYPE)
    assert not left, "fusepass mounts left by earlier tests: %r" % left
    backing, mnt = os.path.join(tmp_root, "b"), os.path.join(tmp_root, "m")
    os.mkdir(backing)
    os.mkdir(mnt)
    fd = os.open(backing, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fplib.mount("none", mnt, fplib.FSTYPE, 0, "root_dir=%d,no_daemon" % fd)
    finally:
        os.close(fd)
    try:
        assert fplib.top_mount(mnt)["fstype"] == fplib.FSTYPE
        write_file(os.path.join(mnt, "f"), b"before unload")
        with open(os.path.join(mnt, "f"), "rb") as f:
            assert f.read() == b"before unload"
    finally:
        fplib.umount(mnt)
    proc = _rmmod()
    assert proc.returncode == 0, proc.stdout.decode(errors="replace")
    assert not fplib.fusepass_registered()
    assert not os.path.exists("/sys/module/fusepass")
    # Loaded again, it works again.
    subprocess.run([_tool("insmod"), _ko()], check=True)
    assert fplib.fusepass_registered()
    fd = os.open(backing, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fplib.mount("none", mnt, fplib.FSTYPE, 0, "root_dir=%d,no_daemon" % fd)
    finally:
        os.close(fd)
    try:
        assert fplib.top_mount(mnt)["fstype"] == fplib.FSTYPE
        assert read_file(os.path.join(mnt, "f")) == b"before unload"
    finally:
        fplib.umount(mnt)
