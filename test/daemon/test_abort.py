# SPDX-License-Identifier: GPL-2.0
"""The per-connection control directory, as fusectl's:
CONTROL/<DEV>/{waiting,abort,max_background,congestion_threshold}."""

import errno
import os
import time

import pytest

import rawfuse
from fptarget import dev_of
from conftest import INFLIGHT_ERRNO, PROMPT, connection_gone, enotconn_now

FILES = ("waiting", "abort", "max_background", "congestion_threshold")


def _read(ctl, name):
    with open(os.path.join(ctl, name)) as f:
        return f.read().strip()


def _write(ctl, name, value):
    with open(os.path.join(ctl, name), "w") as f:
        f.write(value)


def test_control_directory_has_the_fusectl_files(daemons, mnt, target):
    daemons.start()
    ctl = target.ctl_dir(mnt)
    for name in FILES:
        assert os.path.exists(os.path.join(ctl, name)), \
            "%s has no %s (has %s)" % (ctl, name, sorted(os.listdir(ctl)))
    assert _read(ctl, "waiting") == "0"
    assert int(_read(ctl, "max_background")) > 0
    assert int(_read(ctl, "congestion_threshold")) > 0


def test_waiting_counts_requests_in_flight(daemons, mnt, target):
    d = daemons.start()
    ctl = target.ctl_dir(mnt)
    d.command("hold", ops=["READ"])
    for _ in range(3):
        daemons.block("read", os.path.join(mnt, "file"))
    d.wait("held", op="READ", count=3)
    assert int(_read(ctl, "waiting")) >= 3
    d.command("reply_all")
    for b in daemons.blockers:
        assert b.result()[0] == 4096
    deadline = time.monotonic() + PROMPT
    while _read(ctl, "waiting") != "0" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _read(ctl, "waiting") == "0"


def test_abort_fails_waiting_and_new_requests(daemons, mnt, target):
    d = daemons.start()
    ctl = target.ctl_dir(mnt)
    d.command("hold", ops=["READ", "WRITE"])
    r = daemons.block("read", os.path.join(mnt, "file"))
    w = daemons.block("write", os.path.join(mnt, "file"))
    d.wait("held", op="READ")
    d.wait("held", op="WRITE")
    _write(ctl, "abort", "1")
    assert r.result()[:2] == (-1, INFLIGHT_ERRNO)
    assert w.result()[:2] == (-1, INFLIGHT_ERRNO)
    for op in ("stat", "open", "listdir"):
        path = mnt if op == "listdir" else os.path.join(mnt, "file")
        assert enotconn_now(path, op)[0] == "ENOTCONN"


def test_abort_makes_the_device_read_fail_enodev(daemons, mnt, target):
    d = daemons.start()
    _write(target.ctl_dir(mnt), "abort", "1")
    ev = d.wait("read_error", timeout=PROMPT)
    assert ev["errno"] == errno.ENODEV, ev


def test_abort_error_flag_makes_the_device_read_fail_econnaborted(
        daemons, mnt, target):
    d = daemons.start(abort_error=True)
    init = d.wait("init")
    assert init["kernel_flags"] & rawfuse.ABORT_ERROR, \
        "kernel does not offer FUSE_ABORT_ERROR"
    _write(target.ctl_dir(mnt), "abort", "1")
    ev = d.wait("read_error", timeout=PROMPT)
    assert ev["errno"] == errno.ECONNABORTED, ev


def test_umount_after_abort_works_and_removes_the_directory(daemons, mnt,
                                                            target):
    daemons.start()
    dev = dev_of(mnt)
    ctl = target.ctl_dir(mnt)
    _write(ctl, "abort", "1")
    rawfuse.umount(mnt)
    assert connection_gone(target, dev)


@pytest.mark.parametrize("name", ["max_background", "congestion_threshold"])
def test_limits_can_be_set(daemons, mnt, target, name):
    daemons.start()
    ctl = target.ctl_dir(mnt)
    _write(ctl, name, "7")
    assert _read(ctl, name) == "7"
    with pytest.raises(OSError) as e:
        _write(ctl, name, "not-a-number")
    assert e.value.errno == errno.EINVAL
    assert _read(ctl, name) == "7"
