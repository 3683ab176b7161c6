# SPDX-License-Identifier: GPL-2.0
"""mount -t fusepass and umount, through the installed mount.fusepass."""

import errno
import os

import pytest

from conftest import fplib, fstype, run


def opts(d, *more):
    return ",".join(["root_dir=" + d.backing, "no_daemon"] + list(more))


def test_mount_t_fusepass_round_trip(dirs):
    fplib.write_file(os.path.join(dirs.backing, "in"), b"backing side")
    r = run(["mount", "-t", "fusepass", "-o", opts(dirs), "none", dirs.mnt])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    ent = fplib.top_mount(dirs.mnt)
    assert ent["fstype"] == "fusepass"
    assert ent["source"] == "none"
    assert "no_daemon" in ent["super_options"].split(",")
    assert fplib.read_file(os.path.join(dirs.mnt, "in")) == b"backing side"
    fplib.write_file(os.path.join(dirs.mnt, "out"), b"mount side")
    assert fplib.read_file(os.path.join(dirs.backing, "out")) == b"mount side"

    r = run(["umount", dirs.mnt])
    assert (r.returncode, r.stderr) == (0, "")
    assert fstype(dirs.mnt) is None


def test_generic_options_become_flags(dirs):
    r = run(["mount", "-t", "fusepass", "-o", opts(dirs, "ro", "nosuid", "noexec"),
             "none", dirs.mnt])
    assert (r.returncode, r.stderr) == (0, "")
    try:
        flags = fplib.top_mount(dirs.mnt)["options"].split(",")
        assert {"ro", "nosuid", "noexec"} <= set(flags)
        with pytest.raises(OSError) as e:
            fplib.write_file(os.path.join(dirs.mnt, "f"), b"x")
        assert e.value.errno == errno.EROFS
    finally:
        assert run(["umount", dirs.mnt]).returncode == 0


def test_mount_by_helper_path_directly(dirs):
    """mount.fusepass on its own, as a service or script may run it."""
    r = run(["/sbin/mount.fusepass", "none", dirs.mnt, "-o", opts(dirs)])
    assert (r.returncode, r.stderr) == (0, "")
    assert fstype(dirs.mnt) == "fusepass"
    assert run(["umount", dirs.mnt]).returncode == 0
