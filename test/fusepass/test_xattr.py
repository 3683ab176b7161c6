# SPDX-License-Identifier: GPL-2.0
"""Extended attributes and POSIX ACLs through the mount."""

import errno
import os
import shutil
import struct
import subprocess

import pytest

import fplib
from fplib import read_file, write_file

NAMESPACES = ["user", "trusted", "security"]
VALUE = bytes(range(256)) * 2 + b"\0tail"     # fits a 1 KiB ext4 block


def _names(path, ns):
    return sorted(n for n in os.listxattr(path, follow_symlinks=False)
                  if n.startswith(ns + "."))


@pytest.mark.parametrize("ns", NAMESPACES)
def test_xattr_set_through_mount_seen_on_backing(fp, ns):
    write_file(fp.b("f"))
    name = ns + ".fusepass_test"
    os.setxattr(fp.m("f"), name, VALUE)
    os.setxattr(fp.m("f"), name + "2", b"")
    assert os.getxattr(fp.b("f"), name) == VALUE
    assert os.getxattr(fp.m("f"), name) == VALUE
    assert os.getxattr(fp.b("f"), name + "2") == b""
    assert _names(fp.m("f"), ns) == _names(fp.b("f"), ns) == [name, name + "2"]
    assert sorted(os.listxattr(fp.m("f"))) == sorted(os.listxattr(fp.b("f")))
    os.removexattr(fp.m("f"), name)
    with pytest.raises(OSError) as exc:
        os.getxattr(fp.b("f"), name)
    assert exc.value.errno == errno.ENODATA
    assert _names(fp.b("f"), ns) == [name + "2"]


@pytest.mark.parametrize("ns", NAMESPACES)
def test_xattr_set_on_backing_seen_through_mount(fp, ns):
    os.mkdir(fp.b("d"))
    name = ns + ".from_backing"
    os.setxattr(fp.b("d"), name, b"v1")
    assert os.getxattr(fp.m("d"), name) == b"v1"
    assert name in os.listxattr(fp.m("d"))
    os.setxattr(fp.b("d"), name, b"second value")
    assert os.getxattr(fp.m("d"), name) == b"second value"
    os.removexattr(fp.b("d"), name)
    with pytest.raises(OSError) as exc:
        os.getxattr(fp.m("d"), name)
    assert exc.value.errno == errno.ENODATA
    assert name not in os.listxattr(fp.m("d"))


def test_xattr_create_replace_flags(fp):
    write_file(fp.b("f"))
    os.setxattr(fp.m("f"), "user.a", b"1", os.XATTR_CREATE)
    with pytest.raises(OSError) as exc:
        os.setxattr(fp.m("f"), "user.a", b"2", os.XATTR_CREATE)
    assert exc.value.errno == errno.EEXIST
    with pytest.raises(OSError) as exc:
        os.setxattr(fp.m("f"), "user.b", b"2", os.XATTR_REPLACE)
    assert exc.value.errno == errno.ENODATA
    os.setxattr(fp.m("f"), "user.a", b"3", os.XATTR_REPLACE)
    assert os.getxattr(fp.b("f"), "user.a") == b"3"
    assert "user.b" not in os.listxattr(fp.b("f"))


def test_xattr_through_open_fd(fp):
    write_file(fp.b("f"))
    fd = os.open(fp.m("f"), os.O_RDONLY)
    try:
        os.setxattr(fd, "user.fd", b"by fd")
        assert os.getxattr(fd, "user.fd") == b"by fd"
        assert "user.fd" in os.listxattr(fd)
    finally:
        os.close(fd)
    assert os.getxattr(fp.b("f"), "user.fd") == b"by fd"


def test_xattr_user_on_fifo_refused_like_backing(fp):
    os.mkfifo(fp.b("fifo"))
    errs = []
    for path in (fp.b("fifo"), fp.m("fifo")):
        with pytest.raises(OSError) as exc:
            os.setxattr(path, "user.x", b"1", follow_symlinks=False)
        errs.append(exc.value.errno)
    assert errs[0] == errs[1] == errno.EPERM


# POSIX ACL xattr format (<linux/posix_acl_xattr.h>)
ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_MASK, ACL_OTHER = 1, 2, 4, 0x10, 0x20
ACL_UNDEFINED_ID = 0xffffffff


def _acl_decode(raw):
    version, = struct.unpack_from("<I", raw)
    assert version == 2
    return {struct.unpack_from("<HHI", raw, off)
            for off in range(4, len(raw), 8)}


def _acl_encode(entries):
    return struct.pack("<I", 2) + b"".join(
        struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in sorted(entries))


