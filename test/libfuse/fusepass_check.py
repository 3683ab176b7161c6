# SPDX-License-Identifier: GPL-2.0
"""pytest plugin: prove that each libfuse test ran on the filesystem it
claims to test. Loaded from our tree with -p fusepass_check (PYTHONPATH
test/libfuse); libfuse's files stay as they are.

FUSEPASS_CHECK=fusepass (the default): the test must show
  - a successful mount(2) rewritten to type fusepass or fusepass.SUB in
    $FUSEPASS_RUN_LOG (written by libfusepass-preload.so) while it ran:
    the kernel itself accepted a fusepass mount; passthrough_bpf tests,
    which mount fusepass without a daemon, must instead show a fusepass
    mount in /proc/self/mountinfo;
  - no mount of type fuse, fuse.SUB, fuseblk or fuseblk.SUB appearing in
    /proc/self/mountinfo, which a thread watches while the test runs (the
    kernel wakes it on every change of the mount table).
FUSEPASS_CHECK=reference: nothing may go through the preload library and
no fusepass mount may appear; the fuse mounts seen are reported.
A test that passed without that evidence is turned into a failure. So is
any skip not listed in ALLOWED_SKIPS: a test skipped because, say,
libfuse's printcap could not mount at import time must not look benign.
The evidence is added to the test's captured output (JUnit system-out).
"""

import os
import re
import select
import threading

import pytest

MODE = os.environ.get("FUSEPASS_CHECK", "fusepass")
LOG = os.environ.get("FUSEPASS_RUN_LOG")

ALLOWED_SKIPS = [
    # test_passthrough's writeback variant exists for passthrough_ll only
    r"example does not support writeback caching",
]

REWRITE = re.compile(r'^fusepass-run: pid=\d+ mount\("[^"]*", "([^"]*)", '
                     r'"[^"]*" -> "(fusepass(?:\.[^"]*)?)"\) = 0$')
FUSE_TYPES = re.compile(r"^fuse(blk)?(\..*)?$")
FUSEPASS_TYPES = re.compile(r"^fusepass(\..*)?$")


def _mounts():
    """{mount id: (mount point, type)} from /proc/self/mountinfo."""
    out = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            out[fields[0]] = (fields[4], fields[fields.index("-") + 1])
    return out


class Watcher:
    """Every mount that appears while it runs."""

    def __init__(self):
        self.before = _mounts()
        self.seen = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _scan(self):
        for mid, ent in _mounts().items():
            if mid not in self.before:
                self.seen[mid] = ent

    def _run(self):
        fd = os.open("/proc/self/mountinfo", os.O_RDONLY)
        p = select.poll()
        p.register(fd, select.POLLPRI | select.POLLERR)
        try:
            while not self.stop.is_set():
                self._scan()
                # a change of the mount table wakes us at once
                p.poll(20)
                os.lseek(fd, 0, os.SEEK_SET)
                os.read(fd, 65536)
        finally:
            os.close(fd)

    def finish(self):
        self.stop.set()
        self.thread.join()
        self._scan()
        return list(self.seen.values())


def _log_size():
    try:
        return os.path.getsize(LOG) if LOG else 0
    except OSError:
        return 0


def _log_since(offset):
    if not LOG:
        return []
    try:
        with open(LOG, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace").splitlines()
    except OSError:
        return []


def _judge(item, mounts, lines):
    """None if the evidence is right for MODE, else what is wrong."""
    types = sorted({t for _, t in mounts})
    fuse = [m for m in mounts if FUSE_TYPES.match(m[1])]
    fusepass = [m for m in mounts if FUSEPASS_TYPES.match(m[1])]
    rewrites = [l for l in lines if REWRITE.match(l)]
    if MODE == "reference":
        if fusepass:
            return "fusepass mounts in the reference run: %s" % fusepass
        if lines:
            return "the preload library was active in the reference run"
        return None
    if fuse:
        return "mounted the kernel's FUSE: %s" % fuse
    if "passthrough_bpf" in item.name:
        if not fusepass:
            return "no fusepass mount was seen (mounts: %s)" % types
    elif not rewrites:
        return ("no successful rewritten mount(2) in %s during the test "
                "(log lines: %s)" % (LOG, lines[-5:]))
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    offset = _log_size()
    watcher = Watcher()
    try:
        yield
    finally:
        mounts = watcher.finish()
        lines = _log_since(offset)
        item._fusepass_problem = _judge(item, mounts, lines)
        item.add_report_section(
            "call", "stdout",
            "fusepass-check (%s): mounts seen %s; preload mount rewrites %d"
            "%s\n" % (MODE, mounts, len([l for l in lines if REWRITE.match(l)]),
                      "; PROBLEM: " + item._fusepass_problem
                      if item._fusepass_problem else ""))


def _skip_reason(rep):
    lr = rep.longrepr
    if isinstance(lr, tuple) and len(lr) == 3:
        return str(lr[2])
    return str(lr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    problem = None
    if rep.skipped and not getattr(rep, "wasxfail", None):
        reason = _skip_reason(rep)
        if not any(re.search(p, reason) for p in ALLOWED_SKIPS):
            problem = "unexpected skip (%s)" % reason
    elif rep.when == "call" and rep.passed:
        problem = getattr(item, "_fusepass_problem", None)
    if problem:
        rep.outcome = "failed"
        rep.longrepr = "fusepass-check: " + problem


def pytest_report_header(config):
    return ["fusepass-check: mode %s, preload log %s" % (MODE, LOG)]
