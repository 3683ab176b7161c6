# SPDX-License-Identifier: GPL-2.0
"""fusepass-run and libfusepass-preload.so.

The rewriting: exactly "/dev/fuse" in the open family, exactly the types
fuse, fuse.SUB, fuseblk, fuseblk.SUB in mount(2); each rewrite logged to
$FUSEPASS_RUN_LOG and nothing printed. Then libfuse's own programs (a
daemon, clone_fd, mount.fuse3 with drop_privileges, fusermount3 through
auto_unmount) mounting through it.
"""

import os
import re
import shutil
import signal
import stat
import subprocess

import pytest

from conftest import (FUSEPASS_RUN, env_with, libfuse, proc_status, prog,
                      read_log, run, unmount, wait_mounted, daemon_pids)

LINE = re.compile(r'^fusepass-run: pid=(\d+) (\w+)\((.*)\) = (-?\d+)(?: (\w+))?$')
WRAPPERS = {"open", "open64", "openat", "openat64", "__open_2", "__open64_2",
            "__openat_2", "__openat64_2", "mount"}


def parse(lines):
    out = []
    for line in lines:
        m = LINE.match(line)
        assert m, "malformed log line: %r" % line
        out.append({"pid": int(m.group(1)), "fn": m.group(2),
                    "args": m.group(3), "ret": int(m.group(4)),
                    "err": m.group(5)})
    return out


def preload_library():
    """Where fusepass-run finds its library: next to itself (the build
    tree), else in the installed location."""
    here = os.path.join(os.path.dirname(os.path.realpath(FUSEPASS_RUN)),
                        "libfusepass-preload.so")
    if os.path.exists(here):
        return here
    return "/usr/lib/fusepass/libfusepass-preload.so"


def preloaded(tmp, *cmd, runner=FUSEPASS_RUN, extra_env=None):
    """Run @cmd under fusepass-run with a log; (proc, log entries)."""
    log = os.path.join(tmp, "preload.log")
    if os.path.exists(log):
        os.unlink(log)
    env = env_with(**(extra_env or {}))
    p = run([runner, "--log", log] + list(cmd), env=env)
    return p, parse(read_log(log))


def results(proc):
    """NAME -> (ret, errno name) from the openers program's output."""
    out = {}
    for line in proc.stdout.decode().splitlines():
        name, _, rest = line.partition(" = ")
        out[name] = rest
    return out


# ---- the library itself ----

def _symbols(kind):
    lib = preload_library()
    p = run(["nm", "-D", kind, lib])
    assert p.returncode == 0, p.stderr
    return {line.split()[-1].split("@")[0] for line in p.stdout.decode().splitlines()
            if line.split()}


def test_library_exports_exactly_the_wrappers():
    assert _symbols("--defined-only") == WRAPPERS


def test_library_uses_no_allocator_stdio_or_locks():
    # The wrappers run where open(2) may: after fork, in signal handlers.
    used = _symbols("--undefined-only")
    banned = {"malloc", "calloc", "realloc", "free", "printf", "fprintf",
              "snprintf", "fopen", "fwrite", "fputs", "syslog",
              "pthread_mutex_lock", "strerror"}
    assert not used & banned, sorted(used & banned)


# ---- what is rewritten ----

def test_every_open_variant_is_rewritten(tmp):
    p, log = preloaded(tmp, prog("openers"), "variants", "/dev/fuse")
    assert p.returncode == 0 and not p.stderr, p.stderr
    fns = [e["fn"] for e in log]
    assert sorted(fns) == sorted(WRAPPERS - {"mount"}), fns
    for e in log:
        assert e["args"] == '"/dev/fuse" -> "/dev/fusepass"', e
    res = results(p)
    for e in log:
        if os.path.exists("/dev/fusepass"):
            assert e["ret"] >= 0, e
        else:
            assert (e["ret"], e["err"]) == (-1, "ENOENT"), e
        # the caller gets what the log says, errno included
        assert res[e["fn"]] == "%d %s" % (e["ret"], e["err"] or "0")


