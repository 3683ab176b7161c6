# SPDX-License-Identifier: GPL-2.0
"""Per-open passthrough, proven by the connection's counters.

libfuse 3.17.2's passthrough_hp (passthrough on, its default) mirrors a
scratch directory on fusepass through fusepass-run. A file of a few MiB is
written through the mount, read back (after dropping the page cache) and
read back again through mmap; then, still mounted, the connection's
counters are read from
/sys/fs/fusepass/connections/<st_dev of the mount root>/stats:

    request OPCODE COUNT      requests sent to the daemon, by opcode
    passthrough_read COUNT    reads served by the backing file
    passthrough_write COUNT   writes served by the backing file
    passthrough_mmap COUNT    mmaps of the backing file
    backed_ops COUNT          stacked (per-inode) operations

With passthrough the daemon sees the OPEN and never a READ or a WRITE, and
the three passthrough counters move. The data must come back intact, also
as the backing file's content, and the mount must be fusepass: a daemon
that fell back to the kernel's FUSE fails here.

One mount for the module (the counters are the connection's); one test per
claim, each printing the counters, which are also saved to
$RESULTS/passthrough-counters.stats when RESULTS is set.

Environment: LIBFUSE_317 (libfuse 3.17.2's build directory, default
.build/libfuse-3.17/src/build), FUSEPASS_RUN (default /usr/bin/fusepass-run),
TMPDIR (the scratch directory's file system: ext4 in the guest).
"""

import mmap
import os
import random
import re
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "test", "pylib"))
from fptarget import fstype_of  # noqa: E402
LIBFUSE = os.environ.get("LIBFUSE_317") or \
    os.path.join(REPO, ".build", "libfuse-3.17", "src", "build")
DAEMON = os.path.join(LIBFUSE, "example", "passthrough_hp")
RUN = os.environ.get("FUSEPASS_RUN", "/usr/bin/fusepass-run")
STATS = "/sys/fs/fusepass/connections/%d/stats"

SIZE = 4 * 1024 * 1024 + 12345   # a few MiB and a partial page
CHUNK = 256 * 1024


def parse_stats(text):
    """{'request READ': n, 'passthrough_read': n, ...}"""
    out = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and re.fullmatch(r"-?\d+", words[-1]):
            out[" ".join(words[:-1])] = int(words[-1])
    return out


class Session:
    """What one mount of passthrough_hp showed; every step's failure is
    recorded, not raised, so that each test reports its own claim."""

    def __init__(self):
        self.fstype = None
        self.dev = None
        self.stats_text = None
        self.stats = {}
        self.errors = {}
        self.data = None
        self.read_back = None
        self.mmap_back = None
        self.backing = None
        self.daemon_log = ""
        self.preload_log = ""

    def report(self):
        """The evidence, printed by every test (JUnit system-out)."""
        print("mount type: %s; st_dev %s" % (self.fstype, self.dev))
        if self.stats_text is None:
            print("no counters: %s" % self.errors.get("stats"))
        else:
            print("counters (%s):" % (STATS % self.dev))
            print(self.stats_text.rstrip())
        for step, err in self.errors.items():
            print("%s failed: %s" % (step, err))
        print("fusepass-run log:\n" + self.preload_log.rstrip())
        print("passthrough_hp output:\n" + self.daemon_log.rstrip())


def _step(s, name, fn):
    try:
        fn()
    except Exception as e:  # recorded for the tests to judge
        s.errors[name] = repr(e)


