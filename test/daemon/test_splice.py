# SPDX-License-Identifier: GPL-2.0
"""A daemon that reads its requests with splice(2), as libfuse does.

The data of a WRITE through the page cache reaches the daemon's pipe as
the page cache pages themselves, by reference: what the daemon reads must
be what was written, wherever in a page it starts. A pipe still holding
such a request must outlive the mount, the device and the module: it is
read while fusepass is unloaded, so none of its buffers may lead back
into the module.

fusepass only: the kernel's FUSE is built into 6.12 and cannot unload.
"""

import ctypes
import fcntl
import os
import stat
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
import rawfuse as rf  # noqa: E402
from fptarget import rmmod_insmod  # noqa: E402
from inproc_daemon import InProcessDaemon  # noqa: E402

pytestmark = pytest.mark.fusepass_only

F_SETPIPE_SZ = 1031
rf.libc.tee.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_size_t,
                        ctypes.c_uint]
rf.libc.tee.restype = ctypes.c_ssize_t


def read_exactly(fd, n):
    out = b''
    while len(out) < n:
        chunk = os.read(fd, n - len(out))
        assert chunk, "the pipe ended %d bytes short" % (n - len(out))
        out += chunk
    return out


def new_pipe(size):
    r, w = os.pipe()
    fcntl.fcntl(w, F_SETPIPE_SZ, size)
    return r, w


class SpliceDaemon(InProcessDaemon):
    """MemFS plus "cached", a file opened without direct I/O (so writes
    go through the page cache); every message is spliced from the device
    into a pipe of its own. A WRITE is answered here and its data kept in
    @writes as (offset, data). With @hold set, each WRITE's pipe is first
    duplicated with tee(2), and the copy, unread, kept in @held as (read
    end, offset, size)."""

    def __init__(self, mnt):
        self.fs = rf.MemFS()
        self.cached = self.fs.add(rf.ROOT_ID, "cached", stat.S_IFREG | 0o666)
        self.writes, self.held, self.hold, self.errors = [], [], False, []
        super().__init__(mnt, source="splice-test")

    def handle(self, req):
        if req.opcode == rf.OPEN and req.nodeid == self.cached.ino:
            self.conn.reply(req.unique, rf.OPEN_OUT.pack(9, 0, 0))
            return True
        return False

    def tee(self, r, n):
        """A second pipe holding what @r holds (@n bytes), or None."""
        r2, w2 = new_pipe(self.conn.bufsize)
        teed = rf.libc.tee(r, w2, n, 0)
        os.close(w2)
        if teed != n:
            self.errors.append("tee gave %d of %d bytes" % (teed, n))
            os.close(r2)
            return None
        return r2

    def read_request(self, timeout):
        if not self.conn.readable(timeout):
            return None
        r, w = new_pipe(self.conn.bufsize)
        copy = None
        try:
            n = os.splice(self.conn.fd, w, self.conn.bufsize)
            if self.hold:
                copy = self.tee(r, n)
            head = read_exactly(r, rf.IN_HEADER.size)
            body = read_exactly(r, rf.IN_HEADER.unpack_from(head)[0] -
                                rf.IN_HEADER.size)
        finally:
            os.close(w)
            os.close(r)
        req = rf.Request(head + body)
        if req.opcode != rf.WRITE:
            if copy is not None:
                os.close(copy)
            return req
        _, off, size = rf.WRITE_IN.unpack_from(req.body)[:3]
        data = req.body[rf.WRITE_IN.size:]
        self.writes.append((off, data))
        if copy is not None:
            self.held.append((copy, off, size))
        self.ops.append((req.name, req.nodeid))
        node = self.fs.nodes[req.nodeid]
        node.data.extend(b'\0' * max(0, off + len(data) - len(node.data)))
        node.data[off:off + len(data)] = data
        self.conn.reply(req.unique, rf.WRITE_OUT.pack(len(data), 0))
        return None


def assemble(writes, start, length):
    """The bytes @writes put in [@start, @start + @length), all of them."""
    buf = bytearray(start + length)
    seen = bytearray(start + length)
    for off, data in writes:
        assert off + len(data) <= len(buf), "a WRITE past what was written"
        buf[off:off + len(data)] = data
        seen[off:off + len(data)] = b'\1' * len(data)
    assert all(seen[start:]), "bytes written never reached the daemon"
    return bytes(buf[start:])


def test_spliced_write_is_what_was_written(mnt):
    d = SpliceDaemon(mnt)
    try:
        data = os.urandom(3 * 4096 + 1000)
        fd = os.open(os.path.join(mnt, "cached"), os.O_WRONLY)
        try:
            # Not page aligned: the data starts inside its first page.
            assert os.pwrite(fd, data, 100) == len(data)
        finally:
            os.close(fd)
        assert "WRITE" in d.op_names()
        assert assemble(d.writes, 100, len(data)) == data
    finally:
        d.stop()


def test_pipe_holding_a_write_outlives_the_module(mnt):
    d = SpliceDaemon(mnt)
    try:
        d.hold = True
        data = os.urandom(2 * 4096)
        fd = os.open(os.path.join(mnt, "cached"), os.O_WRONLY)
        try:
            assert os.pwrite(fd, data, 0) == len(data)
        finally:
            os.close(fd)
        assert not d.errors, d.errors
        assert d.held, "no WRITE was spliced"
    finally:
        d.stop()
    whole = []

    def read_held():
        # Each WRITE whole, header and data, as the daemon read it before
        # the module went: read while fusepass is not loaded.
        for r, off, size in d.held:
            head = read_exactly(r, rf.IN_HEADER.size + rf.WRITE_IN.size)
            assert rf.IN_HEADER.unpack_from(head)[1] == rf.WRITE
            assert rf.WRITE_IN.unpack_from(head, rf.IN_HEADER.size)[1] == off
            whole.append((off, read_exactly(r, size)))
            assert os.read(r, 1) == b'', "more in the pipe than the WRITE"

    try:
        rmmod_insmod(between=read_held)
        assert assemble(whole, 0, len(data)) == data
    finally:
        for r, _, _ in d.held:
            os.close(r)
