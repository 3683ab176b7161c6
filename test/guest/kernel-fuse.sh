# SPDX-License-Identifier: GPL-2.0
# kernel_fuse_on, kernel_fuse_off: the kernel's own FUSE usable in the
# guest, and not again (sourced by test/guest/setup.sh, and by a suite that
# compares with it in the fusepass run: test/suites/bench-smoke).
#
# On: FUSE loaded if modular (6.1; the command line's modprobe.blacklist
# keeps it from loading on demand only), its device node (devtmpfs makes it
# when the module loads; 6.12 needs it made) and fusectl. Off: all undone.
KFUSE_LOADED=""
kernel_fuse_on() {
	if ! grep -qw fuse /proc/filesystems; then
		modprobe fuse && KFUSE_LOADED=1
	fi
	[[ -c /dev/fuse ]] || mknod -m 0666 /dev/fuse c 10 229
	[[ -c /dev/fuse ]] && mount -t fusectl none /sys/fs/fuse/connections
}

kernel_fuse_off() {
	umount /sys/fs/fuse/connections
	rm -f /dev/fuse
	[[ -z $KFUSE_LOADED ]] || rmmod fuse
	KFUSE_LOADED=""
}
