# SPDX-License-Identifier: GPL-2.0
"""The FUSE wire protocol, spoken from Python, for daemons under test.

Only what the daemon tests need: request and reply framing, the structs of
the common operations (layouts of protocol 7.38; the kernel adapts to an
older minor announced in INIT), and a small in-memory filesystem that can
hold any request unanswered on command. Written from the protocol's facts
(struct layouts, opcodes, errors); standard library only.
"""

import ctypes
import ctypes.util
import errno
import os
import select
import stat
import struct
import threading
import time

# Opcodes
LOOKUP, FORGET, GETATTR, SETATTR, READLINK, SYMLINK = 1, 2, 3, 4, 5, 6
MKNOD, MKDIR, UNLINK, RMDIR, RENAME, LINK, OPEN, READ, WRITE = \
    8, 9, 10, 11, 12, 13, 14, 15, 16
STATFS, RELEASE, FSYNC, SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR = \
    17, 18, 20, 21, 22, 23, 24
FLUSH, INIT, OPENDIR, READDIR, RELEASEDIR, FSYNCDIR = 25, 26, 27, 28, 29, 30
GETLK, SETLK, SETLKW, ACCESS, CREATE, INTERRUPT, BMAP, DESTROY = \
    31, 32, 33, 34, 35, 36, 37, 38
IOCTL, POLL, NOTIFY_REPLY, BATCH_FORGET, FALLOCATE, READDIRPLUS = \
    39, 40, 41, 42, 43, 44
RENAME2, LSEEK, COPY_FILE_RANGE, SYNCFS, TMPFILE, STATX = \
    45, 46, 47, 50, 51, 52

OPNAMES = {v: k for k, v in list(globals().items())
           if k.isupper() and isinstance(v, int) and 0 < v < 100}


def opcode(name_or_num):
    if isinstance(name_or_num, int):
        return name_or_num
    return globals()[name_or_num.upper()]


# INIT flags
ASYNC_READ = 1 << 0
BIG_WRITES = 1 << 5
ABORT_ERROR = 1 << 21
MAX_PAGES = 1 << 22
INIT_EXT = 1 << 30

# open_out.open_flags
FOPEN_DIRECT_IO = 1 << 0
FOPEN_KEEP_CACHE = 1 << 1

# The unique of an INTERRUPT request has this bit set (protocol 7.28+).
INT_REQ_BIT = 1 << 0

ROOT_ID = 1
MAX_ERRNO = 511  # replies may carry -1 .. -511

IN_HEADER = struct.Struct('<IIQQIIIHH')       # 40
OUT_HEADER = struct.Struct('<IiQ')             # 16
ATTR = struct.Struct('<QQQQQQIIIIIIIIII')      # 88
ENTRY_OUT = struct.Struct('<QQQQII')           # 40, then ATTR
ATTR_OUT = struct.Struct('<QII')               # 16, then ATTR
INIT_IN = struct.Struct('<IIII')               # then flags2 (7.36+)
INIT_OUT = struct.Struct('<IIIIHHIIHHII24x')   # 64
OPEN_OUT = struct.Struct('<QIi')               # 16
READ_IN = struct.Struct('<QQIIQII')            # 40
WRITE_IN = struct.Struct('<QQIIQII')           # 40
WRITE_OUT = struct.Struct('<II')
CREATE_IN = struct.Struct('<IIII')
MKNOD_IN = struct.Struct('<IIII')
MKDIR_IN = struct.Struct('<II')
RENAME_IN = struct.Struct('<Q')
RENAME2_IN = struct.Struct('<QII')
SETATTR_IN = struct.Struct('<IIQQQQQQIIIIIIII')  # 88
GETXATTR_IN = struct.Struct('<II')
GETXATTR_OUT = struct.Struct('<II')
SETXATTR_IN = struct.Struct('<II')
INTERRUPT_IN = struct.Struct('<Q')
STATFS_OUT = struct.Struct('<QQQQQIIII24x')    # 80
DIRENT = struct.Struct('<QQII')                # 24, then the name

FATTR_MODE, FATTR_UID, FATTR_GID, FATTR_SIZE = 1, 2, 4, 8

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6",
                   use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
MNT_DETACH = 2


def mount(source, target, fstype, flags, data):
    if libc.mount(source.encode(), target.encode(), fstype.encode(), flags,
                  data.encode()) < 0:
        err = ctypes.get_errno()
        raise OSError(err, "mount %s: %s" % (target, os.strerror(err)))


def umount(target, flags=0):
    if libc.umount2(target.encode(), flags) < 0:
        err = ctypes.get_errno()
        raise OSError(err, "umount %s: %s" % (target, os.strerror(err)))


