# SPDX-License-Identifier: GPL-2.0
"""Backed inodes chosen by the daemon: extension blocks and filters
(fusepass ABI 1.3, include/uapi/linux/fusepass.h, "Extension blocks").

An in-process raw-protocol daemon (test/pylib/inproc_daemon.py) answers
LOOKUP in its root, for the names a test backs, with a fuse_entry_out and
blocks after it: FUSEPASS_EXT_BACKING naming a backing id (a file, or a
directory registered with FUSEPASS_BACKING_DIR) with pre- and post-filter
masks. The tests check that the kernel then serves those inodes, and
whatever is below a backed directory, from the backing tree (the daemon
sees no request naming them; backed_ops counts), that every malformed
block fails the call with EIO, what filter requests carry and what their
replies do, REMOVE_BACKING in a LOOKUP post-filter reply, and what backed
files do when the daemon dies.

The daemon negotiates no FUSE_PASSTHROUGH in INIT, as libfuse 3.14 cannot:
blocks need none. fusepass only.
"""

import errno
import os
import shutil
import stat
import struct
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
import rawfuse as rf  # noqa: E402
from inproc_daemon import (FUSEPASS_BACKING_DIR, InProcessDaemon,  # noqa: E402
                           backing_close)

pytestmark = pytest.mark.fusepass_only

PREFILTER, POSTFILTER, OPCODE_MASK = 0x10000, 0x20000, 0xffff
EXT_BACKING, EXT_BPF, EXT_REMOVE_BACKING = 1, 2, 3

EXT_HEADER = struct.Struct('<IHH')              # size, type, flags
EXT_BACKING_BLOCK = struct.Struct('<IHHiIQQQ')  # 40
FILTER_IN = struct.Struct('<iI')                # error_in, namelen
OPEN_IN = struct.Struct('<II')                  # flags, open_flags

LONG = 3600     # entry timeout that outlives a test


def bit(op):
    return 1 << op


def backing_block(backing_id, pre=0, post=0, size=40, type=EXT_BACKING,
                  flags=0, reserved0=0, reserved1=0, length=None):
    """A FUSEPASS_EXT_BACKING block; @length cuts or pads the bytes sent."""
    blk = EXT_BACKING_BLOCK.pack(size, type, flags, backing_id, reserved0,
                                 pre, post, reserved1)
    if length is not None:
        blk = blk[:length] + b'\0' * max(0, length - len(blk))
    return blk


def remove_block():
    return EXT_HEADER.pack(8, EXT_REMOVE_BACKING, 0)


def entry(nodeid, mode, size=0, entry_valid=0):
    return rf.ENTRY_OUT.pack(nodeid, 0, entry_valid, 0, 0, 0) + \
        rf.attr(nodeid, mode, size)


class Filter:
    """One filter request as the daemon read it."""

    def __init__(self, req):
        self.op = req.opcode & OPCODE_MASK
        self.kind = "pre" if req.opcode & PREFILTER else "post"
        self.nodeid = req.nodeid
        self.error_in, namelen = FILTER_IN.unpack_from(req.body)
        start = FILTER_IN.size
        self.name = req.body[start:start + namelen].decode(errors="replace")
        self.nul = req.body[start + namelen:start + namelen + 1]
        self.rest = req.body[start + namelen + 1:]

    def key(self):
        return (rf.OPNAMES.get(self.op, self.op), self.kind, self.nodeid,
                self.name, self.error_in)

    def __repr__(self):
        return "Filter%r rest=%r" % (self.key(), self.rest)


