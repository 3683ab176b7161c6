# SPDX-License-Identifier: GPL-2.0
"""Fixtures of the daemon tests: a mount point, scripted daemons, blockers.

Environment:
  FUSEPASS_TEST_PROGS  directory of the compiled test programs (blocker,
                       hostile, hammer; test/daemon/Makefile)
  FUSEPASS_REFERENCE=1 run against the kernel's FUSE instead (fptarget.py)
  FUSEPASS_KO          fusepass.ko, for the unload checks
  FUSEPASS_PROMPT      seconds within which "promptly" must happen
                       (default 10: TCG guests are slow)
"""

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from fptarget import TARGET, dev_of, fstype_of, is_mounted  # noqa: E402
from scripted_daemon import DaemonProc  # noqa: E402
import rawfuse  # noqa: E402

PROMPT = float(os.environ.get("FUSEPASS_PROMPT", "10"))

# What a call waiting for a request gets when the connection ends (daemon
# death, closed device, abort): ENOTCONN on fusepass, as for every later
# request. The kernel's FUSE ends requests in flight with ECONNABORTED
# instead and gives ENOTCONN only to new ones (README, compatibility notes).
INFLIGHT_ERRNO = "ECONNABORTED" if TARGET.reference else "ENOTCONN"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fusepass_only: a property of the fusepass module itself "
        "(unloading); skipped in the reference run")


def pytest_report_header(config):
    return ["daemon tests against %s (%s, type %s, control %s)"
            % (TARGET.name, TARGET.dev, TARGET.fstype, TARGET.ctl_root)]


def pytest_runtest_setup(item):
    if TARGET.reference and item.get_closest_marker("fusepass_only"):
        pytest.skip("reference run: the kernel's FUSE is not unloaded")


def prog(name):
    d = os.environ.get("FUSEPASS_TEST_PROGS")
    assert d, "FUSEPASS_TEST_PROGS must name the built test programs"
    path = os.path.join(d, name)
    assert os.access(path, os.X_OK), "%s not built (test/daemon/Makefile)" % path
    return path


@pytest.fixture
def target():
    TARGET.check_available()
    return TARGET


@pytest.fixture
def mnt():
    d = tempfile.mkdtemp(prefix="fp-daemon.")
    yield d
    if is_mounted(d):
        try:
            rawfuse.umount(d, rawfuse.MNT_DETACH)
        except OSError:
            pass
    shutil.rmtree(d, ignore_errors=True)


class Blocker:
    """One blocker process: a system call the daemon may hold."""

    def __init__(self, op, path, path2=None):
        args = [prog("blocker"), op, path] + ([path2] if path2 else [])
        self.op = op
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, bufsize=0)
        line = self.proc.stdout.readline().decode().strip()
        if line != "ready":
            self.proc.kill()
            raise AssertionError("blocker %s %s: %r" % (op, path, line))

    def result(self, timeout=PROMPT):
        """(ret, errno name, ms) once the call returned; fails if it hangs."""
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s still blocked after %ss" % (self.op, timeout))
        words = out.decode().split()
        assert words and words[0] == "done", "blocker said %r" % out
        return int(words[1]), words[2], float(words[3])

    def still_blocked(self, secs=0.5):
        try:
            self.proc.wait(timeout=secs)
        except subprocess.TimeoutExpired:
            return True
        return False

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=PROMPT)
            except subprocess.TimeoutExpired:
                pass


def connection_gone(target, dev, timeout=PROMPT):
    names = {str(os.major(dev) << 20 | os.minor(dev)), str(dev)}
    deadline = time.monotonic() + timeout
    while names & set(target.connections()):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class Daemons:
    """The daemons and blockers of one test, all ended at teardown."""

    def __init__(self, target, mnt):
        self.target, self.mnt = target, mnt
        self.daemons, self.blockers = [], []
        self.devs = []

    def start(self, **kw):
        d = DaemonProc(self.target, self.mnt, **kw)
        self.daemons.append(d)
        d.wait_ready()
        assert fstype_of(self.mnt) == self.target.fstype, \
            "%s is mounted as %s" % (self.mnt, fstype_of(self.mnt))
        if not kw.get("no_init"):
            self.devs.append(dev_of(self.mnt))
        return d

    def block(self, op, path, path2=None):
        b = Blocker(op, path, path2)
        self.blockers.append(b)
        return b

    def teardown(self):
        problems = []
        for d in self.daemons:
            if d.alive():
                d.kill()
        for b in self.blockers:
            if b.proc.poll() is None:
                b.kill()
                if b.proc.poll() is None:
                    problems.append("blocker %s stuck after its daemon died"
                                    % b.op)
        if is_mounted(self.mnt):
            try:
                rawfuse.umount(self.mnt, rawfuse.MNT_DETACH)
            except OSError as e:
                problems.append("umount -l %s: %s" % (self.mnt, e))
        for dev in self.devs:
            if not connection_gone(self.target, dev):
                problems.append("connection %d still in %s after umount and "
                                "daemon exit" % (dev, self.target.ctl_root))
        return problems


@pytest.fixture
def daemons(target, mnt):
    ds = Daemons(target, mnt)
    yield ds
    problems = ds.teardown()
    assert not problems, "; ".join(problems)


def enotconn_now(path, op="stat"):
    """errno name of a fresh call on a dead mount, and how long it took."""
    t = time.monotonic()
    try:
        if op == "stat":
            os.stat(path)
        elif op == "open":
            os.close(os.open(path, os.O_RDONLY))
        elif op == "listdir":
            os.listdir(path)
        elif op == "create":
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
        elif op == "mkdir":
            os.mkdir(path)
        elif op == "unlink":
            os.unlink(path)
        elif op == "rename":
            os.rename(path, path + ".renamed")
        elif op == "setxattr":
            os.setxattr(path, "user.x", b"1")
        elif op == "getxattr":
            os.getxattr(path, "user.x")
        elif op == "statvfs":
            os.statvfs(path)
        elif op == "truncate":
            os.truncate(path, 0)
        else:
            raise ValueError(op)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno)), time.monotonic() - t
    return "0", time.monotonic() - t