def _io(s, src, mnt):
    name = "data"
    path = os.path.join(mnt, name)
    s.data = random.Random(SIZE).randbytes(SIZE)

    def write():
        with open(path, "wb", buffering=0) as f:
            for off in range(0, SIZE, CHUNK):
                f.write(s.data[off:off + CHUNK])
            os.fsync(f.fileno())

    def read():
        with open(path, "rb", buffering=0) as f:
            parts = []
            while True:
                b = f.read(CHUNK)
                if not b:
                    break
                parts.append(b)
        s.read_back = b"".join(parts)

    def mmap_read():
        with open(path, "rb") as f, \
                mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) as m:
            s.mmap_back = bytes(m[:])

    def backing():
        with open(os.path.join(src, name), "rb") as f:
            s.backing = f.read()

    def drop_caches():
        # Clean pages the write left behind would serve a read without
        # the daemon or the backing file: drop them, so that a read
        # without passthrough shows as READ requests.
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")

    _step(s, "write", write)
    _step(s, "drop caches", drop_caches)
    _step(s, "read", read)
    _step(s, "mmap read", mmap_read)
    _step(s, "backing read", backing)


def _wait_mounted(proc, mnt):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.path.ismount(mnt):
            return None
        if proc.poll() is not None:
            return "passthrough_hp exited with %d" % proc.returncode
        time.sleep(0.1)
    return "the mount did not come up in 30 s"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    assert os.access(DAEMON, os.X_OK), "%s not built" % DAEMON
    assert os.access(RUN, os.X_OK), "%s not found" % RUN
    top = tmp_path_factory.mktemp("pt")
    src, mnt = str(top / "src"), str(top / "mnt")
    os.mkdir(src)
    os.mkdir(mnt)
    daemon_log, preload_log = top / "daemon.log", top / "preload.log"
    s = Session()
    env = dict(os.environ, FUSEPASS_RUN_LOG=str(preload_log))
    with open(daemon_log, "wb") as log:
        proc = subprocess.Popen([RUN, DAEMON, src, mnt, "--foreground"],
                                stdout=log, stderr=subprocess.STDOUT,
                                env=env)
    try:
        err = _wait_mounted(proc, mnt)
        if err:
            s.errors["mount"] = err
        else:
            s.fstype = fstype_of(mnt)
            # The directory is named by the kernel's dev_t (MKDEV), which
            # is st_dev for minors below 256.
            st_dev = os.stat(mnt).st_dev
            s.dev = os.major(st_dev) << 20 | os.minor(st_dev)
            _io(s, src, mnt)

            def stats():
                with open(STATS % s.dev) as f:
                    s.stats_text = f.read()
                s.stats = parse_stats(s.stats_text)
            _step(s, "stats", stats)
    finally:
        if os.path.ismount(mnt):
            subprocess.run(["umount", mnt], check=False)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        s.daemon_log = daemon_log.read_text(errors="replace")
        if preload_log.exists():
            s.preload_log = preload_log.read_text(errors="replace")
    results = os.environ.get("RESULTS")
    if results and s.stats_text is not None:
        with open(os.path.join(results, "passthrough-counters.stats"),
                  "w") as f:
            f.write(s.stats_text)
    return s


def test_mount_is_fusepass(session):
    session.report()
    assert "mount" not in session.errors
    assert session.fstype is not None and \
        re.fullmatch(r"fusepass(\..+)?", session.fstype), \
        "the mount is %s, not fusepass" % session.fstype


def test_write_read_back(session):
    session.report()
    for step in ("write", "drop caches", "read", "backing read"):
        assert step not in session.errors, session.errors[step]
    assert session.read_back == session.data
    assert session.backing == session.data, "the backing file differs"


def test_mmap_read_back(session):
    session.report()
    assert "mmap read" not in session.errors, session.errors["mmap read"]
    assert session.mmap_back == session.data


def _counters(session):
    session.report()
    assert session.stats_text is not None, session.errors.get("stats")
    return session.stats


def test_no_read_write_requests(session):
    stats = _counters(session)
    assert stats.get("request OPEN", 0) > 0, "the daemon saw no OPEN"
    assert stats.get("request READ", 0) == 0
    assert stats.get("request WRITE", 0) == 0


@pytest.mark.parametrize("counter", ["passthrough_read", "passthrough_write",
                                     "passthrough_mmap"])
def test_passthrough_counted(session, counter):
    stats = _counters(session)
    assert counter in stats, "stats has no %s line" % counter
    assert stats[counter] > 0
