# SPDX-License-Identifier: GPL-2.0
"""What the packages bring beside the module: their autopkgtest, the kernel
range DKMS accepts, the Secure Boot advice of `make install`, the manual
pages."""

import glob
import os
import platform
import re
import stat

import pytest

from conftest import REPO, run


def test_autopkgtest_module_mount():
    r = run([os.path.join(REPO, "debian", "tests", "module-mount")])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS:" in r.stdout


def dkms_conf():
    confs = glob.glob("/usr/src/fusepass-*/dkms.conf")
    assert len(confs) == 1, confs
    with open(confs[0]) as f:
        return f.read()


@pytest.mark.parametrize("kver,supported", [
    ("6.1.0-56-amd64", True),
    ("6.12.117+deb12-amd64", True),
    ("7.3.4+deb13-amd64", True),
    ("7.10.1-1-amd64", True),
    ("5.10.0-30-amd64", False),
    ("6.0.0-1-amd64", False),
    ("8.0.0-1-amd64", False),
])
def test_dkms_kernel_range(kver, supported):
    regex = re.search(r'^BUILD_EXCLUSIVE_KERNEL="(.*)"$', dkms_conf(), re.M)
    assert regex, "dkms.conf has no BUILD_EXCLUSIVE_KERNEL"
    # DKMS matches it with bash's =~ (POSIX extended), as re does here.
    assert bool(re.search(regex.group(1), kver)) == supported


def test_dkms_kernel_range_has_running_kernel():
    regex = re.search(r'^BUILD_EXCLUSIVE_KERNEL="(.*)"$', dkms_conf(), re.M)
    assert re.search(regex.group(1), platform.release())


def fake_modprobe(tmp_path, message, status):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    stub = bindir / "modprobe"
    stub.write_text("#!/bin/sh\necho \"%s\" >&2\nexit %d\n" % (message, status))
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, PATH="%s:%s" % (bindir, os.environ["PATH"]))
    return run([os.path.join(REPO, "scripts", "load-module")], env=env)


def test_load_module_explains_secure_boot(tmp_path):
    r = fake_modprobe(tmp_path, "modprobe: ERROR: could not insert 'fusepass':"
                      " Key was rejected by service", 1)
    assert r.returncode == 1
    assert "Key was rejected by service" in r.stderr
    assert "Secure Boot" in r.stderr
    assert "mokutil --import /var/lib/dkms/mok.pub" in r.stderr


def test_load_module_other_errors_as_they_are(tmp_path):
    msg = "modprobe: FATAL: Module fusepass not found in directory /lib/modules/x"
    r = fake_modprobe(tmp_path, msg, 1)
    assert (r.returncode, r.stderr) == (1, msg + "\n")


def test_load_module_quiet_on_success(tmp_path):
    r = fake_modprobe(tmp_path, "", 0)
    assert (r.returncode, r.stdout) == (0, "")


@pytest.mark.parametrize("page", ["man8/mount.fusepass.8", "man1/fusepass-run.1",
                                  "man8/fusepassctl.8", "man5/fusepass.5"])
def test_manual_page_installed(page):
    assert os.path.isfile("/usr/share/man/%s.gz" % page)
