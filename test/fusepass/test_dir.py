# SPDX-License-Identifier: GPL-2.0
"""Directory listing, directory stream positions, and statvfs."""

import os

from fplib import DirStream, write_file

NAMES = ["name-%03d-%s" % (i, "x" * (i % 40)) for i in range(500)]


def _drain(d):
    names = []
    while True:
        name = d.read()
        if name is None:
            return names
        names.append(name)


def _listing(path):
    with DirStream(path) as d:
        return _drain(d)


def test_readdir_500_names_equals_backing(fp):
    os.mkdir(fp.m("big"))
    for i, name in enumerate(NAMES):
        # Half through the mount, half directly in the backing dir.
        base = fp.m("big") if i % 2 else fp.b("big")
        write_file(os.path.join(base, name))
    seen = os.listdir(fp.m("big"))
    assert len(seen) == 500
    assert sorted(seen) == sorted(os.listdir(fp.b("big"))) == sorted(NAMES)
    # With "." and "..", as a C program sees it.
    assert sorted(_listing(fp.m("big"))) == sorted(NAMES + [".", ".."])


def test_telldir_seekdir_resumes_at_saved_position(fp):
    os.mkdir(fp.b("big"))
    for name in NAMES:
        write_file(fp.b("big", name))
    with DirStream(fp.m("big")) as d:
        positions, names = [], []
        while True:
            pos = d.tell()
            name = d.read()
            if name is None:
                break
            positions.append(pos)
            names.append(name)
        assert len(names) == 502
        # Backwards and forwards, across the libc buffer refills.
        for idx in (400, 7, 250, 501, 0, 133):
            d.seek(positions[idx])
            following = []
            for _ in range(min(30, len(names) - idx)):
                following.append(d.read())
            assert following == names[idx:idx + len(following)], idx
        d.seek(positions[480])
        assert _drain(d) == names[480:]


def test_rewinddir_sees_backing_change(fp):
    # POSIX: after rewinddir the stream reflects the directory's current state.
    os.mkdir(fp.b("d"))
    write_file(fp.b("d", "a"))
    with DirStream(fp.m("d")) as d:
        assert sorted(_drain(d)) == [".", "..", "a"]
        write_file(fp.b("d", "b"))
        os.unlink(fp.b("d", "a"))
        d.rewind()
        assert sorted(_drain(d)) == [".", "..", "b"]


def test_statvfs_equals_backing(fp):
    m, b = os.statvfs(fp.mnt), os.statvfs(fp.backing)
    assert m.f_bsize == b.f_bsize
    assert m.f_frsize == b.f_frsize
    assert m.f_blocks == b.f_blocks
    assert m.f_files == b.f_files
    assert m.f_namemax == b.f_namemax
    # Free counts move with other activity; only require the same order.
    assert abs(m.f_bfree - b.f_bfree) <= b.f_blocks // 100 + 16