def test_dlsym_resolved_functions_are_rewritten(tmp):
    p, log = preloaded(tmp, prog("openers"), "dlsym", "/dev/fuse")
    assert p.returncode == 0, p.stderr
    assert [e["fn"] for e in log] == ["open", "open64", "openat"], log
    assert all(e["args"].endswith('-> "/dev/fusepass"') for e in log)


@pytest.mark.parametrize("path", ["/dev/null", "/dev/fuse2", "/dev//fuse",
                                  "/dev/fuse/", "dev/fuse", "/dev/fusepass",
                                  "/DEV/FUSE"])
def test_other_paths_are_untouched(tmp, path):
    p, log = preloaded(tmp, prog("openers"), "variants", path)
    assert log == []
    plain = run([prog("openers"), "variants", path], env=env_with())
    assert p.stdout == plain.stdout


def test_relative_open_from_dev_is_untouched(tmp):
    p, log = preloaded(tmp, prog("openers"), "chdir-open", "/dev", "fuse")
    assert log == []


TYPES = [("fuse", "fusepass"), ("fuse.sshfs", "fusepass.sshfs"),
         ("fuseblk", "fusepass"), ("fuseblk.ntfs-3g", "fusepass.ntfs-3g"),
         ("fuse.", "fusepass."), ("fuse.a.b", "fusepass.a.b")]


@pytest.mark.parametrize("old,new", TYPES)
def test_fuse_types_are_rewritten(tmp, old, new):
    target = os.path.join(tmp, "no-such-dir")
    p, log = preloaded(tmp, prog("openers"), "mount", old, target)
    assert len(log) == 1, log
    e = log[0]
    assert e["fn"] == "mount"
    assert e["args"] == '"openers", "%s", "%s" -> "%s"' % (target, old, new)
    assert (e["ret"], e["err"]) == (-1, "ENOENT")  # no such mountpoint
    assert p.stdout.decode().strip() == "mount = -1 ENOENT"


@pytest.mark.parametrize("fstype", ["fusectl", "fuseblkx", "fusex", "fuse2",
                                    "tmpfs", "fusepass", "fusepass.x", "",
                                    "NULL", "FUSE"])
def test_other_types_are_untouched(tmp, fstype):
    p, log = preloaded(tmp, prog("openers"), "mount", fstype,
                       os.path.join(tmp, "no-such-dir"))
    assert log == []


def test_create_mode_reaches_the_kernel(tmp):
    # O_CREAT's variadic mode must travel through the wrappers.
    dev = os.path.join(tmp, "created")
    p, log = preloaded(tmp, prog("openers"), "creat", "/dev/fuse", "0640", dev,
                       runner=prog("hooks/fusepass-run"),
                       extra_env={"FUSEPASS_RUN_TARGET_DEV": dev})
    assert results(p) == {"open": "mode 640", "open64": "mode 640",
                          "openat": "mode 640", "openat64": "mode 640"}, p.stdout
    assert len(log) == 4


def test_tmpfile_mode_reaches_the_kernel(tmp):
    p, log = preloaded(tmp, prog("openers"), "tmpfile", "/dev/fuse", "0604",
                       runner=prog("hooks/fusepass-run"),
                       extra_env={"FUSEPASS_RUN_TARGET_DEV": tmp})
    assert results(p) == {"open": "mode 604"}, p.stdout
    assert len(log) == 1


def test_log_lines_stay_whole_under_threads(tmp):
    p, log = preloaded(tmp, prog("openers"), "threads", "8", "200", "/dev/fuse")
    assert p.returncode == 0
    assert len(log) == 8 * 200      # parse() checked every line


def test_relative_log_path_survives_chdir(tmp):
    env = env_with()
    p = run([FUSEPASS_RUN, "--log", "rel.log", prog("openers"), "chdir-open",
             "/", "/dev/fuse"], env=env, cwd=tmp)
    assert p.returncode == 0
    assert len(parse(read_log(os.path.join(tmp, "rel.log")))) == 1


