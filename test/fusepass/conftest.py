# SPDX-License-Identifier: GPL-2.0
"""Fixtures: a fresh backing tree under $TMPDIR and a fusepass mount of it.

With FUSEPASS_TEST_BIND=1 the mount is a recursive bind mount instead, and
tests marked `fusepass_only` are skipped with a reason; without it every
mount must be a real fusepass mount, and a missing module fails the tests.
"""

import errno
import gc
import os
import platform
import shutil
import tempfile

import pytest

import fplib


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "mount_opts(*opts): extra fusepass options for the fp fixture")
    config.addinivalue_line(
        "markers", "fusepass_only: checks fusepass itself; skipped in bind mode")
    config.addinivalue_line(
        "markers", "module_reload: unloads the module; runs after all other tests")


def pytest_report_header(config):
    tmp = tempfile.gettempdir()
    ent = fplib.mount_of(tmp)
    mode = "bind (FUSEPASS_TEST_BIND=1)" if fplib.BIND_MODE else "fusepass"
    return ["fusepass mount mode: %s; kernel %s" % (mode, platform.release()),
            "backing TMPDIR %s on %s" % (tmp, ent["fstype"] if ent else "?")]


def pytest_collection_modifyitems(config, items):
    # Unloading the module must come last; sort is stable for the rest.
    items.sort(key=lambda it: it.get_closest_marker("module_reload") is not None)


def pytest_runtest_setup(item):
    if fplib.BIND_MODE and item.get_closest_marker("fusepass_only"):
        pytest.skip(fplib.BIND_SKIP)


@pytest.fixture(autouse=True)
def _umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(autouse=True)
def _fusepass_loaded():
    if not fplib.BIND_MODE and not fplib.fusepass_registered():
        pytest.fail("filesystem type fusepass is not registered "
                    "(module not loaded?); set FUSEPASS_TEST_BIND=1 only "
                    "to check the tests themselves on a bind mount")


def fusepass_options(fd, opts=()):
    return ",".join(["root_dir=%d" % fd, "no_daemon"] + list(opts))


class MountStack:
    """Mounts made by one test, unmounted in reverse order at teardown."""

    def __init__(self):
        self.targets = []
        self.lazy = set()

    def fusepass(self, backing, target, opts=(), flags=0):
        """Mount fusepass (or, in bind mode, a recursive bind) of `backing`."""
        if fplib.BIND_MODE:
            fplib.mount(backing, target, None, fplib.MS_BIND | fplib.MS_REC)
            self.targets.append(target)
            self.lazy.add(target)   # it carries copies of the submounts
            return
        fd = os.open(backing, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fplib.mount("none", target, fplib.FSTYPE, flags,
                        fusepass_options(fd, opts))
        finally:
            os.close(fd)
        self.targets.append(target)
        assert_fusepass_mount(target)

    def tmpfs(self, target):
        fplib.mount("none", target, "tmpfs", 0, "mode=0755")
        self.targets.append(target)

    def unmount(self, target):
        fplib.umount(target)
        self.targets.remove(target)

    def unmount_all(self):
        problems = []
        pending = list(reversed(self.targets))
        # A lower mount can stay busy until the mount stacked on it is gone,
        # whatever the order they were made in: retry until nothing moves.
        for _ in range(3):
            left = []
            for target in pending:
                try:
                    fplib.umount(target, fplib.MNT_DETACH if target in self.lazy else 0)
                except OSError as e:
                    if e.errno == errno.EINVAL:
                        continue        # already gone
                    left.append((target, e))
            if not left:
                pending = []
                break
            gc.collect()    # file objects a failed test left open
            pending = [t for t, _ in left]
        for target in pending:
            try:
                fplib.umount(target)
            except OSError as e:
                problems.append("%s: %s" % (target, e))
                try:
                    fplib.umount(target, fplib.MNT_DETACH)
                except OSError:
                    pass
        self.targets = []
        return problems


def assert_fusepass_mount(target):
    ent = fplib.top_mount(target)
    assert ent is not None, "%s is not a mount point" % target
    if ent["fstype"] != fplib.FSTYPE:
        # Never let the test run on whatever answered instead.
        try:
            fplib.umount(target, fplib.MNT_DETACH)
        except OSError:
            pass
        pytest.fail("mount at %s has type %r, not %r" %
                    (target, ent["fstype"], fplib.FSTYPE))


@pytest.fixture
def tmp_root():
    """A fresh 0755 directory under $TMPDIR, removed at teardown."""
    root = tempfile.mkdtemp(prefix="fusepass-test.")
    os.chmod(root, 0o755)
    yield root
    busy = [e["target"] for e in fplib.mountinfo()
            if e["target"].startswith(root + "/")]
    if busy:
        pytest.fail("not removing %s: still mounted: %s" % (root, busy))
    shutil.rmtree(root)


@pytest.fixture
def mounts(tmp_root):
    stack = MountStack()
    yield stack
    problems = stack.unmount_all()
    if problems:
        pytest.fail("teardown could not unmount cleanly: %s" % "; ".join(problems))


class Env:
    def __init__(self, root, backing, mnt):
        self.root = root
        self.backing = backing
        self.mnt = mnt

    def b(self, *parts):
        """A path in the backing tree."""
        return os.path.join(self.backing, *parts)

    def m(self, *parts):
        """The same path seen through the mount."""
        return os.path.join(self.mnt, *parts)


@pytest.fixture
def fp(request, tmp_root, mounts):
    """A fusepass mount of a fresh, empty backing directory."""
    marker = request.node.get_closest_marker("mount_opts")
    opts = marker.args if marker else ()
    env = Env(tmp_root, os.path.join(tmp_root, "backing"),
              os.path.join(tmp_root, "mnt"))
    for d in (env.backing, env.mnt):
        os.mkdir(d)
        os.chmod(d, 0o755)
    mounts.fusepass(env.backing, env.mnt, opts)
    return env

