# SPDX-License-Identifier: GPL-2.0
"""Fixtures for the mount(8) tests: a backing directory and a mount point
under $TMPDIR, and a way to run commands and see exactly what they print."""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fusepass"))
import fplib  # noqa: E402

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(cmd, **kw):
    """Run `cmd`; returns the CompletedProcess with text stdout/stderr."""
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, **kw)


def fstype(path):
    ent = fplib.top_mount(path)
    return ent["fstype"] if ent else None


class Dirs:
    def __init__(self, root):
        self.root = root
        self.backing = os.path.join(root, "backing")
        self.mnt = os.path.join(root, "mnt")
        os.mkdir(self.backing)
        os.mkdir(self.mnt)

    def file(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write(text)
        return path


@pytest.fixture
def dirs():
    root = tempfile.mkdtemp(prefix="fusepass-mount.")
    os.chmod(root, 0o755)
    yield Dirs(root)
    left = [e["target"] for e in fplib.mountinfo()
            if e["target"].startswith(root + "/")]
    for target in reversed(left):
        fplib.umount(target, fplib.MNT_DETACH)
    shutil.rmtree(root)
    assert not left, "test left mounts behind: %r" % left
