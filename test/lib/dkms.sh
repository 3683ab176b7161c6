# SPDX-License-Identifier: GPL-2.0
# The module under test is the one a user gets (sourced): the .debs built
# from this tree, installed as a user installs them, and DKMS's build of
# the module for each kernel, loaded in the guest with modprobe from
# /lib/modules/KVER/updates/dkms/.
#
# The host's packages and DKMS state are shared by every checkout that
# runs make check, so a lock serialises installing and building; each
# label's /lib/modules/KVER is then frozen into .build/KVER/modroot/ for its
# guest, so that another run reinstalling meanwhile cannot swap the module
# under it (test/guest/run mounts the frozen tree on /lib/modules/KVER).

DKMS_LOCK=/run/lock/fusepass-check.lock

# The .debs (make deb) and lintian's verdict on them (an error fails).
# fusepass-utils is also unpacked into .build/deb/utils-root/: the guest
# binds its files over the installed ones, which another run may have
# replaced with its own meanwhile.
build_debs() {
	local log=$RESULTS_ROOT/deb-build.log lint=$RESULTS_ROOT/lintian.txt
	make -C "$REPO" deb >"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; return 1; }
	make -s -C "$REPO" lintian >"$lint" 2>&1 ||
		{ cat "$lint" >&2; return 1; }
	dpkg-deb -x "$(built_debs | tail -n1)" "$BUILD/deb/utils-root"
}

# built_debs [dkms-only]: fusepass-dkms, then fusepass-utils unless asked not.
built_debs() {
	local arch
	arch=$(dpkg --print-architecture)
	compgen -G "$BUILD/deb/fusepass-dkms_*_all.deb"
	[[ -n ${1:-} ]] || compgen -G "$BUILD/deb/fusepass-utils_*_$arch.deb"
}

# install_debs ROOT LOG DEB...: as a user installs them; the postinst
# registers the module with DKMS and builds it for the kernels it picks.
# If one of those builds fails, the package is left half-configured, which
# would break every later apt run on the machine: it is then configured
# without building (DKMS's no-autoinstall switch), and dkms_build_for
# reports the failure for its kernel.
install_debs() {
	local root=$1 log=$2
	shift 2
	local debs=() deb
	for deb in "$@"; do
		if [[ -n $root ]]; then
			mkdir -p "$root/tmp/fusepass-debs"
			cp "$deb" "$root/tmp/fusepass-debs/"
			deb=/tmp/fusepass-debs/${deb##*/}
		fi
		debs+=("$deb")
	done
	run_in "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q \
		-o DPkg::Lock::Timeout=600 install -y --reinstall \
		--no-install-recommends "${debs[@]}" >>"$log" 2>&1 && return 0

	local pkgs=() flag=$root/etc/dkms/no-autoinstall made='' rc=0
	for deb in "$@"; do
		deb=${deb##*/}
		pkgs+=("${deb%%_*}")
	done
	[[ -e $flag ]] || { : >"$flag" && made=1; }
	echo "== configuring ${pkgs[*]} without the DKMS build that failed" >>"$log"
	run_in "$root" dpkg --configure "${pkgs[@]}" >>"$log" 2>&1 || rc=$?
	[[ -z $made ]] || rm -f "$flag"
	return "$rc"
}

# The make.log of DKMS's last build of fusepass for KVER under ROOT.
dkms_make_log() {
	local root=$1 kver=$2 f
	for f in "$root"/var/lib/dkms/fusepass/*/"$kver"/*/log/make.log \
		"$root"/var/lib/dkms/fusepass/*/build/make.log; do
		[[ -f $f && $(head -n1 "$f") == *"for kernel $kver ("* ]] &&
			{ echo "$f"; return; }
	done
}

# dkms_build_for ROOT LABEL KVER: what a kernel package's postinst hook
# runs for its kernel (a no-op if the package's postinst built it already),
# then freeze the module tree for the guest. Sets DKMS_SECONDS[LABEL].
declare -A DKMS_SECONDS
dkms_build_for() {
	local root=$1 label=$2 kver=$3
	local out=$RESULTS_ROOT/$label mlog first status
	run_in "$root" dkms autoinstall -k "$kver" >>"$out/dkms.log" 2>&1
	mlog=$(dkms_make_log "$root" "$kver")
	[[ -z $mlog ]] || cp "$mlog" "$out/dkms-make.log"
	status=$(run_in "$root" dkms status -m fusepass -k "$kver" 2>/dev/null)
	echo "$status" >>"$out/dkms.log"
	if [[ $status != *": installed"* ]]; then
		first=$(grep -h -m1 -E 'error:|Error!' "$out/dkms-make.log" \
			"$out/dkms.log" 2>/dev/null | head -n1) || true
		fail_label "$label" "DKMS did not build fusepass for $kver:" \
			"${first:-no error message} (see test-results/$label/dkms-make.log, dkms.log)"
		return 1
	fi
	freeze_modules "$root" "$kver" || {
		fail_label "$label" "cannot copy $root/lib/modules/$kver for the guest"
		return 1
	}
	# make.log starts with the date the build began and ends with it.
	[[ -z $mlog ]] || DKMS_SECONDS[$label]=$(($(stat -c %Y "$mlog") -
		$(date -d "$(sed -n 2p "$mlog")" +%s)))
}

# freeze_modules ROOT KVER: ROOT's /lib/modules/KVER as of now, for the
# guest. Hard links where files are only ever replaced, copies of what
# DKMS and depmod rewrite.
freeze_modules() {
	local root=$1 kver=$2
	local src=$root/lib/modules/$kver dst=$BUILD/$kver/modroot/lib/modules/$kver
	local f
	rm -rf "$BUILD/$kver/modroot"
	mkdir -p "${dst%/*}"
	cp -al "$src" "$dst" 2>/dev/null || { rm -rf "$dst" && cp -a "$src" "$dst"; }
	rm -rf "$dst/updates"
	cp -a "$src/updates" "$dst/updates"
	for f in "$src"/modules.*; do
		cp -a --remove-destination "$f" "$dst/"
	done
}

# dkms_install_labels LABEL...: the packages on the host, DKMS's module for
# each label's kernel (kvers[LABEL], set by test/check). Every guest runs
# the host's root, so the host gets the packages (mount.fusepass, manual
# pages) also when the only label's module is built in a chroot
# (backports): fusepass-dkms is installed there too.
dkms_install_labels() {
	local label root lock debs=()
	(($#)) || return 0
	mapfile -t debs < <(built_debs)
	exec {lock}>"$DKMS_LOCK"
	flock -n "$lock" || {
		log "waiting for another make check to finish installing"
		flock "$lock"
	}
	if ! install_debs "" "$RESULTS_ROOT/dkms-install.log" "${debs[@]}"; then
		exec {lock}>&-
		for label in "$@"; do
			fail_label "$label" "installing the packages failed (see test-results/dkms-install.log)"
		done
		return 0
	fi
	for label in "$@"; do
		[[ -z $(label_root "$label") ]] || continue
		dkms_build_for "" "$label" "${kvers[$label]}" || true
	done
	exec {lock}>&-

	for label in "$@"; do
		root=$(label_root "$label")
		[[ -n $root ]] || continue
		mapfile -t debs < <(built_debs dkms-only)
		install_debs "$root" "$RESULTS_ROOT/$label/dkms.log" "${debs[@]}" ||
			{ fail_label "$label" "installing fusepass-dkms in $root failed (see test-results/$label/dkms.log)"; continue; }
		dkms_build_for "$root" "$label" "${kvers[$label]}" || true
	done
	return 0
}
