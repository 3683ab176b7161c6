# SPDX-License-Identifier: GPL-2.0
"""/etc/fstab lines of type fusepass. The guest's root is read-only, so the
fstab is a private file (mount -T) or bound over /etc/fstab in a mount
namespace of the test's own."""

import os

import pytest

from conftest import fplib, fstype, run


def line(d, target, *more):
    o = ",".join(["root_dir=" + d.backing, "no_daemon"] + list(more))
    return "none  %s  fusepass  %s  0  0\n" % (target, o)


def test_fstab_file_by_mount_point(dirs):
    fstab = dirs.file("fstab", "# fusepass\n" + line(dirs, dirs.mnt))
    fplib.write_file(os.path.join(dirs.backing, "f"), b"via fstab")
    r = run(["mount", "-T", fstab, dirs.mnt])
    assert (r.returncode, r.stderr) == (0, "")
    assert fstype(dirs.mnt) == "fusepass"
    assert fplib.read_file(os.path.join(dirs.mnt, "f")) == b"via fstab"
    assert run(["umount", dirs.mnt]).returncode == 0


def test_fstab_mount_all_skips_noauto(dirs):
    other = os.path.join(dirs.root, "other")
    os.mkdir(other)
    fstab = dirs.file("fstab", line(dirs, dirs.mnt) + line(dirs, other, "noauto"))
    r = run(["mount", "-a", "-T", fstab])
    assert (r.returncode, r.stderr) == (0, "")
    assert fstype(dirs.mnt) == "fusepass"
    assert fstype(other) is None
    assert run(["umount", dirs.mnt]).returncode == 0


def test_fstab_options_for_mount_only_are_dropped(dirs):
    fstab = dirs.file("fstab", line(dirs, dirs.mnt, "noauto", "nofail",
                                    "x-systemd.automount", "comment=test",
                                    "ro"))
    r = run(["mount", "-T", fstab, dirs.mnt])
    assert (r.returncode, r.stderr) == (0, "")
    assert "ro" in fplib.top_mount(dirs.mnt)["options"].split(",")
    assert run(["umount", dirs.mnt]).returncode == 0


def test_etc_fstab(dirs):
    if not os.path.isfile("/etc/fstab"):
        pytest.skip("no /etc/fstab in the root to bind a test fstab over")
    fstab = dirs.file("fstab", line(dirs, dirs.mnt))
    script = ('mount --bind "$1" /etc/fstab && mount "$2" && '
              'findmnt -n -o FSTYPE --mountpoint "$2" && umount "$2"')
    r = run(["unshare", "--mount", "--propagation", "private",
             "sh", "-c", script, "sh", fstab, dirs.mnt])
    assert (r.returncode, r.stdout, r.stderr) == (0, "fusepass\n", "")
