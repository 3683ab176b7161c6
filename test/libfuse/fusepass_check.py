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
FUSEPASS_CHECK_PASSTHROUGH=REGEX (fusepass only): a test whose name
matches must also show per-open passthrough on one of its fusepass mounts:
passthrough_read and passthrough_write above zero in the connection's
/sys/fs/fusepass/connections/DEV/stats, read by the same thread while the
mount lives (libfuse 3.17's passthrough_hp silently does without
passthrough when the kernel does not offer it).
FUSEPASS_CHECK_BACKED=REGEX (fusepass only): a test whose name matches
must show backed inodes at work on one of its fusepass mounts, in the last
counters read while it lived: backed_ops above zero, and no request READ,
WRITE, READDIR, READDIRPLUS, OPEN or OPENDIR: the daemon (src/examples'
fusepass_mirror, which also reports any request naming a backed node as
an error) served nothing but the root's names and attributes.
FUSEPASS_CHECK_STATS=FILE: the last counters read of each fusepass mount
of a test checked by either are appended to FILE, under the test's name.
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
PASSTHROUGH = os.environ.get("FUSEPASS_CHECK_PASSTHROUGH")
BACKED = os.environ.get("FUSEPASS_CHECK_BACKED")
STATS_FILE = os.environ.get("FUSEPASS_CHECK_STATS")
# What a daemon never serves once the kernel serves backed inodes.
NOT_WITH_BACKED = ("READ", "WRITE", "READDIR", "READDIRPLUS", "OPEN",
                   "OPENDIR")
STATS = "/sys/fs/fusepass/connections/%d/stats"

ALLOWED_SKIPS = [
    # test_passthrough's writeback variant exists for passthrough_ll only
    r"example does not support writeback caching",
]

REWRITE = re.compile(r'^fusepass-run: pid=\d+ mount\("[^"]*", "([^"]*)", '
                     r'"[^"]*" -> "(fusepass(?:\.[^"]*)?)"\) = 0$')
FUSE_TYPES = re.compile(r"^fuse(blk)?(\..*)?$")
FUSEPASS_TYPES = re.compile(r"^fusepass(\..*)?$")


def _mounts(devs=None):
    """{mount id: (mount point, type)} from /proc/self/mountinfo; with
    @devs, also {mount id: st_dev} into it."""
    out = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            out[fields[0]] = (fields[4], fields[fields.index("-") + 1])
            if devs is not None:
                # the kernel's dev_t (MKDEV), which names the directory
                major, minor = fields[2].split(":")
                devs[fields[0]] = int(major) << 20 | int(minor)
    return out


def _counters(text):
    """{'passthrough_read': n, ...} of a stats file."""
    out = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[-1].lstrip("-").isdigit():
            out[" ".join(words[:-1])] = int(words[-1])
    return out


class Watcher:
    """Every mount that appears while it runs."""

    def __init__(self):
        self.before = _mounts()
        self.seen = {}
        self.stats = {}     # mount id -> last stats text read
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _scan(self):
        devs = {}
        for mid, ent in _mounts(devs).items():
            if mid not in self.before:
                self.seen[mid] = ent
                if (PASSTHROUGH or BACKED) and FUSEPASS_TYPES.match(ent[1]):
                    self._read_stats(mid, devs[mid])

    def _read_stats(self, mid, dev):
        try:
            with open(STATS % dev) as f:
                self.stats[mid] = f.read()
        except OSError:
            pass    # gone with its mount: the last read stands

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

    def passthrough(self):
        """(True if a mount showed passthrough reads and writes, and the
        last counters read of each fusepass mount, for the record)."""
        shown = False
        record = []
        for mid, text in self.stats.items():
            c = _counters(text)
            if c.get("passthrough_read", 0) > 0 and \
                    c.get("passthrough_write", 0) > 0:
                shown = True
            record.append("%s: %s" % (self.seen[mid][0], " ".join(
                "%s=%d" % (k.replace(" ", "_"), v) for k, v in c.items())))
        return shown, record

    def save_stats(self, name):
        if not STATS_FILE:
            return
        with open(STATS_FILE, "a") as f:
            for mid, text in self.stats.items():
                f.write("== %s: %s\n%s" % (name, self.seen[mid][0], text))

    def backed(self):
        """(True if a mount showed backed operations and none of
        NOT_WITH_BACKED reached its daemon, and what each showed)."""
        shown = False
        record = []
        for mid, text in self.stats.items():
            c = _counters(text)
            served = {op: c.get("request " + op, 0) for op in NOT_WITH_BACKED
                      if c.get("request " + op, 0)}
            if c.get("backed_ops", 0) > 0 and not served:
                shown = True
            record.append("%s: backed_ops=%d, daemon served %s" % (
                self.seen[mid][0], c.get("backed_ops", 0), served or "none of "
                + "/".join(NOT_WITH_BACKED)))
        return shown, record


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


def _judge(item, mounts, lines, passthrough=True, backed=True):
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
    if not passthrough:
        return ("no per-open passthrough: passthrough_read and "
                "passthrough_write never both above zero in the stats of "
                "the test's fusepass mounts")
    if not backed:
        return ("no backed inodes: no fusepass mount of the test showed "
                "backed_ops above zero with no %s request to its daemon"
                % "/".join(NOT_WITH_BACKED))
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
        checked = MODE != "reference" and PASSTHROUGH and \
            re.search(PASSTHROUGH, item.name)
        backed_checked = MODE != "reference" and BACKED and \
            re.search(BACKED, item.name)
        shown, record = watcher.passthrough()
        backed_shown, backed_record = watcher.backed()
        if checked or backed_checked:
            watcher.save_stats(item.name)
        item._fusepass_problem = _judge(item, mounts, lines,
                                        shown or not checked,
                                        backed_shown or not backed_checked)
        item.add_report_section(
            "call", "stdout",
            "fusepass-check (%s): mounts seen %s; preload mount rewrites %d"
            "%s%s%s\n" % (MODE, mounts,
                          len([l for l in lines if REWRITE.match(l)]),
                          "; counters %s" % record
                          if checked or backed_checked else "",
                          "; backed %s" % backed_record
                          if backed_checked else "",
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
    return ["fusepass-check: mode %s, preload log %s, passthrough required "
            "of %s, backed inodes required of %s"
            % (MODE, LOG, PASSTHROUGH, BACKED)]
