# SPDX-License-Identifier: GPL-2.0
"""The example daemon src/examples/fusepass_mirror, as a user runs it:

    fusepass-run fusepass_mirror SOURCE MOUNTPOINT -f \\
        --deny-unlink='*.keep' --log-opens=LOG

over a scratch tree. Checked: the mount is fusepass (type
fusepass.fusepass_mirror); the kernel serves the files and directories
(backed_ops, no READ, WRITE, READDIR, OPEN or OPENDIR request in
`fusepassctl stat`, whose output each test prints);
--deny-unlink in backed directories (the UNLINK pre-filter) and in the
root (the daemon itself); --log-opens (the OPEN pre-filter);
CREATE and MKDIR in the root give backed objects. The daemon's output
must hold no error: it reports any request naming a backed node as one.

Environment: FUSEPASS_TEST_PROGS (where test/lib/progs.sh built the
example), FUSEPASS_RUN (default: fusepass-run on PATH). fusepass only.
"""

import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from fptarget import TARGET, fstype_of  # noqa: E402
from inproc_daemon import parse_stats  # noqa: E402
import rawfuse as rf  # noqa: E402

FUSEPASS_RUN = os.environ.get("FUSEPASS_RUN", "fusepass-run")
MOUNT_WAIT = 30     # seconds; TCG guests are slow

# Never sent to the daemon for backed objects; the tests touch no
# daemon-served file and list no daemon-served directory. (Filter requests
# have counters of their own, prefilter and postfilter.)
NOT_WITH_BACKED = ("READ", "WRITE", "READDIR", "READDIRPLUS", "OPEN",
                   "OPENDIR")


def mirror_prog():
    d = os.environ.get("FUSEPASS_TEST_PROGS")
    assert d, "FUSEPASS_TEST_PROGS must name the built test programs"
    path = os.path.join(d, "fusepass_mirror")
    assert os.access(path, os.X_OK), "%s not built (test/lib/progs.sh)" % path
    return path


