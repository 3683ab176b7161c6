# SPDX-License-Identifier: GPL-2.0
"""Which kernel filesystem the daemon tests run against.

By default fusepass (/dev/fusepass, type "fusepass", its control directory
/sys/fs/fusepass/connections). With FUSEPASS_REFERENCE=1 the same tests run
against the kernel's own FUSE (/dev/fuse, "fuse", fusectl's
/sys/fs/fuse/connections) as the reference: that is how the guest records
what FUSE does, and how the tests themselves are checked on a machine
without fusepass. Module unload checks apply to fusepass only.
"""

import os
import subprocess
import time

import pytest

REFERENCE = os.environ.get("FUSEPASS_REFERENCE") == "1"


class Target:
    def __init__(self, reference):
        self.reference = reference
        if reference:
            self.name, self.dev, self.fstype = "fuse", "/dev/fuse", "fuse"
            self.ctl_root = "/sys/fs/fuse/connections"
            self.ctl_fstypes = ("fusectl",)
            self.module = None
        else:
            self.name, self.dev, self.fstype = \
                "fusepass", "/dev/fusepass", "fusepass"
            self.ctl_root = "/sys/fs/fusepass/connections"
            # If the control files live in a filesystem of their own, as
            # fusectl's do, it is mounted on demand.
            self.ctl_fstypes = ("fusepassctl", "fusepass_ctl")
            self.module = "fusepass"

    def registered(self):
        with open("/proc/filesystems") as f:
            return any(line.split()[-1] == self.fstype for line in f)

    def check_available(self):
        if not os.path.exists(self.dev):
            pytest.fail("%s does not exist (%s not loaded?)"
                        % (self.dev, self.name))
        if not self.registered():
            pytest.fail("filesystem type %s is not registered" % self.fstype)

    def mount_data(self, fd, extra=""):
        data = "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd
        return data + ("," + extra if extra else "")

    def _mount_ctl(self):
        with open("/proc/filesystems") as f:
            types = {line.split()[-1] for line in f}
        for t in self.ctl_fstypes:
            if t in types:
                subprocess.run(["mount", "-t", t, "none", self.ctl_root],
                               stderr=subprocess.DEVNULL)
                return

    def ctl_dir(self, mnt, timeout=5.0):
        """The control directory of the connection mounted on @mnt.

        Named after the superblock's device number as the kernel formats
        it, MAJOR << 20 | MINOR, which is st_dev for the small minors of
        anonymous devices."""
        return self.ctl_dir_of(dev_of(mnt), timeout)

    def ctl_dir_of(self, dev, timeout=5.0):
        names = [str(os.major(dev) << 20 | os.minor(dev)), str(dev)]
        deadline = time.monotonic() + timeout
        mounted = False
        while True:
            for n in names:
                d = os.path.join(self.ctl_root, n)
                if os.path.isdir(d):
                    return d
            if not mounted and os.path.isdir(self.ctl_root):
                self._mount_ctl()
                mounted = True
                continue
            if time.monotonic() > deadline:
                listing = (os.listdir(self.ctl_root)
                           if os.path.isdir(self.ctl_root) else "missing")
                pytest.fail("no control directory %s/{%s} (have: %s)"
                            % (self.ctl_root, ",".join(names), listing))
            time.sleep(0.05)

    def connections(self):
        """Names in the control directory (empty if it does not exist)."""
        try:
            return sorted(os.listdir(self.ctl_root))
        except OSError:
            return []


TARGET = Target(REFERENCE)


def is_mounted(mnt):
    """Whether something is mounted on @mnt (os.path.ismount() cannot
    tell on a dead FUSE mount: its stat fails)."""
    return fstype_of(mnt) is not None


def dev_of(mnt):
    """st_dev of the topmost mount on @mnt, from /proc/self/mountinfo
    (stat(2) would ask the daemon, which may be dead or hostile)."""
    dev = None
    mnt = os.path.abspath(mnt)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == mnt:
                major, minor = fields[2].split(":")
                dev = os.makedev(int(major), int(minor))
    return dev


def fstype_of(mnt):
    """Type of the topmost mount on @mnt, from /proc/self/mountinfo."""
    fstype = None
    mnt = os.path.abspath(mnt)     # realpath() would stat: it may block
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == mnt:
                fstype = fields[fields.index("-") + 1]
    return fstype


def rmmod_insmod(between=None):
    """Unload fusepass, call @between() if given, and load fusepass again
    from $FUSEPASS_KO (also when rmmod or @between failed)."""
    ko = os.environ.get("FUSEPASS_KO")
    assert ko and os.path.isfile(ko), "FUSEPASS_KO must name fusepass.ko"
    proc = subprocess.run(["rmmod", "fusepass"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    out = proc.stdout.decode(errors="replace")
    try:
        if between is not None and proc.returncode == 0:
            between()
    finally:
        loaded_again = subprocess.run(["insmod", ko], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT)
    assert proc.returncode == 0, "rmmod fusepass failed: %s" % out
    assert loaded_again.returncode == 0, \
        "insmod %s failed: %s" % (ko, loaded_again.stdout.decode())
    assert TARGET.registered()
