# SPDX-License-Identifier: GPL-2.0
"""System-call wrappers and small helpers shared by the fusepass tests.

Only the standard library and ctypes: the suite runs inside a minimal
guest that sees the host's Python over a read-only share.
"""

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import subprocess
import sys

FSTYPE = "fusepass"

# FUSEPASS_TEST_BIND=1 replaces every fusepass mount by a recursive bind
# mount, so the semantic tests can be checked on a kernel without the module.
BIND_MODE = os.environ.get("FUSEPASS_TEST_BIND") == "1"
BIND_SKIP = "FUSEPASS_TEST_BIND=1: fusepass-specific behaviour, no bind-mount equivalent"

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

# <sys/mount.h>
MS_RDONLY = 0x1
MS_BIND = 0x1000
MS_REC = 0x4000
MNT_DETACH = 0x2

# <fcntl.h>
AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
AT_SYMLINK_FOLLOW = 0x400
RENAME_NOREPLACE = 1 << 0
RENAME_EXCHANGE = 1 << 1

# <linux/falloc.h>
FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
FALLOC_FL_COLLAPSE_RANGE = 0x08
FALLOC_FL_ZERO_RANGE = 0x10
FALLOC_FL_INSERT_RANGE = 0x20

# <sys/stat.h>
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2

# <linux/fs.h>: the kernel reads and writes an int despite the "long"
FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_NODUMP_FL = 0x00000040
FS_NOATIME_FL = 0x00000080


def _check(ret, what, *paths):
    if ret == -1:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)), *paths[:1])
    return ret


def _b(path):
    return os.fsencode(path) if path is not None else None


libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                       ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                           ctypes.c_char_p, ctypes.c_uint]
libc.linkat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                        ctypes.c_char_p, ctypes.c_int]
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64,
                           ctypes.c_int64]
libc.syncfs.argtypes = [ctypes.c_int]


def mount(source, target, fstype, flags=0, data=None):
    """mount(2); raises OSError carrying the errno."""
    ret = libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data))
    _check(ret, "mount", target)


def umount(target, flags=0):
    _check(libc.umount2(_b(target), flags), "umount2", target)


def renameat2(old, new, flags):
    ret = libc.renameat2(AT_FDCWD, _b(old), AT_FDCWD, _b(new), flags)
    _check(ret, "renameat2", old)


def linkat(old, new, flags):
    # os.link() calls link(2), which never follows /proc/self/fd links.
    ret = libc.linkat(AT_FDCWD, _b(old), AT_FDCWD, _b(new), flags)
    _check(ret, "linkat", new)


def fallocate(fd, mode, offset, length):
    _check(libc.fallocate(fd, mode, offset, length), "fallocate")


def syncfs(fd):
    _check(libc.syncfs(fd), "syncfs")


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


libc.utimensat.argtypes = [ctypes.c_int, ctypes.c_char_p,
                           ctypes.POINTER(Timespec), ctypes.c_int]


def utimensat(path, atime, mtime, flags=0):
    """atime/mtime: (sec, nsec) or UTIME_NOW / UTIME_OMIT."""
    def ts(t):
        if t in (UTIME_NOW, UTIME_OMIT):
            return Timespec(0, t)
        return Timespec(t[0], t[1])
    times = (Timespec * 2)(ts(atime), ts(mtime))
    _check(libc.utimensat(AT_FDCWD, _b(path), times, flags), "utimensat", path)


class Dirent(ctypes.Structure):
    # glibc x86_64 struct dirent (identical to dirent64)
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_ushort), ("d_type", ctypes.c_ubyte),
                ("d_name", ctypes.c_char * 256)]


libc.opendir.restype = ctypes.c_void_p
libc.opendir.argtypes = [ctypes.c_char_p]
libc.readdir.restype = ctypes.POINTER(Dirent)
libc.readdir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long
libc.telldir.argtypes = [ctypes.c_void_p]
libc.seekdir.restype = None
libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
libc.rewinddir.restype = None
libc.rewinddir.argtypes = [ctypes.c_void_p]
libc.closedir.argtypes = [ctypes.c_void_p]


class DirStream:
    """opendir/readdir/telldir/seekdir through glibc, as C programs use them."""

    def __init__(self, path):
        self.dirp = libc.opendir(_b(path))
        if not self.dirp:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), path)

    def read(self):
        """Next name, or None at the end of the directory."""
        ctypes.set_errno(0)
        ent = libc.readdir(self.dirp)
        if not ent:
            err = ctypes.get_errno()
            if err:
                raise OSError(err, "readdir: " + os.strerror(err))
            return None
        return os.fsdecode(ent.contents.d_name)

    def tell(self):
        pos = libc.telldir(self.dirp)
        _check(pos, "telldir")
        return pos

    def seek(self, pos):
        libc.seekdir(self.dirp, pos)

    def rewind(self):
        libc.rewinddir(self.dirp)

    def close(self):
        if self.dirp:
            libc.closedir(self.dirp)
            self.dirp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def mountinfo():
    """Entries of /proc/self/mountinfo as dicts (mount point, type, ...)."""
    entries = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.rstrip("\n").split(" - ", 1)
            lf = left.split(" ")
            rf = right.split(" ")
            entries.append({
                "id": int(lf[0]),
                "parent": int(lf[1]),
                "root": _unescape(lf[3]),
                "target": _unescape(lf[4]),
                "options": lf[5],
                "fstype": rf[0],
                "source": _unescape(rf[1]),
                "super_options": rf[2] if len(rf) > 2 else "",
            })
    return entries


