# SPDX-License-Identifier: GPL-2.0
"""A hostile daemon against a busy mount.

One run per module (the `run` fixture): the hostile program (hostile.c)
mounts, answers INIT, then answers thousands of requests with malformed
and garbage replies chosen from a seed, while hammer.c keeps 4 threads of
system calls going on the mount with a watchdog on each; after
HOSTILE_REQUESTS requests the daemon exits with requests pending. Each
test below checks one property of that run. The kernel's answer to every
malformed write is printed (and saved as hostile-daemon.json in $RESULTS).

Replay a run with HOSTILE_SEED=N (printed below); the sequence of replies
is exactly reproducible for the same sequence of requests.
"""

import collections
import errno
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

import rawfuse
from conftest import INFLIGHT_ERRNO, PROMPT, connection_gone, enotconn_now, prog
from fptarget import TARGET, dev_of, fstype_of, is_mounted, rmmod_insmod

REQUESTS = int(os.environ.get("HOSTILE_REQUESTS", "3000"))
HUNG = float(os.environ.get("HOSTILE_HUNG", "60"))
RUN_TIMEOUT = float(os.environ.get("HOSTILE_TIMEOUT", "900"))
GRACE = 1.0   # seconds after death in which calls may still end either way

# What FUSE answers to each malformed write: the same is expected here.
FRAMING = {
    "short": "EINVAL", "len_mismatch": "EINVAL",
    "unknown_unique": "ENOENT", "future_unique": "ENOENT",
    "stale_unique": "ENOENT", "int_bit_unknown": "ENOENT",
    "positive_error": "EINVAL", "errno_out_of_range": "EINVAL",
    "notify_bad_code": "EINVAL", "notify_short": "EINVAL",
    "oversized": "EINVAL", "undersized": "EINVAL",
    "error_with_payload": "EINVAL",
    "duplicate": "ENOENT", "forget_reply": "ENOENT",
}
# After a refused size error FUSE has ended the request (with EIO): the
# reply that follows finds nothing (ENOENT). Keeping the request pending
# instead is as good: then the reply is accepted. The same after another
# request's reply went to it ("cross_reply": taken when the sizes agree).
AFTER_SIZE_ERROR = {"OK", "ENOENT"}