class BlocksDaemon(InProcessDaemon):
    """MemFS whose root also holds the names a test backs (back()).

    Filter requests are recorded in @filters and answered with
    @filter_reply(filter) -> (error, payload). CREATE and MKDIR in the
    root go to @create_reply(req) -> payload when it is set. Replies the
    kernel refused are recorded in @refused as (what, errno).
    """

    def __init__(self, mnt):
        self.fs = rf.MemFS()
        self.backed = {}
        self.filters = []
        self.filter_reply = lambda f: (0, b'')
        self.create_reply = None
        self.refused = []
        self.next_node = 1000
        super().__init__(mnt, negotiate=False, source="blocks-test")

    def op_name(self, req):
        if req.opcode & (PREFILTER | POSTFILTER):
            return "%s|%s" % (rf.OPNAMES.get(req.opcode & OPCODE_MASK),
                              "PRE" if req.opcode & PREFILTER else "POST")
        return req.name

    def back(self, name, backing_id, directory=False, blocks=None,
             entry_valid=0, close_after_reply=False, **block):
        """LOOKUP of @name in the root answers with a new node id and
        @blocks (default: a BACKING block of @backing_id and **block).
        @close_after_reply: close the id right after the first reply, as
        src/examples/fusepass_mirror does. Returns the node id."""
        nodeid = self.next_node
        self.next_node += 1
        if blocks is None:
            blocks = backing_block(backing_id, **block)
        mode = (stat.S_IFDIR | 0o755) if directory else (stat.S_IFREG | 0o644)
        self.backed[name] = dict(nodeid=nodeid, mode=mode, blocks=blocks,
                                 entry_valid=entry_valid, id=backing_id,
                                 close=close_after_reply)
        return nodeid

    def _reply(self, what, unique, payload=b'', error=0):
        err = self.conn.reply(unique, payload, error)
        if err:
            self.refused.append((what, errno.errorcode.get(err, err)))

    def handle(self, req):
        if req.opcode & (PREFILTER | POSTFILTER):
            f = Filter(req)
            self.filters.append(f)
            error, payload = self.filter_reply(f)
            self._reply("filter %r" % (f.key(),), req.unique, payload, error)
            return True
        if req.opcode == rf.LOOKUP and req.nodeid == rf.ROOT_ID:
            spec = self.backed.get(req.cstrings()[0])
            if spec is None:
                return False
            self._reply("lookup %s" % req.cstrings()[0], req.unique,
                        entry(spec["nodeid"], spec["mode"],
                              entry_valid=spec["entry_valid"]) +
                        spec["blocks"])
            if spec["close"]:
                backing_close(self.conn.fd, spec["id"])
                spec["close"] = False
            return True
        if req.opcode in (rf.CREATE, rf.MKDIR) and \
                req.nodeid == rf.ROOT_ID and self.create_reply:
            self._reply("create", req.unique, self.create_reply(req))
            return True
        return False

    def remember(self, name, nodeid, mode, blocks):
        """LOOKUP of @name in the root answers as a reply that created it
        did (the kernel asks again once the entry timeout expires)."""
        self.backed[name] = dict(nodeid=nodeid, mode=mode, blocks=blocks,
                                 entry_valid=0, id=0, close=False)

    def new_node(self, mode, data=b''):
        """A daemon-served node of its own (no name in the MemFS tree)."""
        node = rf.Node(self.next_node, mode, data)
        self.next_node += 1
        self.fs.nodes[node.ino] = node
        return node


def not_on(daemon, nodeid):
    """The requests that named @nodeid, but FORGET and filter requests:
    what the kernel was to serve itself."""
    return [op for op in daemon.ops_on(nodeid)
            if op != "FORGET" and "|" not in op]


@pytest.fixture
def tree():
    """The backing tree: data (16 KiB), dir/{a, sub/b}, other."""
    d = tempfile.mkdtemp(prefix="fp-blocks.")
    with open(os.path.join(d, "data"), "wb") as f:
        f.write(bytes(range(256)) * 64)
    os.makedirs(os.path.join(d, "dir", "sub"))
    for path, data in (("dir/a", b"alpha"), ("dir/sub/b", b"beta"),
                       ("other", b"other")):
        with open(os.path.join(d, path), "wb") as f:
            f.write(data)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def daemon(target, mnt):
    d = BlocksDaemon(mnt)
    yield d
    d.stop()


