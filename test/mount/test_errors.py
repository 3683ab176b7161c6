# SPDX-License-Identifier: GPL-2.0
"""A failed mount says why in one line: the helper's own errors on stderr,
the kernel's refusals as one stderr line plus one kernel log line."""

import os

from conftest import fplib, fstype, run

MOUNT_FAILURE = 32  # mount(8)'s exit status for a failed mount


def ours(kmsg):
    """The kernel log lines fusepass wrote."""
    return [l for l in kmsg.lines if l.startswith("fusepass: ")]


def mount(d, options, target=None):
    return run(["mount", "-t", "fusepass", "-o", options, "none",
                target or d.mnt])


def test_root_dir_missing(dirs):
    missing = os.path.join(dirs.root, "nonexistent")
    r = mount(dirs, "root_dir=%s,no_daemon" % missing)
    assert r.returncode == MOUNT_FAILURE
    assert r.stderr == ("mount.fusepass: root_dir %s: No such file or directory\n"
                        % missing)
    assert fstype(dirs.mnt) is None


def test_root_dir_not_a_directory(dirs):
    path = dirs.file("plain", "")
    r = mount(dirs, "root_dir=%s,no_daemon" % path)
    assert r.returncode == MOUNT_FAILURE
    assert r.stderr == "mount.fusepass: root_dir %s: Not a directory\n" % path


def test_unknown_option_one_line_each(dirs):
    with fplib.Kmsg() as k:
        r = mount(dirs, "root_dir=%s,no_daemon,bogus" % dirs.backing)
    assert r.returncode == MOUNT_FAILURE
    assert r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("mount.fusepass: mounting %s: Invalid argument"
                               % dirs.mnt)
    assert ours(k) == ["fusepass: mount: unknown mount option 'bogus'"]
    assert fstype(dirs.mnt) is None


def test_missing_mode_one_line_each(dirs):
    # Neither no_daemon nor a daemon to run: the helper says so itself,
    # in one line, before the kernel is asked anything.
    with fplib.Kmsg() as k:
        r = mount(dirs, "root_dir=%s" % dirs.backing)
    assert r.returncode == MOUNT_FAILURE
    assert r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("mount.fusepass: no daemon given"), r.stderr
    assert ours(k) == []


def test_mount_point_missing(dirs):
    target = os.path.join(dirs.root, "nonexistent")
    r = mount(dirs, "root_dir=%s,no_daemon" % dirs.backing, target)
    assert r.returncode != 0
    assert r.stderr.count("\n") == 1, r.stderr
    assert target in r.stderr
