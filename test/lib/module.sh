# SPDX-License-Identifier: GPL-2.0
# Build fusepass.ko for one kernel (sourced).

# build_module LABEL KVER [ROOT]: fresh copy of the module sources, full W=1
# build (in the chroot ROOT if given: test/lib/backports.sh). A full build
# every run: an incremental one would hide the warnings of files compiled in
# an earlier run. This build is for its warnings and sparse's; the module
# the guest loads is DKMS's (test/lib/dkms.sh).
build_module() {
	local label=$1 kver=$2 root=${3:-}
	local dir="$BUILD/$kver/module" blog="$RESULTS_ROOT/$label/module-build.log"
	local tree=$root$dir # where the host sees $dir

	rm -rf "$tree"
	mkdir -p "$tree"
	cp -a "$REPO/Kbuild" "$REPO/src" "$REPO/include" "$tree/"
	# Objects left by an in-tree build would look up to date to make.
	find "$tree" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name modules.order \
		-o -name Module.symvers \) -delete

	if ! run_in "$root" make -C "/lib/modules/$kver/build" M="$dir" W=1 \
		-j"$(nproc)" modules >"$blog" 2>&1; then
		fail_label "$label" "module build failed for $kver (see $blog)"
		tail -n 30 "$blog" >&2
		return 1
	fi
	if grep -q 'warning:' "$blog"; then
		fail_label "$label" "module build warnings for $kver (see $blog)"
		grep -A3 'warning:' "$blog" >&2
		return 1
	fi
	[[ -f $tree/fusepass.ko ]] || {
		fail_label "$label" "no fusepass.ko after building for $kver"
		return 1
	}
	# sparse over every source (C=2 checks files already compiled too).
	local slog="$RESULTS_ROOT/$label/sparse.log"
	if ! run_in "$root" make -C "/lib/modules/$kver/build" M="$dir" C=2 \
		-j"$(nproc)" modules >"$slog" 2>&1 ||
		grep -qE 'warning:|error:' "$slog"; then
		fail_label "$label" "sparse found problems for $kver (see $slog)"
		grep -E -A3 'warning:|error:' "$slog" >&2
		return 1
	fi
}

# The userspace helpers (mount.fusepass, ...) are built once, in the tree.
build_helpers() {
	[[ -f $REPO/src/helpers/Makefile ]] || {
		log "src/helpers/Makefile not there yet; helpers not built"
		return 0
	}
	make -C "$REPO/src/helpers" >"$RESULTS_ROOT/helpers-build.log" 2>&1
}