def _setfacl(spec, path, default=False):
    tool = shutil.which("setfacl")
    if tool:
        args = [tool] + (["-d"] if default else []) + ["-m", spec, path]
        subprocess.run(args, check=True)
        return
    # Without the acl package: write the xattr the tool would write.
    kind, ident, perms = spec.split(":")
    assert kind == "u"
    bits = sum(b for c, b in (("r", 4), ("w", 2), ("x", 1)) if c in perms)
    mode = os.stat(path).st_mode
    entries = {(ACL_USER_OBJ, (mode >> 6) & 7, ACL_UNDEFINED_ID),
               (ACL_USER, bits, int(ident)),
               (ACL_GROUP_OBJ, (mode >> 3) & 7, ACL_UNDEFINED_ID),
               (ACL_MASK, bits | ((mode >> 3) & 7), ACL_UNDEFINED_ID),
               (ACL_OTHER, mode & 7, ACL_UNDEFINED_ID)}
    name = "system.posix_acl_" + ("default" if default else "access")
    os.setxattr(path, name, _acl_encode(entries))


def _getfacl(path):
    tool = shutil.which("getfacl")
    if not tool:
        return None
    out = subprocess.run([tool, "-n", "-p", "--omit-header", path], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    return [l for l in out.splitlines() if l]


@pytest.mark.mount_opts("allow_other")
def test_posix_acl_set_through_mount(fp):
    write_file(fp.b("f"), b"acl-protected", mode=0o600)
    write_file(fp.b("g"), b"no acl", mode=0o600)
    _setfacl("u:1000:rw", fp.m("f"))
    entries = _acl_decode(os.getxattr(fp.b("f"), "system.posix_acl_access"))
    assert (ACL_USER, 6, 1000) in entries
    listing = _getfacl(fp.b("f"))
    if listing is not None:
        assert "user:1000:rw-" in listing
        assert _getfacl(fp.m("f")) == listing
    # The mask shows up as the group bits, on both sides.
    assert os.stat(fp.b("f")).st_mode & 0o070 == 0o060
    assert os.stat(fp.m("f")).st_mode == os.stat(fp.b("f")).st_mode


@pytest.mark.mount_opts("allow_other")
def test_posix_acl_enforced_for_named_user(fp):
    write_file(fp.b("f"), b"acl-protected", mode=0o600)
    write_file(fp.b("g"), b"no acl", mode=0o600)
    _setfacl("u:1000:rw", fp.m("f"))
    res = fplib.run_child(fplib.as_user(1000, 1000), [
        ["stat", [fp.m("f")]],
        ["read", [fp.m("f")]],
        ["write", [fp.m("f"), "written by 1000"]],
        ["read", [fp.m("g")]],
        ["read", [fp.b("g")]],
    ])
    assert res[0] == (0, None)
    assert res[1] == (0, "acl-protected")
    assert res[2] == (0, None)
    assert res[3][0] == res[4][0] == errno.EACCES
    assert read_file(fp.b("f")).startswith(b"written by 1000")
    # uid 1001 has no entry: refused.
    res = fplib.run_child(fplib.as_user(1001, 1001), [["read", [fp.m("f")]]])
    assert res[0][0] == errno.EACCES


@pytest.mark.mount_opts("allow_other")
def test_posix_acl_set_on_backing_enforced_through_mount(fp):
    write_file(fp.b("f"), b"from backing acl", mode=0o600)
    _setfacl("u:1000:r", fp.b("f"))
    entries = _acl_decode(os.getxattr(fp.m("f"), "system.posix_acl_access"))
    assert (ACL_USER, 4, 1000) in entries
    res = fplib.run_child(fplib.as_user(1000, 1000), [
        ["read", [fp.m("f")]],
        ["write", [fp.m("f"), "x"]],
    ])
    assert res[0] == (0, "from backing acl")
    assert res[1][0] == errno.EACCES


def test_posix_acl_default_inherited_on_create(fp):
    os.mkdir(fp.b("d"))
    _setfacl("u:1000:rwx", fp.b("d"), default=True)
    write_file(fp.m("d", "f"), mode=0o640)
    os.mkdir(fp.m("d", "sub"))
    entries = _acl_decode(os.getxattr(fp.b("d", "f"), "system.posix_acl_access"))
    assert (ACL_USER, 7, 1000) in entries
    # The group bits of the create mode (0640) cap the mask at r--.
    assert (ACL_MASK, 4, ACL_UNDEFINED_ID) in entries
    sub = _acl_decode(os.getxattr(fp.b("d", "sub"), "system.posix_acl_default"))
    assert (ACL_USER, 7, 1000) in sub
