# SPDX-License-Identifier: GPL-2.0
# The guest's system, shared by test/guest/run (the suites) and
# test/guest/bench (the benchmarks); sourced by them as PID 1 after
# test/guest/init's switch_root into the host's / (read-only 9p).
#
# guest_setup: minimal system, results share, the frozen module tree, this
# run's fusepass-utils, scratch ext4 on /tmp, no /dev/fuse.
# guest_load_fusepass: modprobe fusepass as a user would; insmod.{log,rc}.
# kernel_fuse_on, kernel_fuse_off: the kernel's FUSE usable, and not again.
# guest_finish: dmesg, the done marker, power off.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
export REPO=$fusepass_repo LABEL=$fusepass_label KVER=$fusepass_kver
export RESULTS=/run/results TMPDIR=/tmp HOME=/root
# What the packages installed on the host (this run's fusepass-utils are
# bound over them below), and libfuse and the test programs as the host
# built them. FUSEPASS_KO is set once the module is loaded.
export FUSEPASS_MOUNT=/sbin/mount.fusepass
export LIBFUSE_314=$REPO/.build/libfuse-3.14/src/build
export LIBFUSE_317=$REPO/.build/libfuse-3.17/src/build
export FUSEPASS_RUN=/usr/bin/fusepass-run
export FUSEPASS_TEST_PROGS=$REPO/.build/test-progs
# /lib/modules/KVER as the host froze it once DKMS had installed fusepass
# (test/lib/dkms.sh): another run reinstalling cannot change it under us,
# and for a kernel not installed on the host it exists nowhere else.
MODTREE=$REPO/.build/$KVER/modroot/lib/modules/$KVER
export PYTHONDONTWRITEBYTECODE=1 # the root is read-only

say() { echo "fusepass-guest: [$(cut -d" " -f1 /proc/uptime)s] $*" >/dev/console; }

guest_setup() {
	# If anything dies from here on, still power off (PID 1 must not
	# exit); without the done marker the host sees a failed run.
	trap 'say "run aborted"; busybox poweroff -f' EXIT

	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmp /dev/shm
	mount -t tmpfs run /run
	mkdir -p "$RESULTS"
	# A task stuck in D state is a failure; set here rather than on the
	# kernel command line, whose echo in the console log would match the
	# splat grep. TCG is slow: allow 3 minutes before calling a task hung.
	echo 180 >/proc/sys/kernel/hung_task_timeout_secs
	echo 1 >/proc/sys/kernel/hung_task_panic
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results "$RESULTS" ||
		{ say "cannot mount the results share"; exit 1; }
	{ mount -t tmpfs -o mode=0755 modules /lib/modules && mkdir "/lib/modules/$KVER" &&
		mount --bind "$MODTREE" "/lib/modules/$KVER"; } ||
		{ say "cannot mount the module tree $MODTREE"; exit 1; }
	# This run's fusepass-utils likewise, over what the host has installed.
	local utils=$REPO/.build/deb/utils-root f
	while read -r f; do
		mount --bind "$utils/$f" "/$f" || { say "cannot bind /$f"; exit 1; }
	done < <(cd "$utils" && find . -type f -printf '%P\n')

	# TMPDIR on a real ext4 (xattrs, stable inode numbers) from the
	# scratch disk.
	modprobe virtio_blk && modprobe ext4
	for _ in $(seq 50); do [[ -b /dev/vda ]] && break; sleep 0.2; done
	mount -t ext4 -o noinit_itable /dev/vda /tmp ||
		{ say "cannot mount the scratch disk"; exit 1; }
	chmod 1777 /tmp

	# The kernel's own FUSE (built in on 6.12) must never serve a fusepass
	# test: without its device node nothing can mount it, so a missed
	# redirect fails.
	rm -f /dev/fuse
	uname -a >"$RESULTS/uname.txt"
}

# As a user loads it. test_module.py reloads it with insmod from this file.
insmod_ok() {
	echo "fusepass: ${FUSEPASS_KO:-not found by modinfo}"
	[[ $FUSEPASS_KO == /lib/modules/$KVER/updates/dkms/fusepass.ko* ]] ||
		{ echo "not the module DKMS installed"; return 1; }
	modprobe fusepass || return 1
	grep -w fusepass /proc/filesystems >"$RESULTS/filesystems.txt" || {
		echo "fusepass missing from /proc/filesystems"
		return 1
	}
}

guest_load_fusepass() {
	FUSEPASS_KO=$(modinfo -k "$KVER" -n fusepass 2>/dev/null)
	export FUSEPASS_KO
	insmod_ok >"$RESULTS/insmod.log" 2>&1
	echo $? >"$RESULTS/insmod.rc"
	say "modprobe fusepass rc $(cat "$RESULTS/insmod.rc")"
}

# shellcheck source=kernel-fuse.sh
source "$fusepass_repo/test/guest/kernel-fuse.sh"

guest_finish() {
	dmesg >"$RESULTS/dmesg.txt"
	date -u +%FT%TZ >"$RESULTS/done"
	sync
	trap - EXIT
	say "done"
	busybox poweroff -f
}