class Mirror:
    def __init__(self, src, mnt, log):
        self.mnt = mnt
        self.out = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [FUSEPASS_RUN, mirror_prog(), src, mnt, "-f",
             "--deny-unlink=*.keep", "--log-opens=" + log],
            stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + MOUNT_WAIT
        while fstype_of(mnt) is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail("fusepass_mirror did not mount (status %s): %s"
                            % (self.proc.wait(), self.output()))
            time.sleep(0.05)
        # libfuse makes the program's name the subtype.
        if fstype_of(mnt) != "fusepass.fusepass_mirror":
            fstype = fstype_of(mnt)
            self.stop()
            pytest.fail("%s is mounted as %s" % (mnt, fstype))

    def output(self):
        self.out.seek(0)
        return self.out.read().decode(errors="replace")

    def stats(self):
        """The counters as `fusepassctl stat` prints them."""
        out = subprocess.run(["fusepassctl", "stat", self.mnt], check=True,
                             capture_output=True, text=True).stdout
        print("fusepassctl stat %s:\n%s" % (self.mnt, out))
        return parse_stats(out)

    def stop(self):
        if fstype_of(self.mnt) is not None:
            rf.umount(self.mnt, rf.MNT_DETACH)
        try:
            return self.proc.wait(timeout=MOUNT_WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return "hung"


@pytest.fixture
def env():
    TARGET.check_available()
    top = tempfile.mkdtemp(prefix="fp-mirror.")
    src, mnt = os.path.join(top, "src"), os.path.join(top, "mnt")
    log = os.path.join(top, "opens.log")
    os.makedirs(os.path.join(src, "d", "sub"))
    os.mkdir(mnt)
    for path, data in (("top", b"top file"), ("d/f", b"f"),
                       ("d/sub/g", b"g"), ("d/x.keep", b"keep"),
                       ("d/x.tmp", b"tmp"), ("y.keep", b"keep"),
                       ("y.tmp", b"tmp")):
        with open(os.path.join(src, path), "wb") as f:
            f.write(data)
    m = Mirror(src, mnt, log)
    yield m, src, log
    status = m.stop()
    out = m.output()
    print("fusepass_mirror exited %s; its output:\n%s" % (status, out))
    shutil.rmtree(top, ignore_errors=True)
    assert status == 0
    assert not re.search(r"\berror\b", out, re.IGNORECASE), out


def path_in(m, *parts):
    return os.path.join(m.mnt, *parts)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def unlink_errno(path):
    try:
        os.unlink(path)
    except OSError as e:
        return errno.errorcode[e.errno]
    return "0"


def assert_kernel_served(stats):
    served = {op: stats.get("request " + op, 0) for op in NOT_WITH_BACKED}
    assert stats.get("backed_ops", 0) > 0, stats
    assert set(served.values()) == {0}, served


def test_the_kernel_serves_the_mirror(env):
    m, src, _ = env
    assert read(path_in(m, "top")) == b"top file"
    with open(path_in(m, "top"), "ab") as f:
        f.write(b" and more")
    assert read(os.path.join(src, "top")) == b"top file and more"
    assert os.stat(path_in(m, "top")).st_ino == \
        os.stat(os.path.join(src, "top")).st_ino
    assert sorted(os.listdir(path_in(m, "d"))) == \
        ["f", "sub", "x.keep", "x.tmp"]
    assert read(path_in(m, "d", "sub", "g")) == b"g"
    with open(path_in(m, "d", "sub", "new"), "wb") as f:
        f.write(b"new")
    assert read(os.path.join(src, "d", "sub", "new")) == b"new"
    assert_kernel_served(m.stats())


def test_deny_unlink(env):
    m, src, _ = env
    assert unlink_errno(path_in(m, "d", "x.keep")) == "EPERM"   # pre-filter
    assert unlink_errno(path_in(m, "d", "x.tmp")) == "0"
    assert unlink_errno(path_in(m, "y.keep")) == "EPERM"        # the root
    assert unlink_errno(path_in(m, "y.tmp")) == "0"
    assert sorted(os.listdir(os.path.join(src, "d"))) == ["f", "sub", "x.keep"]
    assert os.path.exists(os.path.join(src, "y.keep"))
    assert not os.path.exists(os.path.join(src, "y.tmp"))
    assert_kernel_served(m.stats())


def test_log_opens(env):
    m, src, log = env
    read(path_in(m, "top"))
    with open(path_in(m, "d", "sub", "g"), "wb") as f:
        f.write(b"G")
    with open(path_in(m, "d", "created"), "wb") as f:
        f.write(b"c")
    with open(log) as f:
        lines = f.read().splitlines()
    print("open log:", lines)
    pid = os.getpid()
    # A created file is opened (and logged) after its CREATE.
    want = [("open", "top", os.O_RDONLY), ("open", "g", os.O_WRONLY),
            ("open", "created", os.O_WRONLY)]
    for line, (op, name, acc) in zip(lines, want):
        got = re.fullmatch(r"(\w+) (\S+) flags=(0[0-7]*) pid=(\d+) uid=0 "
                           r"node=\d+", line)
        assert got, line
        assert got.group(1, 2) == (op, name), line
        assert int(got.group(3), 8) & os.O_ACCMODE == acc, line
        assert int(got.group(4)) == pid, line
    assert len(lines) == 3, lines
    stats = m.stats()
    assert stats.get("prefilter", 0) >= 3
    assert_kernel_served(stats)


def test_create_and_mkdir_in_the_root(env):
    m, src, _ = env
    with open(path_in(m, "newtop"), "wb") as f:
        f.write(b"written by the kernel")
    assert read(os.path.join(src, "newtop")) == b"written by the kernel"
    os.mkdir(path_in(m, "newdir"))
    with open(path_in(m, "newdir", "inner"), "wb") as f:
        f.write(b"inner")
    assert read(os.path.join(src, "newdir", "inner")) == b"inner"
    stats = m.stats()
    assert stats.get("request CREATE", 0) >= 1
    assert stats.get("request MKDIR", 0) >= 1
    assert_kernel_served(stats)
