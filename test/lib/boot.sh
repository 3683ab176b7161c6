# SPDX-License-Identifier: GPL-2.0
# Boot one kernel under QEMU and let test/guest/run do the work (sourced).

# Hard wall-clock limit per boot, so a hung guest cannot stall CI.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-3600}
# What the guest runs: test/guest/run (the suites) or test/guest/bench.
GUEST_PROGRAM=${GUEST_PROGRAM:-run}
# The guest's memory (test/bench boots with less).
BOOT_MEM=${BOOT_MEM:-2G}

# The first kernel splat of console log FILE if the kernel crashed while
# booting, before it ran /init (so before anything of ours ran in the
# guest, the module included); nothing otherwise.
crash_before_init() {
	grep -q 'Run /init as init process' "$1" && return 0
	grep -m1 -E 'WARNING:|BUG:|Oops|Call Trace|hung_task|general protection|Kernel panic' \
		"$1" || true
}

# boot_guest LABEL KVER INITRAMFS: results land in RESULTS_ROOT/LABEL/.
# A kernel that crashed before /init is booted once more: it happens, rarely,
# to stock kernels under TCG (an int3 Oops while patching kernel text, seen
# on 7.3). The first console log is kept as console-boot1.log and the
# verdict reports the retry (boot-retry.txt).
boot_guest() {
	local label=$1 out="$RESULTS_ROOT/$1" crash
	boot_once "$@"
	crash=$(crash_before_init "$out/console.log")
	[[ -n $crash ]] || return 0
	mv "$out/console.log" "$out/console-boot1.log"
	printf 'the kernel crashed while booting, before /init (%s); booted once more (console-boot1.log)\n' \
		"$crash" >"$out/boot-retry.txt"
	log "$label: $(cat "$out/boot-retry.txt")"
	boot_once "$@"
}

boot_once() {
	local label=$1 kver=$2 initrd=$3
	local out="$RESULTS_ROOT/$label" disk="$BUILD/$kver/scratch.img"

	# A fresh scratch disk each boot; sparse, so 4 GiB costs nothing.
	rm -f "$disk"
	truncate -s 4G "$disk"
	mkfs.ext4 -q -F -L fusepass-scratch "$disk"

	local cmdline=(
		console=ttyS0 panic=-1 oops=panic panic_on_warn=1
		softlockup_panic=1
		# never let the kernel's fuse module load on demand (6.1)
		modprobe.blacklist=fuse
		# unknown var=value parameters reach init's environment
		fusepass_repo="$REPO" fusepass_label="$label"
		fusepass_kver="$kver" fusepass_guest="$GUEST_PROGRAM"
	)

	local rc=0
	timeout --kill-after=10 "$BOOT_TIMEOUT" \
		qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m "$BOOT_MEM" \
		-nographic -no-reboot \
		-kernel "$(kernel_image "$kver")" -initrd "$initrd" \
		-append "${cmdline[*]}" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$out,mount_tag=results,security_model=none,multidevs=remap" \
		-drive "file=$disk,format=raw,if=virtio,cache=unsafe" \
		</dev/null >"$out/console.log" 2>&1 || rc=$?

	case $rc in
	0) ;;
	124 | 137) fail_label "$label" "guest timed out after ${BOOT_TIMEOUT}s" ;;
	*) fail_label "$label" "qemu exited with status $rc" ;;
	esac
	rm -f "$disk"
	return 0
}
