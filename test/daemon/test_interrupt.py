# SPDX-License-Identifier: GPL-2.0
"""Signals during a request follow FUSE's INTERRUPT protocol.

A signal to a task waiting for a request the daemon has read sends the
daemon FUSE_INTERRUPT naming that request's unique (the INTERRUPT's own
unique has FUSE_INT_REQ_BIT set); the daemon decides: reply -EINTR to the
request (the call fails with EINTR), or finish it normally, or answer the
INTERRUPT with -EAGAIN (sent again later) or -ENOSYS (no more INTERRUPTs
on this connection). A fatal signal kills the task."""

import errno
import os
import signal

import rawfuse
from conftest import PROMPT


def _held_read(daemons, d, mnt):
    start = len(d.events)
    d.command("hold", ops=["READ"])
    b = daemons.block("read", os.path.join(mnt, "file"))
    held = d.wait("held", since=start, op="READ")
    return b, held


def test_signal_sends_interrupt_naming_the_request(daemons, mnt):
    d = daemons.start()
    d.command("on_interrupt", action="ignore")
    b, held = _held_read(daemons, d, mnt)
    b.proc.send_signal(signal.SIGUSR1)
    ev = d.wait("interrupt", timeout=PROMPT)
    assert ev["target"] == held["unique"]
    assert ev["unique"] & rawfuse.INT_REQ_BIT, \
        "INTERRUPT unique %#x lacks FUSE_INT_REQ_BIT" % ev["unique"]
    assert ev["unique"] & ~rawfuse.INT_REQ_BIT == held["unique"]
    d.command("reply_all")
    b.result()


def test_eintr_reply_to_interrupted_request_fails_call_with_eintr(daemons, mnt):
    d = daemons.start()
    d.command("on_interrupt", action="eintr")
    b, held = _held_read(daemons, d, mnt)
    b.proc.send_signal(signal.SIGUSR1)
    d.wait("interrupt", target=held["unique"], timeout=PROMPT)
    assert b.result()[:2] == (-1, "EINTR")


def test_interrupted_request_finished_normally_succeeds(daemons, mnt):
    d = daemons.start()
    d.command("on_interrupt", action="serve")
    b, held = _held_read(daemons, d, mnt)
    b.proc.send_signal(signal.SIGUSR1)
    d.wait("interrupt", target=held["unique"], timeout=PROMPT)
    assert b.result()[:2] == (4096, "0")


def test_eagain_reply_to_interrupt_sends_it_again(daemons, mnt):
    d = daemons.start()
    d.command("on_interrupt", action="eagain_once")
    b, held = _held_read(daemons, d, mnt)
    b.proc.send_signal(signal.SIGUSR1)
    first, second = d.wait("interrupt", target=held["unique"], count=2,
                           timeout=PROMPT)
    assert b.result()[:2] == (-1, "EINTR")


def test_enosys_reply_to_interrupt_stops_interrupts(daemons, mnt):
    d = daemons.start()
    d.command("on_interrupt", action="enosys")
    b, held = _held_read(daemons, d, mnt)
    b.proc.send_signal(signal.SIGUSR1)
    d.wait("interrupt", target=held["unique"], timeout=PROMPT)
    d.wait("replied", error=-errno.ENOSYS)
    d.command("reply_all")
    assert b.result()[0] == 4096
    # The connection now waits out signals without telling the daemon.
    b2, held2 = _held_read(daemons, d, mnt)
    b2.proc.send_signal(signal.SIGUSR1)
    assert b2.still_blocked(1.0), "read returned without a reply"
    assert not d.find("interrupt", target=held2["unique"])
    d.command("reply_all")
    assert b2.result()[0] == 4096
    assert not d.find("interrupt", target=held2["unique"])


def test_sigkill_kills_a_task_waiting_for_a_read_request(daemons, mnt):
    d = daemons.start()
    d.command("on_interrupt", action="eintr")
    b, _ = _held_read(daemons, d, mnt)
    b.proc.send_signal(signal.SIGKILL)
    b.proc.wait(timeout=PROMPT)
    assert b.proc.returncode == -signal.SIGKILL


def test_sigkill_kills_a_task_whose_request_is_not_read_yet(daemons, mnt):
    d = daemons.start()
    d.command("pause")
    b = daemons.block("stat", os.path.join(mnt, "unread"))
    assert b.still_blocked(0.5)
    b.proc.send_signal(signal.SIGKILL)
    b.proc.wait(timeout=PROMPT)
    assert b.proc.returncode == -signal.SIGKILL
    d.command("resume")
    # The connection still works for everyone else.
    assert os.stat(os.path.join(mnt, "file")).st_size == 4096
