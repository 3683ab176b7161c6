# SPDX-License-Identifier: GPL-2.0
"""Fixtures of the helpers tests (fusepass-run, its preload library, and
mount.fusepass's daemon mode).

Tests of the rewriting itself use the installed-style build of
fusepass-run (src/helpers/) and only read its log, so they run anywhere.
Tests that mount need a kernel filesystem: fusepass by default, or, with
FUSEPASS_REFERENCE=1, the kernel's FUSE, reached through the test builds
(hooks/fusepass-run, whose library rewrites to FUSEPASS_RUN_TARGET_DEV/
_TYPE, and mount.fusepass-fuse) so that the very same daemons run on it.

Environment: FUSEPASS_TEST_PROGS (test/helpers/Makefile's OUT),
FUSEPASS_RUN and FUSEPASS_MOUNT (the helpers, default src/helpers/),
LIBFUSE_314 (libfuse 3.14's build directory, for its example daemons).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from fptarget import TARGET, fstype_of, is_mounted  # noqa: E402
import rawfuse  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
FUSEPASS_RUN = os.environ.get("FUSEPASS_RUN") or \
    os.path.join(REPO, "src", "helpers", "fusepass-run")
FUSEPASS_MOUNT = os.environ.get("FUSEPASS_MOUNT") or \
    os.path.join(REPO, "src", "helpers", "mount.fusepass")
LIBFUSE = os.environ.get("LIBFUSE_314") or \
    os.path.join(REPO, ".build", "libfuse-3.14", "src", "build")


def pytest_report_header(config):
    return ["helpers: %s, %s; mounts on %s" % (FUSEPASS_RUN, FUSEPASS_MOUNT,
                                               TARGET.name)]


def prog(name):
    d = os.environ.get("FUSEPASS_TEST_PROGS")
    assert d, "FUSEPASS_TEST_PROGS must name the built test programs"
    path = os.path.join(d, name)
    assert os.access(path, os.X_OK), "%s not built (test/helpers/Makefile)" % path
    return path


def libfuse(*parts):
    path = os.path.join(LIBFUSE, *parts)
    assert os.access(path, os.X_OK), "%s: libfuse 3.14 not built" % path
    return path


class Redirect:
    """fusepass-run as a test uses it to reach the target filesystem."""

    def __init__(self, reference):
        if reference:
            self.run = prog("hooks/fusepass-run")
            self.env = {"FUSEPASS_RUN_TARGET_DEV": "/dev/fuse",
                        "FUSEPASS_RUN_TARGET_TYPE": "fuse"}
            self.mount_helper = prog("mount.fusepass-fuse")
        else:
            self.run = FUSEPASS_RUN
            self.env = {}
            self.mount_helper = FUSEPASS_MOUNT
        self.dev, self.fstype = TARGET.dev, TARGET.fstype


@pytest.fixture
def redirect():
    TARGET.check_available()
    return Redirect(TARGET.reference)


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="fp-helpers.")
    yield d
    for _ in range(2):
        busy = [l.split()[4] for l in open("/proc/self/mountinfo")
                if l.split()[4].startswith(d + "/")]
        for m in reversed(busy):
            try:
                rawfuse.umount(m, rawfuse.MNT_DETACH)
            except OSError:
                pass
    shutil.rmtree(d, ignore_errors=True)


def env_with(**kw):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.pop("FUSEPASS_RUN_LOG", None)
    env["PATH"] = "%s:%s:%s" % (libfuse("example"), libfuse("util"),
                                env.get("PATH", "/usr/bin:/bin"))
    env.update({k: v for k, v in kw.items() if v is not None})
    return env


def read_log(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def wait_mounted(mnt, proc=None, timeout=30):
    deadline = time.monotonic() + timeout
    while not is_mounted(mnt):
        if proc is not None and proc.poll() not in (None, 0):
            out = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail("daemon exited with %s: %s" % (proc.returncode, out))
        if time.monotonic() > deadline:
            pytest.fail("%s never got mounted" % mnt)
        time.sleep(0.05)
    return fstype_of(mnt)


def unmount(mnt, timeout=30):
    """Unmount and wait until it is gone (the daemon exits on its own)."""
    rawfuse.umount(mnt)
    deadline = time.monotonic() + timeout
    while is_mounted(mnt) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_mounted(mnt)


def daemon_pids(name):
    """Processes whose argv[0] ends in /@name or is @name."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if os.path.basename(argv0) == name:
            pids.append(int(pid))
    return pids


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def run(cmd, env=None, timeout=60, **kw):
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, **kw)
