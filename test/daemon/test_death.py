# SPDX-License-Identifier: GPL-2.0
"""A daemon that dies or closes its device: every waiting and every new
request fails with ENOTCONN, promptly; umount works; nothing is left."""

import os
import signal

import pytest

import rawfuse
from conftest import INFLIGHT_ERRNO, PROMPT, enotconn_now
from fptarget import dev_of, fstype_of, is_mounted, rmmod_insmod


def _blocked_set(d, daemons, mnt):
    """Readers, a writer, a directory reader and a lookup, all held."""
    d.command("hold", ops=["READ", "WRITE", "READDIR"])
    f, sub = os.path.join(mnt, "file"), os.path.join(mnt, "dir")
    bs = [daemons.block("read", f), daemons.block("read", f),
          daemons.block("write", f), daemons.block("readdir", sub)]
    d.wait("held", op="READ", count=2)
    d.wait("held", op="WRITE")
    d.wait("held", op="READDIR")
    # Held last: the opens above needed their lookups answered.
    d.command("hold", ops=["LOOKUP"])
    bs.append(daemons.block("stat", os.path.join(mnt, "new-name")))
    d.wait("held", op="LOOKUP", name="new-name")
    for b in bs:
        assert b.still_blocked(0.2), "%s returned while held" % b.op
    return bs


def _all_enotconn(bs):
    for b in bs:
        ret, err, ms = b.result()
        assert (ret, err) == (-1, INFLIGHT_ERRNO), \
            "%s returned %d %s after the daemon died" % (b.op, ret, err)


def test_kill9_fails_waiting_requests_with_enotconn(daemons, mnt):
    d = daemons.start()
    bs = _blocked_set(d, daemons, mnt)
    d.kill(signal.SIGKILL)
    _all_enotconn(bs)


def test_kill9_then_umount_works(daemons, mnt):
    d = daemons.start()
    _blocked_set(d, daemons, mnt)
    d.kill(signal.SIGKILL)
    for b in daemons.blockers:
        b.result()
    rawfuse.umount(mnt)
    assert not is_mounted(mnt)


@pytest.mark.parametrize("op", ["stat", "open", "listdir", "create", "mkdir",
                                "unlink", "rename", "setxattr", "getxattr",
                                "statvfs", "truncate"])
def test_new_requests_after_death_fail_with_enotconn(daemons, mnt, op):
    d = daemons.start()
    d.kill(signal.SIGKILL)
    path = mnt if op in ("listdir", "statvfs") else os.path.join(mnt, "file")
    if op in ("create", "mkdir"):
        path = os.path.join(mnt, "new-name")
    err, secs = enotconn_now(path, op)
    assert err == "ENOTCONN", "%s on a dead mount: %s" % (op, err)
    assert secs < PROMPT, "%s took %.1fs on a dead mount" % (op, secs)


def test_exit_with_requests_pending_fails_them(daemons, mnt):
    d = daemons.start()
    bs = _blocked_set(d, daemons, mnt)
    d.send("exit", code=0)
    d.proc.wait(timeout=PROMPT)
    _all_enotconn(bs)


def test_closing_the_device_ends_the_connection(daemons, mnt):
    d = daemons.start()
    d.command("hold", ops=["READ"])
    b = daemons.block("read", os.path.join(mnt, "file"))
    d.wait("held", op="READ")
    d.send("close_dev")
    d.wait("closed")
    assert d.alive()
    assert b.result() [:2] == (-1, INFLIGHT_ERRNO)
    err, _ = enotconn_now(os.path.join(mnt, "file"))
    assert err == "ENOTCONN"
    rawfuse.umount(mnt)


def test_daemon_dying_before_init_fails_waiting_requests(daemons, mnt):
    d = daemons.start(no_init=True)
    b = daemons.block("stat", os.path.join(mnt, "file"))
    assert b.still_blocked(0.5), "stat returned before INIT was answered"
    d.kill(signal.SIGKILL)
    # Never sent: it waited for INIT, so it fails as a new request does.
    assert b.result()[:2] == (-1, "ENOTCONN")
    rawfuse.umount(mnt)


def test_lazy_umount_with_requests_pending_then_daemon_exit(daemons, mnt,
                                                            target):
    d = daemons.start()
    dev = dev_of(mnt)
    d.command("hold", ops=["READ"])
    b = daemons.block("read", os.path.join(mnt, "file"))
    d.wait("held", op="READ")
    rawfuse.umount(mnt, rawfuse.MNT_DETACH)
    assert fstype_of(mnt) != target.fstype, "still mounted after umount -l"
    d.kill(signal.SIGKILL)
    assert b.result()[:2] == (-1, INFLIGHT_ERRNO)
    from conftest import connection_gone
    assert connection_gone(target, dev), "connection left behind"


@pytest.mark.fusepass_only
def test_module_unloads_after_lazy_umount_and_daemon_exit(daemons, mnt):
    d = daemons.start()
    d.command("hold", ops=["READ", "GETATTR"])
    b = daemons.block("read", os.path.join(mnt, "file"))
    d.wait("held", op="READ")
    rawfuse.umount(mnt, rawfuse.MNT_DETACH)
    d.kill(signal.SIGKILL)
    b.result()
    daemons.teardown()
    rmmod_insmod()
