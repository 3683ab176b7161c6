# SPDX-License-Identifier: GPL-2.0
"""mount -t fusepass loads the module (alias fs-fusepass), and the module
loaded is the one DKMS installed."""

import os
import platform

import pytest

from conftest import fplib, fstype, run

KVER = platform.release()


@pytest.fixture
def loaded_again():
    """Whatever happens, leave the module loaded for the tests after us."""
    yield
    if not fplib.fusepass_registered():
        run(["modprobe", "fusepass"])
    assert fplib.fusepass_registered()


def test_depmod_knows_the_fs_alias():
    r = run(["modprobe", "-R", "fs-fusepass"])
    assert (r.returncode, r.stdout) == (0, "fusepass\n")
    with open("/lib/modules/%s/modules.alias" % KVER) as f:
        assert "alias fs-fusepass fusepass\n" in f.read()


def test_modprobe_loads_dkms_module():
    path = run(["modinfo", "-n", "fusepass"]).stdout.strip()
    assert path.startswith("/lib/modules/%s/updates/dkms/fusepass.ko" % KVER)
    r = run(["modprobe", "--show-depends", "fusepass"])
    assert (r.returncode, r.stdout.split()) == (0, ["insmod", path])
    # DKMS signs what it builds: with Secure Boot, its key is what to enroll.
    assert run(["modinfo", "-F", "signer", path]).stdout.strip()


def test_mount_autoloads_after_rmmod(dirs, loaded_again):
    left = fplib.mounts_of_type("fusepass")
    assert not left, "fusepass mounts left by earlier tests: %r" % left
    r = run(["rmmod", "fusepass"])
    assert (r.returncode, r.stderr) == (0, "")
    assert not fplib.fusepass_registered()

    r = run(["mount", "-t", "fusepass", "-o",
             "root_dir=%s,no_daemon" % dirs.backing, "none", dirs.mnt])
    assert (r.returncode, r.stderr) == (0, "")
    assert fplib.fusepass_registered()
    assert os.path.isdir("/sys/module/fusepass")
    assert fstype(dirs.mnt) == "fusepass"
    assert run(["umount", dirs.mnt]).returncode == 0