def test_log_from_environment(tmp):
    log = os.path.join(tmp, "env.log")
    p = run([FUSEPASS_RUN, prog("openers"), "variants", "/dev/fuse"],
            env=env_with(FUSEPASS_RUN_LOG=log))
    assert p.returncode == 0
    assert len(parse(read_log(log))) == 8


def test_nothing_is_printed_and_no_log_without_one(tmp):
    p = run([FUSEPASS_RUN, prog("openers"), "variants", "/dev/fuse"],
            env=env_with(), cwd=tmp)
    assert p.returncode == 0
    assert p.stderr == b""
    assert os.listdir(tmp) == []


# ---- fusepass-run itself ----

def test_help():
    p = run([FUSEPASS_RUN, "--help"])
    assert p.returncode == 0
    assert b"/dev/fusepass" in p.stdout and b"fusepass.SUB" in p.stdout


def test_exit_status_and_arguments_pass_through(tmp):
    p = run([FUSEPASS_RUN, "sh", "-c", 'printf "%s|" "$@"; exit 7', "sh",
             "a b", "--log", "-x"], env=env_with())
    assert p.returncode == 7
    assert p.stdout == b"a b|--log|-x|"


def test_ld_preload_is_prepended_once():
    env = env_with(LD_PRELOAD="/lib/x86_64-linux-gnu/libc.so.6")
    inner = [FUSEPASS_RUN, "sh", "-c", 'echo "$LD_PRELOAD"']
    p = run([FUSEPASS_RUN] + inner, env=env)
    lib = preload_library()
    assert p.stdout.decode().strip() == \
        lib + ":/lib/x86_64-linux-gnu/libc.so.6"


def test_missing_command_exits_127():
    p = run([FUSEPASS_RUN, "no-such-command-anywhere"], env=env_with())
    assert p.returncode == 127 and b"not found" in p.stderr


def test_unexecutable_command_exits_126(tmp):
    path = os.path.join(tmp, "not-executable")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n")
    p = run([FUSEPASS_RUN, path], env=env_with())
    assert p.returncode == 126


def test_static_command_is_refused():
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        pytest.skip("no busybox to stand for a static program")
    p = run([FUSEPASS_RUN, busybox, "true"], env=env_with())
    assert p.returncode == 126 and b"statically linked" in p.stderr


def test_setuid_command_of_another_user_is_refused(tmp):
    path = os.path.join(tmp, "suid-true")
    shutil.copy("/bin/true", path)
    os.chown(path, 65534, 65534)
    os.chmod(path, 0o4755)
    p = run([FUSEPASS_RUN, path], env=env_with())
    assert p.returncode == 126 and b"set-user-ID" in p.stderr


def test_library_is_looked_for_next_to_the_program(tmp):
    # The test build looks in /nonexistent after its own directory.
    lone = os.path.join(tmp, "fusepass-run")
    shutil.copy(prog("hooks/fusepass-run"), lone)
    p = run([lone, "true"], env=env_with())
    assert p.returncode == 125
    assert b"libfusepass-preload.so not found" in p.stderr
    assert b"/nonexistent" in p.stderr
    shutil.copy(prog("hooks/libfusepass-preload.so"), tmp)
    assert run([lone, "true"], env=env_with()).returncode == 0


def test_installed_library_directory_is_compiled_in():
    with open(FUSEPASS_RUN, "rb") as f:
        assert b"/usr/lib/fusepass" in f.read()


# ---- libfuse's programs through it ----

