# SPDX-License-Identifier: GPL-2.0
"""An unprivileged caller gets through the mount exactly what it gets on the
backing tree directly: operations run with the caller's credentials.

These mounts pass allow_other, the option a FUSE user passes to let other
users in, so that only the backing tree's permissions decide.
"""

import errno
import os

import pytest

import fplib
from fplib import write_file

UID = GID = 1000

pytestmark = pytest.mark.mount_opts("allow_other")


@pytest.fixture
def tree(fp):
    os.mkdir(fp.b("rootdir"))
    os.chmod(fp.b("rootdir"), 0o755)
    write_file(fp.b("rootdir", "secret"), b"root only", mode=0o600)
    write_file(fp.b("rootdir", "public"), b"everyone", mode=0o644)
    os.mkdir(fp.b("userdir"))
    os.chown(fp.b("userdir"), UID, GID)
    write_file(fp.b("userdir", "own"), b"mine", mode=0o644)
    os.chown(fp.b("userdir", "own"), UID, GID)
    os.mkdir(fp.b("sticky"))
    os.chmod(fp.b("sticky"), 0o1777)
    write_file(fp.b("sticky", "rootfile"), mode=0o666)
    os.chmod(fp.b("sticky", "rootfile"), 0o666)
    return fp


def _as_user(ops):
    return fplib.run_child(fplib.as_user(UID, GID), ops)


def _both(fp, op, rel, *extra):
    """The op on the mount path and on the backing path, mount first."""
    return [[op, [fp.m(*rel)] + list(extra)], [op, [fp.b(*rel)] + list(extra)]]


def _errnos(results):
    return [fplib.errname(e) for e, _ in results]


def test_unprivileged_caller_can_reach_the_tree(tree):
    # Guards the tests below: their EACCES must not come from the path.
    res = _as_user(_both(tree, "stat", ["rootdir"]) +
                   _both(tree, "read", ["rootdir", "public"]))
    assert _errnos(res) == ["success"] * 4
    assert res[2][1] == res[3][1] == "everyone"


def test_unprivileged_create_in_root_dir_eacces(tree):
    res = _as_user(_both(tree, "create", ["rootdir", "new"]))
    assert _errnos(res) == ["EACCES", "EACCES"]
    assert not os.path.lexists(tree.b("rootdir", "new"))


def test_unprivileged_create_owned_by_caller(tree):
    res = _as_user([["create", [tree.m("userdir", "new")]]])
    assert _errnos(res) == ["success"]
    st = os.stat(tree.b("userdir", "new"))
    assert (st.st_uid, st.st_gid) == (UID, GID)


def test_unprivileged_chown_eperm(tree):
    res = _as_user(_both(tree, "chown", ["rootdir", "public"], UID, GID) +
                   _both(tree, "chown", ["userdir", "own"], 0, -1))
    assert _errnos(res) == ["EPERM"] * 4
    st = os.stat(tree.b("rootdir", "public"))
    assert (st.st_uid, st.st_gid) == (0, 0)
    assert os.stat(tree.b("userdir", "own")).st_uid == UID


def test_unprivileged_chgrp_own_file_to_own_group(tree):
    os.chown(tree.b("userdir", "own"), UID, 0)
    res = _as_user([["chown", [tree.m("userdir", "own"), -1, GID]]])
    assert _errnos(res) == ["success"]
    assert os.stat(tree.b("userdir", "own")).st_gid == GID


def test_unprivileged_read_root_0600_eacces(tree):
    res = _as_user(_both(tree, "read", ["rootdir", "secret"]))
    assert _errnos(res) == ["EACCES", "EACCES"]


def test_unprivileged_unlink_in_sticky_dir_eperm(tree):
    res = _as_user(_both(tree, "unlink", ["sticky", "rootfile"]))
    assert _errnos(res) == ["EPERM", "EPERM"]
    assert os.path.exists(tree.b("sticky", "rootfile"))


@pytest.mark.mount_opts("allow_other", "default_permissions")
def test_default_permissions_gives_same_answers(tree):
    res = _as_user(_both(tree, "read", ["rootdir", "public"]) +
                   _both(tree, "read", ["rootdir", "secret"]) +
                   _both(tree, "create", ["rootdir", "new"]) +
                   _both(tree, "chown", ["rootdir", "public"], UID, GID))
    assert _errnos(res) == ["success"] * 2 + ["EACCES"] * 4 + ["EPERM"] * 2
