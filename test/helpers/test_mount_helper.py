# SPDX-License-Identifier: GPL-2.0
"""mount.fusepass in daemon mode: the mount.fuse3 convention.

"PROG#ARG", -t TYPE.PROG or a helper named mount.TYPE.PROG name the
daemon; the helper opens the device, mounts with fd=N,rootmode=,user_id=,
group_id= and executes PROG [ARG] /dev/fd/N -o DAEMON_OPTIONS. The daemon
here is libfuse 3.14's "hello" example.
"""

import os
import re
import subprocess

import pytest

from conftest import (daemon_pids, env_with, is_mounted, libfuse,
                      proc_status, run, unmount, wait_mounted)
from fptarget import TARGET, fstype_of

MOUNT_LINE = re.compile(r'mount\("([^"]*)", "([^"]*)", "([^"]*)", (\S+), "([^"]*)"\)')
EXEC_LINE = re.compile(r"exec (.*)$", re.M)


def helper(redirect, *args, name=None):
    cmd = [name or redirect.mount_helper] + list(args) + ["-v"]
    return run(cmd, env=env_with())


def parsed(p):
    err = p.stderr.decode()
    m = MOUNT_LINE.search(err)
    e = EXEC_LINE.search(err)
    assert m and e, "no -v output: %r" % err
    argv = re.findall(r"'([^']*)'", e.group(1))
    return m.groups(), argv


def hello_works(mnt):
    with open(os.path.join(mnt, "hello")) as f:
        assert f.read() == "Hello World!\n"


def the_daemon(fd_path):
    """pid of the hello daemon serving /dev/fd/N."""
    for pid in daemon_pids("hello"):
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if fd_path.encode() in f.read().split(b"\0"):
                return pid
    pytest.fail("no hello daemon running with %s" % fd_path)


@pytest.fixture
def mnt(tmp):
    m = os.path.join(tmp, "mnt")
    os.mkdir(m)
    yield m
    if is_mounted(m):
        unmount(m)


def test_prog_hash_source_mounts_and_executes_the_daemon(redirect, mnt):
    p = helper(redirect, "hello#", mnt)
    assert p.returncode == 0, p.stderr
    assert wait_mounted(mnt) == redirect.fstype + ".hello"
    hello_works(mnt)
    (source, target, fstype, flags, data), argv = parsed(p)
    assert (source, target, fstype) == ("hello", mnt, redirect.fstype + ".hello")
    fd = re.search(r"(?:^|,)fd=(\d+)", data).group(1)
    assert argv == ["hello", "/dev/fd/" + fd]
    for opt in ("rootmode=40000", "user_id=0", "group_id=0"):
        assert opt in data.split(","), data


def test_type_option_names_the_daemon(redirect, mnt):
    p = helper(redirect, "none", mnt, "-t", redirect.fstype + ".hello")
    assert p.returncode == 0, p.stderr
    assert wait_mounted(mnt) == redirect.fstype + ".hello"
    hello_works(mnt)
    assert parsed(p)[1][0] == "hello"   # "none" is no argument


def test_helper_named_after_the_daemon(redirect, tmp, mnt):
    link = os.path.join(tmp, "mount.%s.hello" % redirect.fstype)
    os.symlink(redirect.mount_helper, link)
    p = helper(redirect, "", mnt, name=link)
    assert p.returncode == 0, p.stderr
    assert wait_mounted(mnt) == redirect.fstype + ".hello"
    hello_works(mnt)


def test_argument_after_the_hash_goes_to_the_daemon(redirect, mnt):
    # hello takes no source: it refuses the extra argument, but only after
    # it was passed as PROG ARG /dev/fd/N.
    p = helper(redirect, "hello#extra-arg", mnt)
    (source, _, _, _, _), argv = parsed(p)
    assert source == "extra-arg"
    assert argv[:2] == ["hello", "extra-arg"] and argv[2].startswith("/dev/fd/")