def _run_daemon(redirect, tmp, argv, log):
    env = env_with(**redirect.env)
    return subprocess.Popen([redirect.run, "--log", log] + argv, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _mount_lines(entries, fstype, mnt):
    return [e for e in entries if e["fn"] == "mount" and e["ret"] == 0 and
            '"%s"' % mnt in e["args"] and
            re.search(r'-> "%s(\.[^"]*)?"$' % re.escape(fstype), e["args"])]


def test_libfuse_daemon_mounts_through_the_rewrites(redirect, tmp):
    mnt, log = os.path.join(tmp, "mnt"), os.path.join(tmp, "log")
    os.mkdir(mnt)
    d = _run_daemon(redirect, tmp, [libfuse("example", "hello"), "-f", mnt], log)
    try:
        assert wait_mounted(mnt, d) == redirect.fstype + ".hello"
        with open(os.path.join(mnt, "hello")) as f:
            assert f.read() == "Hello World!\n"
        entries = parse(read_log(log))
        assert [e["fn"] for e in entries if e["fn"] != "mount"] == ["open64"]
        assert len(_mount_lines(entries, redirect.fstype, mnt)) == 1
    finally:
        unmount(mnt)
        d.wait(timeout=30)
    assert d.returncode == 0, d.stdout.read()


def test_clone_fd_opens_are_rewritten_too(redirect, tmp):
    mnt, log = os.path.join(tmp, "mnt"), os.path.join(tmp, "log")
    os.mkdir(mnt)
    d = _run_daemon(redirect, tmp, [libfuse("example", "hello"), "-f", "-o",
                                    "clone_fd", mnt], log)
    try:
        wait_mounted(mnt, d)
        # several requests at once, so that worker threads clone the fd
        procs = [subprocess.Popen(["cat", os.path.join(mnt, "hello")],
                                  stdout=subprocess.DEVNULL) for _ in range(8)]
        for p in procs:
            p.wait(timeout=30)
        opens = [e for e in parse(read_log(log)) if e["fn"] == "open64"]
        assert len(opens) >= 2, "no cloned /dev/fuse open was seen: %s" % opens
        assert all(e["ret"] >= 0 for e in opens)
    finally:
        unmount(mnt)
        d.wait(timeout=30)


def test_mount_fuse3_with_drop_privileges(redirect, tmp):
    mnt, log = os.path.join(tmp, "mnt"), os.path.join(tmp, "log")
    os.mkdir(mnt)
    p = run([redirect.run, "--log", log, libfuse("util", "mount.fuse3"),
             "hello", mnt, "-o", "drop_privileges"], env=env_with(**redirect.env))
    assert p.returncode == 0, p.stderr
    try:
        assert wait_mounted(mnt) == redirect.fstype + ".hello"
        with open(os.path.join(mnt, "hello")) as f:
            assert f.read() == "Hello World!\n"
        entries = parse(read_log(log))
        assert len(_mount_lines(entries, redirect.fstype, mnt)) == 1, entries
        # the daemon got the mount as /dev/fd/N and no privilege at all
        pids = [pid for pid in daemon_pids("hello")
                if any(a.startswith(b"/dev/fd/") for a in
                       open("/proc/%d/cmdline" % pid, "rb").read().split(b"\0"))]
        assert pids, "no hello daemon with a /dev/fd/N mountpoint"
        st = proc_status(pids[-1])
        assert st["CapEff"] == "0000000000000000" and st["NoNewPrivs"] == "1"
    finally:
        unmount(mnt)


def test_fusermount3_path_is_rewritten(redirect, tmp):
    # auto_unmount makes libfuse mount through fusermount3, a child.
    mnt, log = os.path.join(tmp, "mnt"), os.path.join(tmp, "log")
    os.mkdir(mnt)
    d = _run_daemon(redirect, tmp, [libfuse("example", "hello"), "-f", "-o",
                                    "auto_unmount", mnt], log)
    try:
        assert wait_mounted(mnt, d).startswith(redirect.fstype)
        entries = parse(read_log(log))
        mounts = _mount_lines(entries, redirect.fstype, mnt)
        assert mounts and mounts[0]["pid"] != d.pid, \
            "the mount was not made by a fusermount3 child: %s" % entries
    finally:
        d.send_signal(signal.SIGTERM)
        d.wait(timeout=30)
        if os.path.exists(mnt):
            from conftest import is_mounted
            if is_mounted(mnt):
                unmount(mnt)