def register_dir(daemon, path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return daemon.register(fd, FUSEPASS_BACKING_DIR)
    finally:
        os.close(fd)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def errno_of(call, *args):
    """The errno name @call(*args) fails with, or "0"."""
    try:
        call(*args)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    return "0"


# ---- BACKING blocks -------------------------------------------------------

def test_backing_block_makes_a_file_backed(daemon, tree):
    data = os.path.join(tree, "data")
    node = daemon.back("bf", daemon.register(data))
    path = os.path.join(daemon.mnt, "bf")
    before = daemon.stats()

    st, bst = os.stat(path), os.stat(data)
    assert stat.S_ISREG(st.st_mode)
    assert (st.st_ino, st.st_size) == (bst.st_ino, bst.st_size)
    assert read(path) == read(data)
    fd = os.open(path, os.O_RDWR)
    try:
        assert os.pwrite(fd, b"written through", 100) == 15
        assert os.pread(fd, 15, 100) == b"written through"
        os.fsync(fd)
    finally:
        os.close(fd)
    assert read(data)[100:115] == b"written through"
    os.truncate(path, 1000)
    os.chmod(path, 0o600)
    bst = os.stat(data)
    assert bst.st_size == 1000 and stat.S_IMODE(bst.st_mode) == 0o600
    assert os.stat(path).st_size == 1000

    after = daemon.stats()
    print("counters before", before)
    print("counters after", after)
    print("requests naming the node", daemon.ops_on(node))
    assert not_on(daemon, node) == []
    # Not even counted: nothing else in the test reads a file.
    for op in ("SETATTR", "OPEN", "READ", "WRITE", "FLUSH", "FSYNC",
               "RELEASE"):
        assert after.get("request " + op, 0) == before.get("request " + op, 0)
    assert after["backed_ops"] > before["backed_ops"]


def test_backed_directory_serves_its_children(daemon, tree):
    src = os.path.join(tree, "dir")
    node = daemon.back("bd", register_dir(daemon, src), directory=True)
    bd = os.path.join(daemon.mnt, "bd")
    before = daemon.stats()

    assert stat.S_ISDIR(os.stat(bd).st_mode)
    assert os.stat(bd).st_ino == os.stat(src).st_ino
    assert sorted(os.listdir(bd)) == sorted(os.listdir(src)) == ["a", "sub"]
    inos = {e.name: e.inode() for e in os.scandir(bd)}
    assert inos == {e.name: e.inode() for e in os.scandir(src)}
    assert os.stat(os.path.join(bd, "a")).st_ino == \
        os.stat(os.path.join(src, "a")).st_ino
    assert read(os.path.join(bd, "sub", "b")) == b"beta"
    # Namespace operations land in the backing directory.
    with open(os.path.join(bd, "new"), "wb") as f:
        f.write(b"new file")
    assert read(os.path.join(src, "new")) == b"new file"
    os.mkdir(os.path.join(bd, "newdir"))
    assert os.path.isdir(os.path.join(src, "newdir"))
    os.rename(os.path.join(bd, "new"), os.path.join(bd, "newdir", "moved"))
    assert read(os.path.join(src, "newdir", "moved")) == b"new file"
    os.unlink(os.path.join(bd, "newdir", "moved"))
    os.rmdir(os.path.join(bd, "newdir"))
    assert sorted(os.listdir(src)) == ["a", "sub"]

    after = daemon.stats()
    print("counters before", before)
    print("counters after", after)
    print("daemon saw", daemon.ops)
    assert not_on(daemon, node) == []
    for op in ("OPENDIR", "READDIR", "READDIRPLUS", "RELEASEDIR", "CREATE",
               "MKDIR", "RENAME", "RENAME2", "UNLINK", "RMDIR", "READ",
               "WRITE"):
        assert op not in daemon.op_names(), op
    assert after["backed_ops"] > before["backed_ops"]


def test_create_and_mkdir_replies_carry_blocks(daemon, tree):
    """CREATE (fuse_entry_out, fuse_open_out) and MKDIR replies followed by
    a BACKING block: the new objects are backed from the start."""
    made = {}

    def create_reply(req):
        nodeid = daemon.next_node
        daemon.next_node += 1
        if req.opcode == rf.MKDIR:
            name = req.cstrings(rf.MKDIR_IN.size)[0]
            path = os.path.join(tree, name)
            os.mkdir(path)
            mode = stat.S_IFDIR | 0o755
            block = backing_block(register_dir(daemon, path))
            opened = b''
        else:
            name = req.cstrings(rf.CREATE_IN.size)[0]
            fd = os.open(os.path.join(tree, name), os.O_CREAT | os.O_RDWR,
                         0o644)
            try:
                block = backing_block(daemon.register(fd))
            finally:
                os.close(fd)
            mode = stat.S_IFREG | 0o644
            opened = rf.OPEN_OUT.pack(0, 0, 0)
        made[name] = nodeid
        daemon.remember(name, nodeid, mode, block)
        return entry(nodeid, mode) + opened + block

    daemon.create_reply = create_reply
    fd = os.open(os.path.join(daemon.mnt, "created"),
                 os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
    try:
        assert os.write(fd, b"created here") == 12
    finally:
        os.close(fd)
    assert read(os.path.join(tree, "created")) == b"created here"
    os.mkdir(os.path.join(daemon.mnt, "madedir"))
    with open(os.path.join(daemon.mnt, "madedir", "inner"), "wb") as f:
        f.write(b"inner")
    assert read(os.path.join(tree, "madedir", "inner")) == b"inner"

    print("daemon saw", daemon.ops, "made", made, "refused", daemon.refused)
    assert daemon.refused == []
    assert "CREATE" in daemon.op_names() and "MKDIR" in daemon.op_names()
    # The kernel opens the new file from its backing object and gives the
    # daemon's open file of the CREATE reply back (RELEASE, sent in the
    # background); nothing else.
    assert set(not_on(daemon, made["created"])) <= {"RELEASE"}
    assert not_on(daemon, made["madedir"]) == []
    assert "WRITE" not in daemon.op_names()


def test_closing_the_id_after_the_reply_leaves_the_inode_backed(daemon, tree):
    """What src/examples/fusepass_mirror does: close each id as soon as
    the write of the reply naming it returns (the header: the kernel
    resolves a reply's ids within that write). Many names, so that a
    kernel resolving them later would lose the race at least once."""
    names = []
    for i in range(20):
        path = os.path.join(tree, "f%d" % i)
        with open(path, "wb") as f:
            f.write(b"file %d" % i)
        daemon.back("f%d" % i, daemon.register(path), entry_valid=LONG,
                    close_after_reply=True)
        names.append("f%d" % i)
    daemon.back("bd", register_dir(daemon, os.path.join(tree, "dir")),
                directory=True, entry_valid=LONG, close_after_reply=True)

    got = {n: errno_of(os.stat, os.path.join(daemon.mnt, n))
           for n in names + ["bd"]}
    print("stat after the id was closed:", got, "refused", daemon.refused)
    assert set(got.values()) == {"0"}
    for i, n in enumerate(names):
        assert read(os.path.join(daemon.mnt, n)) == b"file %d" % i
    assert read(os.path.join(daemon.mnt, "bd", "sub", "b")) == b"beta"


# ---- malformed blocks: the call fails with EIO ----------------------------

BAD_BLOCKS = {
    "reserved0": dict(reserved0=1),
    "reserved1": dict(reserved1=1 << 40),
    "flags": dict(flags=1),
    "unknown type": dict(type=9),
    "reserved BPF type": dict(type=EXT_BPF),
    "REMOVE_BACKING type with a BACKING body": dict(type=EXT_REMOVE_BACKING),
    "size 32": dict(size=32, length=32),
    "size 48": dict(size=48, length=48),
    "size 44": dict(size=44, length=44),
    "size 0": dict(size=0, length=8),
    "block cut short": dict(length=24),
    "unknown backing id": dict(backing_id=4242),
    "backing id 0": dict(backing_id=0),
    "negative backing id": dict(backing_id=-1),
    "READ in the prefilter": dict(pre=bit(rf.READ)),
    "WRITE in the postfilter": dict(post=bit(rf.WRITE)),
    "READDIR in the prefilter": dict(pre=bit(rf.READDIR)),
    "bit 63 in the postfilter": dict(post=1 << 63),
}


@pytest.mark.parametrize("what", sorted(BAD_BLOCKS))
def test_malformed_block_fails_with_eio(daemon, tree, what):
    block = dict(BAD_BLOCKS[what])
    backing_id = block.pop("backing_id", None)
    if backing_id is None:
        backing_id = daemon.register(os.path.join(tree, "data"))
    daemon.back("bad", backing_id, blocks=backing_block(backing_id, **block))
    got = errno_of(os.stat, os.path.join(daemon.mnt, "bad"))
    print("%s: stat gave %s; the daemon's write: %s"
          % (what, got, daemon.refused or "accepted"))
    assert got == "EIO"
    # The connection goes on.
    assert os.stat(os.path.join(daemon.mnt, "file")).st_size == 4096


def test_three_blocks_fail_with_eio(daemon, tree):
    """More than FUSEPASS_EXT_MAX_BLOCKS (2) blocks."""
    backing_id = daemon.register(os.path.join(tree, "data"))
    daemon.back("bad", backing_id, blocks=backing_block(backing_id) +
                remove_block() + remove_block())
    got = errno_of(os.stat, os.path.join(daemon.mnt, "bad"))
    print("stat gave", got, "; the daemon's write:", daemon.refused)
    assert got == "EIO"


def test_id_of_another_connection_fails_with_eio(daemon, tree):
    other_mnt = tempfile.mkdtemp(prefix="fp-other.")
    other = BlocksDaemon(other_mnt)
    try:
        data = os.path.join(tree, "data")
        # This connection has registered nothing: the other's third id
        # names nothing here.
        ids = [other.register(data) for _ in range(3)]
        assert ids[-1] > 0
        daemon.back("bf", ids[-1])
        got = errno_of(os.stat, os.path.join(daemon.mnt, "bf"))
        print("ids of the other connection", ids, "stat gave", got,
              "refused", daemon.refused)
        assert got == "EIO"
    finally:
        other.stop()
        os.rmdir(other_mnt)


# ---- filters --------------------------------------------------------------

def test_unlink_prefilter_denies_and_allows(daemon, tree):
    src = os.path.join(tree, "dir")
    node = daemon.back("bd", register_dir(daemon, src), directory=True,
                       pre=bit(rf.UNLINK))
    with open(os.path.join(src, "gone"), "wb") as f:
        f.write(b"x")
    daemon.filter_reply = lambda f: \
        (-errno.EPERM, b'') if f.name in ("a", "b") else (0, b'')
    bd = os.path.join(daemon.mnt, "bd")

    assert errno_of(os.unlink, os.path.join(bd, "a")) == "EPERM"
    assert os.path.exists(os.path.join(src, "a"))
    assert errno_of(os.unlink, os.path.join(bd, "gone")) == "0"
    assert not os.path.exists(os.path.join(src, "gone"))
    # Inherited below: the request names the nearest node the daemon gave.
    assert errno_of(os.unlink, os.path.join(bd, "sub", "b")) == "EPERM"
    assert os.path.exists(os.path.join(src, "sub", "b"))

    print("filters", daemon.filters)
    assert [f.key() for f in daemon.filters] == [
        ("UNLINK", "pre", node, "a", 0),
        ("UNLINK", "pre", node, "gone", 0),
        ("UNLINK", "pre", node, "b", 0)]
    for f in daemon.filters:
        assert f.nul == b'\0' and f.rest == b'', f
    assert "UNLINK" not in daemon.op_names()


def test_open_prefilter_observes_and_refuses(daemon, tree):
    data = os.path.join(tree, "data")
    fnode = daemon.back("bf", daemon.register(data), pre=bit(rf.OPEN))
    dnode = daemon.back("bd", register_dir(daemon, os.path.join(tree, "dir")),
                        directory=True, pre=bit(rf.OPEN))

    fd = os.open(os.path.join(daemon.mnt, "bf"), os.O_RDWR)
    try:
        assert os.pread(fd, 4, 0) == bytes([0, 1, 2, 3])
    finally:
        os.close(fd)
    assert read(os.path.join(daemon.mnt, "bd", "sub", "b")) == b"beta"

    print("filters", daemon.filters)
    assert [f.key() for f in daemon.filters] == [
        ("OPEN", "pre", fnode, "bf", 0), ("OPEN", "pre", dnode, "b", 0)]
    flags = [OPEN_IN.unpack_from(f.rest)[0] for f in daemon.filters]
    assert flags[0] & os.O_ACCMODE == os.O_RDWR
    assert flags[1] & os.O_ACCMODE == os.O_RDONLY
    for f in daemon.filters:
        assert f.nul == b'\0' and len(f.rest) == OPEN_IN.size, f
    assert "OPEN" not in daemon.op_names()
    assert "READ" not in daemon.op_names()

    # An error from the pre-filter refuses the open with it.
    daemon.filter_reply = lambda f: (-errno.EACCES, b'')
    assert errno_of(os.open, os.path.join(daemon.mnt, "bf"),
                    os.O_RDONLY) == "EACCES"


def test_create_prefilter_carries_fuse_create_in(daemon, tree):
    """The header: a filter request carries the operation's own input as
    FUSE sends it, fuse_create_in for CREATE: the mode (the caller's umask
    applied) and the umask; its flags are 0, as a backed directory's
    create is not told them. The created file is then opened: an OPEN
    pre-filter, inherited, sees that open with its flags."""
    dnode = daemon.back("bd", register_dir(daemon, os.path.join(tree, "dir")),
                        directory=True, entry_valid=LONG,
                        pre=bit(rf.CREATE) | bit(rf.OPEN))
    old = os.umask(0o022)
    try:
        fd = os.open(os.path.join(daemon.mnt, "bd", "new"),
                     os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660)
    finally:
        os.umask(old)
    os.close(fd)
    assert stat.S_IMODE(os.stat(os.path.join(tree, "dir", "new")).st_mode) \
        == 0o640

    print("filters", daemon.filters)
    assert [f.key() for f in daemon.filters] == [
        ("CREATE", "pre", dnode, "new", 0), ("OPEN", "pre", dnode, "new", 0)]
    create, opened = daemon.filters
    assert len(create.rest) == rf.CREATE_IN.size, create
    flags, mode, umask, _ = rf.CREATE_IN.unpack_from(create.rest)
    print("fuse_create_in: flags 0%o mode 0%o umask 0%o" % (flags, mode, umask))
    problems = []
    if (stat.S_IFMT(mode), stat.S_IMODE(mode), umask) != \
            (stat.S_IFREG, 0o640, 0o022):
        problems.append("mode 0%o umask 0%o, not 0100640 and 022"
                        % (mode, umask))
    if flags:
        problems.append("open flags 0%o, not 0" % flags)
    if OPEN_IN.unpack_from(opened.rest)[0] & os.O_ACCMODE != os.O_WRONLY:
        problems.append("the OPEN filter's flags lack O_WRONLY")
    assert not problems, problems


def test_postfilter_sees_the_result_and_replaces_it(daemon, tree):
    data = os.path.join(tree, "data")
    fnode = daemon.back("bf", daemon.register(data), entry_valid=LONG,
                        post=bit(rf.GETATTR))
    dnode = daemon.back("bd", register_dir(daemon, os.path.join(tree, "dir")),
                        directory=True, entry_valid=LONG,
                        post=bit(rf.UNLINK))
    path = os.path.join(daemon.mnt, "bf")

    assert os.stat(path).st_size == os.stat(data).st_size     # kept
    daemon.filter_reply = lambda f: (-errno.EACCES, b'')
    assert errno_of(os.stat, path) == "EACCES"                # replaced
    # A post-filter's error does not undo the operation.
    assert errno_of(os.unlink, os.path.join(daemon.mnt, "bd", "a")) == "EACCES"
    assert not os.path.exists(os.path.join(tree, "dir", "a"))

    print("filters", daemon.filters)
    keys = [f.key() for f in daemon.filters]
    assert ("GETATTR", "post", fnode, "bf", 0) in keys
    assert ("UNLINK", "post", dnode, "a", 0) in keys
    assert all(f.kind == "post" for f in daemon.filters)
    assert not_on(daemon, fnode) == []


def test_lookup_postfilter_error_in_and_remove_backing(daemon, tree):
    """A LOOKUP post-filter sees the backing lookup's result; replying with
    an entry and REMOVE_BACKING hands the name to the daemon."""
    src = os.path.join(tree, "dir")
    dnode = daemon.back("bd", register_dir(daemon, src), directory=True,
                        entry_valid=LONG, post=bit(rf.LOOKUP))
    served = daemon.new_node(stat.S_IFREG | 0o644, b"from the daemon")

    def reply(f):
        if f.op == rf.LOOKUP and f.name == "a":
            return 0, entry(served.ino, served.mode, len(served.data),
                            entry_valid=LONG) + remove_block()
        return 0, b''

    daemon.filter_reply = reply
    bd = os.path.join(daemon.mnt, "bd")

    st = os.stat(os.path.join(bd, "a"))
    assert st.st_size == len(b"from the daemon")
    assert st.st_ino != os.stat(os.path.join(src, "a")).st_ino
    assert read(os.path.join(bd, "a")) == b"from the daemon"
    os.stat(os.path.join(bd, "a"))      # attributes of no validity: GETATTR
    # Other names stay backed; a missing one stays missing.
    assert os.stat(os.path.join(bd, "sub")).st_ino == \
        os.stat(os.path.join(src, "sub")).st_ino
    assert errno_of(os.stat, os.path.join(bd, "missing")) == "ENOENT"
    # A daemon-served name in a backed directory cannot be unlinked there.
    assert errno_of(os.unlink, os.path.join(bd, "a")) == "EPERM"
    assert os.path.exists(os.path.join(src, "a"))

    print("filters", daemon.filters)
    print("requests naming the served node", daemon.ops_on(served.ino),
          "refused", daemon.refused)
    keys = [f.key() for f in daemon.filters]
    assert ("LOOKUP", "post", dnode, "a", 0) in keys
    assert ("LOOKUP", "post", dnode, "missing", -errno.ENOENT) in keys
    assert "GETATTR" in daemon.ops_on(served.ino)
    assert "READ" in daemon.ops_on(served.ino)
    assert daemon.refused == []


# ---- the daemon dies --------------------------------------------------------

def test_backed_files_outlive_the_daemon(daemon, tree):
    """Backed inodes need no daemon: open files keep reading and writing,
    new opens and namespace operations of backed objects without filters
    keep working; an operation with a filter fails with ENOTCONN (the
    header says so), and so does everything the daemon served."""
    data = os.path.join(tree, "data")
    src = os.path.join(tree, "dir")
    daemon.back("bf", daemon.register(data), entry_valid=LONG)
    daemon.back("bd", register_dir(daemon, src), directory=True,
                entry_valid=LONG)
    daemon.back("pf", daemon.register(os.path.join(tree, "other")),
                entry_valid=LONG, pre=bit(rf.OPEN))
    os.mkdir(os.path.join(tree, "guarded"))
    with open(os.path.join(tree, "guarded", "g"), "wb") as f:
        f.write(b"g")
    daemon.back("gd", register_dir(daemon, os.path.join(tree, "guarded")),
                directory=True, entry_valid=LONG, pre=bit(rf.UNLINK))
    m = daemon.mnt
    for name in ("bf", "bd", "pf", "gd"):
        os.stat(os.path.join(m, name))
    fd1 = os.open(os.path.join(m, "bf"), os.O_RDWR)
    fd2 = os.open(os.path.join(m, "bd", "a"), os.O_RDWR)

    daemon.die()
    results = {}
    try:
        assert os.pread(fd1, 4, 0) == bytes([0, 1, 2, 3])
        assert os.pwrite(fd1, b"after", 0) == 5
        assert read(data)[:5] == b"after"
        assert os.pread(fd2, 5, 0) == b"alpha"
        assert os.pwrite(fd2, b"ALPHA", 0) == 5
        assert read(os.path.join(src, "a")) == b"ALPHA"

        results["open bf"] = errno_of(read, os.path.join(m, "bf"))
        results["open bd/sub/b"] = errno_of(read, os.path.join(m, "bd", "sub", "b"))
        results["listdir bd"] = errno_of(os.listdir, os.path.join(m, "bd"))
        results["create bd/after"] = errno_of(
            lambda p: os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)),
            os.path.join(m, "bd", "after"))
        results["open pf (OPEN filter)"] = errno_of(
            read, os.path.join(m, "pf"))
        results["unlink gd/g (UNLINK filter)"] = errno_of(
            os.unlink, os.path.join(m, "gd", "g"))
        results["stat file (daemon-served)"] = errno_of(
            os.stat, os.path.join(m, "file"))
    finally:
        results["close bf"] = errno_of(os.close, fd1)
        results["close bd/a"] = errno_of(os.close, fd2)
        print("after the daemon died:", results)
    assert results == {
        "open bf": "0", "open bd/sub/b": "0", "listdir bd": "0",
        "create bd/after": "0",
        "open pf (OPEN filter)": "ENOTCONN",
        "unlink gd/g (UNLINK filter)": "ENOTCONN",
        "stat file (daemon-served)": "ENOTCONN",
        "close bf": "0", "close bd/a": "0"}
    assert os.path.exists(os.path.join(src, "after"))
    assert os.path.exists(os.path.join(tree, "guarded", "g"))