def test_options_are_split_between_kernel_and_daemon(redirect, mnt):
    p = helper(redirect, "hello#", mnt, "-o",
               "ro,allow_other,default_permissions,clone_fd,noauto,"
               "x-systemd.automount,fsname=greeting")
    assert p.returncode == 0, p.stderr
    wait_mounted(mnt)
    hello_works(mnt)
    (source, _, _, flags, data), argv = parsed(p)
    kernel = data.split(",")
    assert "allow_other" in kernel and "default_permissions" in kernel
    assert not {"clone_fd", "noauto", "ro", "fsname=greeting"} & set(kernel)
    assert int(flags, 16) & 1, "ro is not MS_RDONLY"
    assert source == "greeting"
    assert argv[-2] == "-o"
    daemon = argv[-1].split(",")
    assert {"ro", "allow_other", "default_permissions", "clone_fd",
            "fsname=greeting"} <= set(daemon)
    assert not {"noauto", "x-systemd.automount"} & set(daemon)
    assert not any(o.startswith(("fd=", "rootmode=", "user_id=", "group_id="))
                   for o in daemon)
    line = [l for l in open("/proc/self/mountinfo") if l.split()[4] == mnt][-1]
    assert "ro" in line.split()[5].split(","), line


def test_given_connection_options_are_kept(redirect, mnt):
    p = helper(redirect, "hello#", mnt, "-o", "rootmode=40000,user_id=0,"
               "group_id=0")
    assert p.returncode == 0, p.stderr
    wait_mounted(mnt)
    data = parsed(p)[0][4].split(",")
    for key in ("rootmode=", "user_id=", "group_id="):
        assert len([o for o in data if o.startswith(key)]) == 1, data


def test_drop_privileges_leaves_the_daemon_no_capability(redirect, mnt):
    p = helper(redirect, "hello#", mnt, "-o", "drop_privileges")
    assert p.returncode == 0, p.stderr
    wait_mounted(mnt)
    hello_works(mnt)
    (_, _, _, _, data), argv = parsed(p)
    assert "drop_privileges" not in argv[-1]
    st = proc_status(the_daemon(argv[1]))
    assert st["CapEff"] == st["CapPrm"] == st["CapBnd"] == "0000000000000000"
    assert st["NoNewPrivs"] == "1"


def test_setuid_runs_the_daemon_as_that_user(redirect, mnt):
    p = helper(redirect, "hello#", mnt, "-o", "setuid=nobody,allow_other")
    assert p.returncode == 0, p.stderr
    wait_mounted(mnt)
    hello_works(mnt)
    argv = parsed(p)[1]
    assert not any("setuid" in a for a in argv)
    uids = proc_status(the_daemon(argv[1]))["Uid"].split()
    assert set(uids) == {"65534"}, uids


def test_unknown_daemon_fails_before_mounting(redirect, mnt):
    p = helper(redirect, "no-such-daemon-anywhere#", mnt)
    assert p.returncode == 32
    assert b"not found" in p.stderr
    assert not is_mounted(mnt)


def test_no_daemon_named_is_an_error(redirect, mnt):
    p = helper(redirect, "none", mnt)
    assert p.returncode == 32
    assert b"no daemon given" in p.stderr
    assert not is_mounted(mnt)


def test_fd_option_only_mounts(redirect, mnt):
    fd = os.open(redirect.dev, os.O_RDWR)
    try:
        p = subprocess.run(
            [redirect.mount_helper, "none", mnt, "-o",
             "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd],
            env=env_with(), pass_fds=(fd,), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=60)
        assert p.returncode == 0, p.stderr
        assert fstype_of(mnt) == redirect.fstype
    finally:
        os.close(fd)        # the connection ends: the mount is dead
    unmount(mnt)


@pytest.mark.skipif(TARGET.reference, reason="no_daemon is fusepass's own")
def test_no_daemon_mode_is_unchanged(redirect, tmp, mnt):
    backing = os.path.join(tmp, "backing")
    os.mkdir(backing)
    with open(os.path.join(backing, "f"), "w") as f:
        f.write("backing")
    p = run([redirect.mount_helper, "none", mnt, "-o",
             "root_dir=%s,no_daemon" % backing], env=env_with())
    assert p.returncode == 0, p.stderr
    assert fstype_of(mnt) == "fusepass"
    with open(os.path.join(mnt, "f")) as f:
        assert f.read() == "backing"


def test_help_documents_daemon_mode(redirect):
    p = run([redirect.mount_helper, "--help"])
    assert p.returncode == 0
    for s in (b"PROG#ARG", b"/dev/fd/N", b"drop_privileges", b"setuid=USER",
              b"no_daemon"):
        assert s in p.stdout, s