def _unescape(s):
    return s.encode().decode("unicode_escape") if "\\" in s else s


def top_mount(path):
    """The mountinfo entry mounted last at exactly `path`, or None."""
    path = os.path.realpath(path)
    found = None
    for ent in mountinfo():
        if ent["target"] == path:
            found = ent
    return found


def mount_of(path):
    """The mountinfo entry of the mount `path` lives on."""
    path = os.path.realpath(path)
    found = None
    for ent in mountinfo():
        t = ent["target"]
        if path == t or path.startswith(t.rstrip("/") + "/"):
            if found is None or len(t) >= len(found["target"]):
                found = ent
    return found


def mounts_of_type(fstype):
    return [e for e in mountinfo() if e["fstype"] == fstype]


def fusepass_registered():
    with open("/proc/filesystems") as f:
        return any(line.split()[-1] == FSTYPE for line in f if line.strip())


class Kmsg:
    """Collects the kernel log lines emitted while the `with` body runs."""

    def __init__(self):
        self.lines = []

    def __enter__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)
        return self

    def __exit__(self, *exc):
        try:
            while True:
                try:
                    rec = os.read(self.fd, 8192)
                except BlockingIOError:
                    break
                except BrokenPipeError:
                    continue    # records overwritten meanwhile: keep reading
                if not rec:
                    break
                text = rec.decode("utf-8", "replace")
                self.lines.append(text.split(";", 1)[-1].split("\n", 1)[0])
        finally:
            os.close(self.fd)
        return False

    def matching(self, *words):
        return [l for l in self.lines if all(w in l for w in words)]


# A child program run under other credentials: it executes a list of
# operations and prints, for each, 0 or the errno it failed with.
_CHILD = r'''
import ctypes, json, os, sys
libc = ctypes.CDLL("libc.so.6", use_errno=True)
def run(op, args):
    if op == "stat":
        os.stat(args[0])
    elif op == "read":
        fd = os.open(args[0], os.O_RDONLY)
        try:
            return os.read(fd, 4096).decode("latin-1")
        finally:
            os.close(fd)
    elif op == "write":
        fd = os.open(args[0], os.O_WRONLY)
        try:
            os.write(fd, args[1].encode("latin-1"))
        finally:
            os.close(fd)
    elif op == "create":
        os.close(os.open(args[0], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    elif op == "chown":
        os.chown(args[0], args[1], args[2])
    elif op == "unlink":
        os.unlink(args[0])
    elif op == "owner":
        st = os.stat(args[0])
        return [st.st_uid, st.st_gid]
    elif op == "mount":
        fd = os.open(args[0], os.O_RDONLY | os.O_DIRECTORY)
        data = ("root_dir=%d,no_daemon" % fd).encode()
        ret = libc.mount(b"none", args[1].encode(), b"fusepass", 0, data)
        err = ctypes.get_errno()
        os.close(fd)
        if ret != 0:
            raise OSError(err, os.strerror(err))
        libc.umount2(args[1].encode(), 2)
    else:
        raise ValueError(op)
    return None
out = []
for op, args in json.loads(sys.argv[1]):
    try:
        out.append([0, run(op, args)])
    except OSError as e:
        out.append([e.errno, None])
print(json.dumps(out))
'''


def run_child(prefix, ops, timeout=120):
    """Run `ops` ([op, [args]] pairs) in a new python3 started via `prefix`.

    Returns a list of (errno, result) pairs, errno 0 meaning success.
    """
    cmd = list(prefix) + [sys.executable, "-I", "-S", "-c", _CHILD,
                          json.dumps(ops)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, cwd="/")
    if proc.returncode != 0:
        raise RuntimeError("child %r failed (%d): %s" % (
            prefix, proc.returncode, proc.stderr.decode(errors="replace")))
    return [tuple(r) for r in json.loads(proc.stdout)]


def as_user(uid, gid):
    """Command prefix running the child as uid/gid with no supplementary groups."""
    setpriv = shutil.which("setpriv")
    if not setpriv:
        raise RuntimeError("setpriv (util-linux) is required")
    return [setpriv, "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups"]


def write_file(path, data=b"", mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def errname(err):
    return errno.errorcode.get(err, str(err)) if err else "success"
