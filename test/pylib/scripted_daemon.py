# SPDX-License-Identifier: GPL-2.0
"""A raw-protocol FUSE daemon driven by a test, one JSON line at a time.

Run as a program it opens the device, mounts, answers INIT and serves
rawfuse.MemFS, except for the operations it is told to hold: those it
reports and leaves unanswered until told what to reply. It reports every
request, every INTERRUPT and device read error on stdout, and obeys
commands on stdin (see Daemon.command). Stdin at EOF ends it.

The test side is DaemonProc: start one, wait for events, send commands,
kill it.
"""

import argparse
import errno
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawfuse as rf  # noqa: E402


class Daemon:
    def __init__(self, args):
        self.args = args
        self.out_lock = threading.Lock()
        self.lock = threading.Lock()
        self.fs = rf.MemFS()
        self.hold_ops = set(rf.opcode(o) for o in args.hold)
        self.held = {}
        self.on_interrupt = "eintr"
        self.interrupts_seen = {}
        self.paused = False
        self.closing = False
        self.mount_done = False
        self.conn = rf.Connection(args.dev)

    def emit(self, ev, **kw):
        kw["ev"] = ev
        kw["t"] = time.monotonic()
        with self.out_lock:
            sys.stdout.write(json.dumps(kw) + "\n")
            sys.stdout.flush()

    # -- the device side --

    def mount(self):
        data = "fd=%d,rootmode=40000,user_id=0,group_id=0" % self.conn.fd
        try:
            rf.mount("scripted", self.args.mnt, self.args.fstype, 0, data)
        except OSError as e:
            self.emit("mount_failed", errno=e.errno)
            return
        finally:
            self.mount_done = True
        self.emit("mounted")

    def reader(self):
        while True:
            if self.closing:
                self.conn.close()
                self.emit("closed")
                return
            # Wait outside the lock; read under it, so that once "pause" is
            # acknowledged not a single further request is taken.
            # Whether the mount was bound before this read: an EPERM from a
            # read that started earlier only means "not bound yet".
            bound_before = self.mount_done
            try:
                if not self.conn.readable(0.05):
                    continue
                with self.lock:
                    if self.paused or self.closing:
                        req = None
                    elif self.conn.readable(0):
                        req = self.conn.read()
                    else:
                        req = None
                    if req is not None:
                        self.handle(req)
            except OSError as e:
                if e.errno == errno.EPERM and not bound_before:
                    # FUSE's device reads EPERM until the mount binds it.
                    time.sleep(0.01)
                    continue
                self.emit("read_error", errno=e.errno,
                          name=errno.errorcode.get(e.errno, "?"))
                return
            if self.paused:
                time.sleep(0.02)

    def handle(self, req):
        ev = req.event()
        if req.opcode == rf.LOOKUP:
            ev["name"] = req.cstrings()[0]
        if req.opcode == rf.INIT:
            if self.args.no_init:
                self.emit("init_held", **ev)
                return
            wanted = rf.ABORT_ERROR if self.args.abort_error else 0
            err, (major, minor, kflags) = self.conn.reply_init(req, wanted)
            self.emit("init", kernel_major=major, kernel_minor=minor,
                      kernel_flags=kflags, errno=err)
            return
        if req.opcode == rf.INTERRUPT:
            target = rf.INTERRUPT_IN.unpack_from(req.body)[0]
            self.emit("interrupt", unique=req.unique, target=target,
                      held=target in self.held)
            self.interrupt(req, target)
            return
        if req.opcode in self.hold_ops:
            self.held[req.unique] = req
            self.emit("held", **ev)
            return
        self.emit("req", **ev)
        err = self.fs.serve(self.conn, req)
        if err:
            self.emit("write_error", unique=req.unique, errno=err)

    def interrupt(self, ireq, target):
        action = self.on_interrupt
        count = self.interrupts_seen.get(target, 0) + 1
        self.interrupts_seen[target] = count
        if action == "eagain_once":
            action = "eagain" if count == 1 else "eintr"
        if action == "eagain":
            err = self.conn.reply(ireq.unique, error=-errno.EAGAIN)
            self.emit("replied", unique=ireq.unique, error=-errno.EAGAIN,
                      errno=err)
        elif action == "enosys":
            err = self.conn.reply(ireq.unique, error=-errno.ENOSYS)
            self.emit("replied", unique=ireq.unique, error=-errno.ENOSYS,
                      errno=err)
        elif action == "eintr" and target in self.held:
            self.reply(target, -errno.EINTR)
        elif action == "serve" and target in self.held:
            self.reply(target, 0)

    def reply(self, unique, error):
        req = self.held.pop(unique, None)
        if req is None:
            self.emit("no_such_held", unique=unique)
            return
        if error:
            err = self.conn.reply(unique, error=error)
        else:
            err = self.fs.serve(self.conn, req)
        self.emit("replied", unique=unique, error=error, errno=err)

    # -- the test side --

    def command(self, cmd):
        name = cmd["cmd"]
        if name == "hold":
            self.hold_ops |= set(rf.opcode(o) for o in cmd["ops"])
        elif name == "unhold":
            self.hold_ops = set()
        elif name == "reply":
            self.reply(cmd["unique"], cmd.get("error", 0))
        elif name == "reply_all":
            for unique in list(self.held):
                self.reply(unique, cmd.get("error", 0))
        elif name == "on_interrupt":
            self.on_interrupt = cmd["action"]
        elif name == "pause":
            self.paused = True
        elif name == "resume":
            self.paused = False
        elif name == "close_dev":
            self.closing = True
            return
        elif name == "exit":
            sys.stdout.flush()
            os._exit(cmd.get("code", 0))
        self.emit("ack", cmd=name)

    def run(self):
        threading.Thread(target=self.reader, daemon=True).start()
        # mount(2) may wait for INIT on some kernels: never on the reader.
        threading.Thread(target=self.mount, daemon=True).start()
        for line in sys.stdin:
            line = line.strip()
            if line:
                with self.lock:
                    self.command(json.loads(line))
        os._exit(0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dev", required=True)
    p.add_argument("--fstype", required=True)
    p.add_argument("--mnt", required=True)
    p.add_argument("--hold", action="append", default=[])
    p.add_argument("--abort-error", action="store_true")
    p.add_argument("--no-init", action="store_true")
    Daemon(p.parse_args()).run()


class DaemonProc:
    """The test's handle on a scripted daemon subprocess."""

    def __init__(self, target, mnt, hold=(), abort_error=False, no_init=False):
        self.target, self.mnt = target, mnt
        cmd = [sys.executable, os.path.abspath(__file__), "--dev", target.dev,
               "--fstype", target.fstype, "--mnt", mnt]
        for op in hold:
            cmd += ["--hold", op]
        if abort_error:
            cmd.append("--abort-error")
        if no_init:
            cmd.append("--no-init")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, bufsize=0)
        self.events = []
        self.cond = threading.Condition()
        self.eof = False
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            ev = json.loads(line)
            with self.cond:
                self.events.append(ev)
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def send(self, cmd, **kw):
        kw["cmd"] = cmd
        try:
            self.proc.stdin.write((json.dumps(kw) + "\n").encode())
        except BrokenPipeError:
            pass

    def command(self, cmd, timeout=10, **kw):
        """Send a command and wait for its acknowledgement."""
        start = len(self.events)
        self.send(cmd, **kw)
        return self.wait("ack", timeout, since=start, cmd=cmd)

    def find(self, ev, since=0, **match):
        return [e for e in self.events[since:] if e["ev"] == ev and
                all(e.get(k) == v for k, v in match.items())]

    def wait(self, ev, timeout=10, since=0, count=1, **match):
        """The first @count events @ev matching @match; fails on timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hits = self.find(ev, since, **match)
                if len(hits) >= count:
                    return hits[0] if count == 1 else hits[:count]
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    raise AssertionError(
                        "daemon: no %d x %s %s within %ss; last events: %s"
                        % (count, ev, match, timeout, self.events[-8:]))
                self.cond.wait(left)

    def wait_ready(self, timeout=30):
        """Mounted and (unless no_init) INIT answered."""
        self.wait("mounted", timeout)
        deadline = time.monotonic() + timeout
        while not self.find("init") and not self.find("init_held"):
            if time.monotonic() > deadline:
                raise AssertionError("daemon: INIT never came")
            time.sleep(0.02)
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        t = time.monotonic()
        self.proc.wait(timeout=30)
        return t

    def alive(self):
        return self.proc.poll() is None


if __name__ == "__main__":
    main()