def attr(ino, mode, size=0, nlink=1, uid=0, gid=0):
    now = int(time.time())
    return ATTR.pack(ino, size, (size + 511) // 512, now, now, now, 0, 0, 0,
                     mode, nlink, uid, gid, 0, 4096, 0)


def dirent(ino, off, name, dtype):
    name = name.encode() if isinstance(name, str) else name
    rec = DIRENT.pack(ino, off, len(name), dtype) + name
    return rec + b'\0' * (-len(rec) % 8)


class Request:
    def __init__(self, buf):
        (self.len, self.opcode, self.unique, self.nodeid, self.uid, self.gid,
         self.pid, self.extlen, _) = IN_HEADER.unpack_from(buf)
        self.body = bytes(buf[IN_HEADER.size:self.len])

    @property
    def name(self):
        return OPNAMES.get(self.opcode, str(self.opcode))

    def cstrings(self, offset=0):
        return [s.decode(errors='replace')
                for s in self.body[offset:].split(b'\0')]

    def event(self):
        return {"op": self.name, "unique": self.unique,
                "nodeid": self.nodeid, "pid": self.pid}


class Connection:
    """An open FUSE device: requests in, replies out, errno kept."""

    def __init__(self, dev):
        self.fd = os.open(dev, os.O_RDWR | os.O_CLOEXEC)
        self.bufsize = 1 << 20 | 4096
        self.proto = (7, 0)

    def readable(self, timeout):
        """Whether read(2) would not block (a request, or an error)."""
        p = select.poll()
        p.register(self.fd, select.POLLIN)
        return bool(p.poll(timeout * 1000))

    def read(self, timeout=None):
        """One request, None on timeout; raises OSError from read(2)."""
        if timeout is not None and not self.readable(timeout):
            return None
        return Request(os.read(self.fd, self.bufsize))

    def write(self, data):
        """Write one message; return 0 or the errno of write(2)."""
        try:
            n = os.write(self.fd, data)
        except OSError as e:
            return e.errno
        return 0 if n == len(data) else errno.EMSGSIZE

    def reply(self, unique, payload=b'', error=0):
        return self.write(OUT_HEADER.pack(OUT_HEADER.size + len(payload),
                                          error, unique) + payload)

    def reply_init(self, req, flags_wanted=0, minor=38, max_write=1 << 17):
        major, kminor, readahead, kflags = INIT_IN.unpack_from(req.body)
        minor = min(minor, kminor)
        self.proto = (7, minor)
        flags = kflags & flags_wanted
        out = INIT_OUT.pack(7, minor, readahead, flags, 16, 12, max_write, 1,
                            max_write // 4096, 0, 0, 0)
        if minor < 23:
            out = out[:24]
        return self.reply(req.unique, out), (major, kminor, kflags)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Node:
    def __init__(self, ino, mode, data=b''):
        self.ino, self.mode, self.data = ino, mode, bytearray(data)
        self.children = {} if stat.S_ISDIR(mode) else None
        self.xattrs = {}

    def attr(self):
        nlink = 2 if self.children is not None else 1
        return attr(self.ino, self.mode, len(self.data), nlink)


class MemFS:
    """A tiny tree: / with "file" (4 KiB) and "dir"; creation works.

    Entries and attributes are never cached (timeouts 0), so every access
    reaches the daemon, and file opens use direct I/O for the same reason.
    """

    def __init__(self):
        self.nodes = {ROOT_ID: Node(ROOT_ID, stat.S_IFDIR | 0o755)}
        self.next_ino = 2
        self.next_fh = 1
        self.add(ROOT_ID, "file", stat.S_IFREG | 0o644,
                 bytes(range(256)) * 16)
        self.add(ROOT_ID, "dir", stat.S_IFDIR | 0o755)

    def add(self, parent, name, mode, data=b''):
        node = Node(self.next_ino, mode, data)
        self.next_ino += 1
        self.nodes[node.ino] = node
        self.nodes[parent].children[name] = node.ino
        return node

    def entry(self, node):
        return ENTRY_OUT.pack(node.ino, 0, 0, 0, 0, 0) + node.attr()

    def attr_out(self, node):
        return ATTR_OUT.pack(0, 0, 0) + node.attr()

    def serve(self, conn, req):
        """Answer @req (not INIT/INTERRUPT/FORGET); returns write's errno."""
        try:
            payload = self.handle(req)
        except OSError as e:
            return conn.reply(req.unique, error=-e.errno)
        if payload is None:
            return 0
        return conn.reply(req.unique, payload)

    def handle(self, req):
        op, body = req.opcode, req.body
        node = self.nodes.get(req.nodeid)
        if op in (FORGET, BATCH_FORGET):
            return None
        if node is None:
            raise OSError(errno.ESTALE, "no such node")
        if op == LOOKUP:
            name = req.cstrings()[0]
            if node.children is None or name not in node.children:
                raise OSError(errno.ENOENT, name)
            return self.entry(self.nodes[node.children[name]])
        if op == GETATTR:
            return self.attr_out(node)
        if op == SETATTR:
            fields = SETATTR_IN.unpack_from(body)
            valid, size, mode = fields[0], fields[3], fields[11]
            if valid & FATTR_SIZE:
                del node.data[size:]
                node.data.extend(b'\0' * (size - len(node.data)))
            if valid & FATTR_MODE:
                node.mode = stat.S_IFMT(node.mode) | (mode & 0o7777)
            return self.attr_out(node)
        if op in (OPEN, OPENDIR):
            self.next_fh += 1
            flags = FOPEN_DIRECT_IO if op == OPEN else 0
            return OPEN_OUT.pack(self.next_fh, flags, 0)
        if op == READ:
            _, off, size = READ_IN.unpack_from(body)[:3]
            return bytes(node.data[off:off + size])
        if op == WRITE:
            _, off, size = WRITE_IN.unpack_from(body)[:3]
            data = body[WRITE_IN.size:WRITE_IN.size + size]
            end = off + len(data)
            if end > len(node.data):
                node.data.extend(b'\0' * (end - len(node.data)))
            node.data[off:end] = data
            return WRITE_OUT.pack(len(data), 0)
        if op in (RELEASE, RELEASEDIR, FLUSH, FSYNC, FSYNCDIR, ACCESS,
                  DESTROY, SYNCFS):
            return b''
        if op == STATFS:
            return STATFS_OUT.pack(1000, 500, 500, 100, 50, 4096, 255, 4096, 0)
        if op in (READDIR, READDIRPLUS):
            if op == READDIRPLUS:
                raise OSError(errno.ENOSYS, "readdirplus")
            _, off, size = READ_IN.unpack_from(body)[:3]
            names = [(".", node.ino, stat.S_IFDIR), ("..", ROOT_ID, stat.S_IFDIR)]
            names += [(n, i, self.nodes[i].mode)
                      for n, i in sorted(node.children.items())]
            out = b''
            for idx in range(off, len(names)):
                name, ino, mode = names[idx]
                rec = dirent(ino, idx + 1, name, stat.S_IFMT(mode) >> 12)
                if len(out) + len(rec) > size:
                    break
                out += rec
            return out
        if op in (CREATE, MKNOD, MKDIR):
            st = {CREATE: CREATE_IN, MKNOD: MKNOD_IN, MKDIR: MKDIR_IN}[op]
            mode = st.unpack_from(body)[1 if op == CREATE else 0]
            name = req.cstrings(st.size)[0]
            if op == MKDIR:
                mode |= stat.S_IFDIR
            if name in node.children:
                raise OSError(errno.EEXIST, name)
            child = self.add(node.ino, name, mode)
            out = self.entry(child)
            if op == CREATE:
                self.next_fh += 1
                out += OPEN_OUT.pack(self.next_fh, FOPEN_DIRECT_IO, 0)
            return out
        if op in (UNLINK, RMDIR):
            name = req.cstrings()[0]
            if name not in node.children:
                raise OSError(errno.ENOENT, name)
            del node.children[name]
            return b''
        if op in (RENAME, RENAME2):
            st = RENAME_IN if op == RENAME else RENAME2_IN
            newdir = st.unpack_from(body)[0]
            old, new = req.cstrings(st.size)[:2]
            if old not in node.children:
                raise OSError(errno.ENOENT, old)
            self.nodes[newdir].children[new] = node.children.pop(old)
            return b''
        if op == SETXATTR:
            size = SETXATTR_IN.unpack_from(body)[0]
            rest = body[SETXATTR_IN.size:]
            name, _, value = rest.partition(b'\0')
            node.xattrs[name] = value[:size]
            return b''
        if op == GETXATTR:
            size = GETXATTR_IN.unpack_from(body)[0]
            name = body[GETXATTR_IN.size:].split(b'\0')[0]
            if name not in node.xattrs:
                raise OSError(errno.ENODATA, "no xattr")
            value = node.xattrs[name]
            if size == 0:
                return GETXATTR_OUT.pack(len(value), 0)
            if size < len(value):
                raise OSError(errno.ERANGE, "small buffer")
            return value
        if op == LISTXATTR:
            size = GETXATTR_IN.unpack_from(body)[0]
            names = b''.join(n + b'\0' for n in node.xattrs)
            if size == 0:
                return GETXATTR_OUT.pack(len(names), 0)
            if size < len(names):
                raise OSError(errno.ERANGE, "small buffer")
            return names
        if op == REMOVEXATTR:
            name = req.cstrings()[0].encode()
            if node.xattrs.pop(name, None) is None:
                raise OSError(errno.ENODATA, "no xattr")
            return b''
        raise OSError(errno.ENOSYS, "not implemented")