class Pipe:
    """Lines of a child's stdout, collected by a thread."""

    def __init__(self, stream):
        self.lines, self.cond = [], threading.Condition()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            with self.cond:
                self.lines.append(line.decode(errors="replace").strip())
                self.cond.notify_all()

    def wait_for(self, prefix, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hits = [l for l in self.lines if l.startswith(prefix)]
                if hits:
                    return hits[0]
                if time.monotonic() > deadline:
                    return None
                self.cond.wait(0.2)


def _abort(dev):
    """Free whatever hangs: abort the connection through its control file."""
    try:
        with open(os.path.join(TARGET.ctl_dir_of(dev, 1), "abort"), "w") as f:
            f.write("1")
        return True
    except (OSError, pytest.fail.Exception):
        return False


def _parse_log(path):
    ops = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 4:
                ops.append((float(w[0]), float(w[1]), w[2], w[3]))
    return ops


@pytest.fixture(scope="module")
def run():
    TARGET.check_available()
    seed = int(os.environ.get("HOSTILE_SEED") or random.randrange(1 << 32))
    work = tempfile.mkdtemp(prefix="fp-hostile.")
    mnt = os.path.join(work, "mnt")
    os.mkdir(mnt)
    res_path, log_path = os.path.join(work, "hostile.json"), \
        os.path.join(work, "hammer.log")
    r = {"seed": seed, "problems": [], "target": TARGET.name}
    print("hostile daemon run: seed %d, %d requests, %s" % (seed, REQUESTS,
                                                           TARGET.name))

    hostile = subprocess.Popen(
        [prog("hostile"), "--dev", TARGET.dev, "--type", TARGET.fstype,
         "--mnt", mnt, "--seed", str(seed), "--requests", str(REQUESTS),
         "--results", res_path], stdout=subprocess.PIPE)
    hout = Pipe(hostile.stdout)
    hammer = None
    dev = None
    try:
        if not hout.wait_for("mounted", 60) or not hout.wait_for("init", 60):
            pytest.fail("hostile daemon did not mount: %s" % hout.lines)
        r["mount_type"] = fstype_of(mnt)
        dev = dev_of(mnt)
        hammer = subprocess.Popen(
            [prog("hammer"), "--mnt", mnt, "--seed", str(seed), "--log",
             log_path, "--threads", "4", "--timeout", str(HUNG)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        mout = Pipe(hammer.stdout)

        try:
            hostile.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            r["problems"].append("hostile daemon still running after %ds "
                                 "(hung calls: %s)" % (RUN_TIMEOUT, [
                                     l for l in mout.lines if "hung" in l]))
            _abort(dev)
            hostile.kill()
            hostile.wait()
        dying = hout.wait_for("dying", 5)
        r["dying_at"] = float(dying.split()[1]) if dying else time.monotonic()
        r["pending_at_death"] = int(dying.split()[2]) if dying else None

        # The hammer carries on against the dead mount for a while.
        time.sleep(GRACE + 2)
        r["after_death"] = {op: enotconn_now(
            os.path.join(mnt, "f1") if op not in ("listdir", "create") else
            (mnt if op == "listdir" else os.path.join(mnt, "n-after")), op)
            for op in ("stat", "open", "listdir", "create", "setxattr",
                       "statvfs")}
        hammer.stdin.close()
        try:
            hammer.wait(timeout=3 * PROMPT)
        except subprocess.TimeoutExpired:
            r["problems"].append("hammer did not finish after the daemon "
                                 "died; aborting the connection")
            _abort(dev)
            hammer.kill()
            hammer.wait()
        r["hung"] = [l for l in mout.lines if l.startswith("hung")]
        r["hammer_done"] = mout.wait_for("done", 5)

        try:
            rawfuse.umount(mnt)
            r["umount"] = "0"
        except OSError as e:
            r["umount"] = errno.errorcode.get(e.errno, str(e.errno))
            rawfuse.umount(mnt, rawfuse.MNT_DETACH)
        r["connection_gone"] = connection_gone(TARGET, dev)

        with open(res_path) as f:
            r["daemon"] = json.load(f)
        r["ops"] = _parse_log(log_path)
    finally:
        for p in (hostile, hammer):
            if p and p.poll() is None:
                p.kill()
        if is_mounted(mnt):
            if dev is not None:
                _abort(dev)
            rawfuse.umount(mnt, rawfuse.MNT_DETACH)

    summary = {k: v for k, v in r.items() if k != "ops"}
    summary["ops_total"] = len(r["ops"])
    results = os.environ.get("RESULTS")
    if results and os.path.isdir(results):
        with open(os.path.join(results, "hostile-daemon.json"), "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    shutil.rmtree(work, ignore_errors=True)
    return r


def test_report(run):
    """Not a check: what the kernel answered, for the record."""
    d = run["daemon"]
    print("seed %d, protocol 7.%d, %d requests, %d pending at death"
          % (run["seed"], d["proto_minor"], d["requests"],
             d["pending_at_death"]))
    for kind, answers in sorted(d["writes"].items()):
        print("  %-24s %s" % (kind, answers))
    print("  garbage replies: %s" % d["garbage"])
    by = collections.Counter((op, err) for _, _, op, err in run["ops"])
    print("  hammer: %d calls; %s" % (len(run["ops"]), dict(by.most_common(40))))
    print("  after death: %s" % run["after_death"])
    assert not run["problems"], run["problems"]


def test_mount_was_the_target(run):
    assert run["mount_type"] == TARGET.fstype


def test_daemon_served_every_request_it_meant_to(run):
    d = run["daemon"]
    assert d["requests"] >= REQUESTS, \
        "the daemon died early: %d of %d" % (d["requests"], REQUESTS)
    assert d["pending_at_death"] >= 1, "nothing was pending at death"


def test_no_system_call_hung(run):
    assert not run["hung"], "calls stuck longer than %ss: %s" % (HUNG, run["hung"])
    assert not run["problems"], run["problems"]
    assert run["hammer_done"], "the hammer did not report its end"


@pytest.mark.parametrize("kind", sorted(FRAMING))
def test_malformed_write_is_refused(run, kind):
    answers = run["daemon"]["writes"][kind]
    assert sum(answers.values()) > 0, "no %s write was made" % kind
    assert "OK" not in answers, \
        "%d of %d %s writes were accepted: %s" % (
            answers.get("OK", 0), sum(answers.values()), kind, answers)


@pytest.mark.parametrize("kind", sorted(FRAMING))
def test_malformed_write_errno_is_fuses(run, kind):
    answers = run["daemon"]["writes"][kind]
    wrong = {e: n for e, n in answers.items() if e != FRAMING[kind]}
    assert not wrong, "%s writes: expected %s, got %s" % (
        kind, FRAMING[kind], answers)


def test_valid_replies_are_accepted(run):
    w = run["daemon"]["writes"]
    assert w["valid"].get("OK", 0) > 0
    bad = {e: n for e, n in w["valid"].items() if e != "OK"}
    assert not bad, "valid replies refused: %s" % w["valid"]
    for kind in ("valid_after_size_error", "valid_after_cross"):
        bad = {e: n for e, n in w[kind].items() if e not in AFTER_SIZE_ERROR}
        assert not bad, "%s: %s" % (kind, w[kind])
    assert not w["fallback_eio"], "requests that needed a bare error reply"


def test_garbage_replies_were_sent_and_the_mount_kept_working(run):
    d = run["daemon"]
    assert sum(d["garbage"].values()) > 100, d["garbage"]
    before = [op for op in run["ops"] if op[1] < run["dying_at"]]
    ok = sum(1 for op in before if op[3] == "0")
    assert ok >= len(before) // 10, \
        "only %d of %d calls worked while the daemon lived" % (ok, len(before))


def test_calls_pending_at_death_end_promptly_with_enotconn(run):
    t = run["dying_at"]
    pending = [op for op in run["ops"] if op[0] < t < op[1]]
    late = [op for op in pending if op[1] > t + PROMPT]
    assert not late, "calls that took over %ss to fail: %s" % (PROMPT, late)
    wrong = [op for op in pending if op[1] > t + GRACE and
             op[3] not in ("ENOTCONN", INFLIGHT_ERRNO)]
    assert not wrong, "calls ended after death without %s: %s" % (
        INFLIGHT_ERRNO, wrong[:20])


def test_calls_after_death_fail_with_enotconn(run):
    t = run["dying_at"] + GRACE
    after = [op for op in run["ops"] if op[0] > t]
    assert after, "the hammer made no call after the daemon died"
    wrong = collections.Counter((op[2], op[3]) for op in after
                                if op[3] != "ENOTCONN")
    assert not wrong, "calls after death: %s" % dict(wrong)
    slow = [op for op in after if op[1] - op[0] > PROMPT]
    assert not slow, slow[:10]
    assert all(err == "ENOTCONN" for err, _ in run["after_death"].values()), \
        run["after_death"]


def test_umount_after_death_works(run):
    assert run["umount"] == "0", "umount failed: %s" % run["umount"]


def test_connection_is_gone_after_umount(run):
    assert run["connection_gone"]


@pytest.mark.fusepass_only
def test_module_unloads_after_the_run(run):
    rmmod_insmod()
