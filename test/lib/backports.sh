# SPDX-License-Identifier: GPL-2.0
# The "backports" label: the kernel Debian 13's trixie-backports
# linux-image-amd64 points to (sourced).
#
# That kernel's headers come with build tools linked against Debian 13's
# glibc, so the module is built in a Debian 13 root made with debootstrap
# and cached in .build/trixie-root/ (made again when missing): there, the
# packages' fusepass-dkms is installed and DKMS builds the module, as on a
# Debian 13 machine. The kernel and its modules are extracted into that root
# from their packages (apt-get download + dpkg-deb -x: installing them would
# run their hooks), so DKMS installs into a complete /lib/modules/KVER, which
# the guest then gets like the host kernels' (test/lib/dkms.sh). The guest
# itself runs the Debian 12 host root like the others.

TRIXIE_ROOT=$BUILD/trixie-root
TRIXIE_MIRROR=${TRIXIE_MIRROR:-http://deb.debian.org/debian}
TRIXIE_SECURITY=${TRIXIE_SECURITY:-http://deb.debian.org/debian-security}
# What the root needs besides a compiler: DKMS (with openssl to make its
# signing key) and sparse for the checks of test/lib/module.sh.
TRIXIE_PACKAGES=(dkms openssl sparse)

# The root's apt sources: trixie, its updates, backports and security.
trixie_sources() {
	cat <<SRC
Types: deb
URIs: $TRIXIE_MIRROR
Suites: trixie trixie-updates trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $TRIXIE_SECURITY
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
}

# backports_root: make the root if it is missing, refresh its package lists.
backports_root() {
	local ready=$TRIXIE_ROOT/.fusepass-ready
	if [[ ! -f $ready ]]; then
		log "making a Debian 13 build root (debootstrap)"
		rm -rf "$TRIXIE_ROOT"
		debootstrap --variant=minbase \
			--include=gcc-14,make,libc6-dev,kmod,xz-utils \
			trixie "$TRIXIE_ROOT" "$TRIXIE_MIRROR" ||
			{ tail -n 20 "$TRIXIE_ROOT/debootstrap/debootstrap.log" 2>/dev/null; return 1; }
		rm -f "$TRIXIE_ROOT/etc/apt/sources.list"
		trixie_sources >"$TRIXIE_ROOT/etc/apt/sources.list.d/debian.sources"
		: >"$ready"
	fi
	cp /etc/resolv.conf "$TRIXIE_ROOT/etc/resolv.conf"
	run_in "$TRIXIE_ROOT" apt-get update -q
}

# The KVER trixie-backports' linux-image-amd64 depends on, e.g.
# 7.3.4+deb13-amd64.
backports_kver() {
	local deps kver
	deps=$(run_in "$TRIXIE_ROOT" apt-cache -t trixie-backports depends \
		linux-image-amd64) || return 1
	kver=$(grep -oE 'linux-image-[0-9][^ ,]*' <<<"$deps" | head -n1) || true
	kver=${kver#linux-image-}
	[[ -n $kver ]] || { echo "no kernel in: $deps" >&2; return 1; }
	echo "$kver"
}

# backports_kernel KVER: its headers and DKMS in the root, the kernel and its
# modules extracted into it (once per KVER), depmod run as the kernel's
# packages would.
backports_kernel() {
	local kver=$1 mods=$TRIXIE_ROOT/usr/lib/modules
	local cache=/var/cache/fusepass-kernel stamp=$mods/$kver/.fusepass-extracted
	local d deb
	# The last run's fusepass-dkms would be built for a new kernel by the
	# headers' hook, failing their install if it does not build; this run
	# installs its own later (test/lib/dkms.sh).
	run_in "$TRIXIE_ROOT" dpkg --purge fusepass-dkms || true
	# As a Debian 13 user: DKMS from trixie, the kernel from backports.
	run_in "$TRIXIE_ROOT" env DEBIAN_FRONTEND=noninteractive apt-get -q \
		install -y --no-install-recommends "${TRIXIE_PACKAGES[@]}" || return 1
	run_in "$TRIXIE_ROOT" env DEBIAN_FRONTEND=noninteractive apt-get -q \
		install -y --no-install-recommends -t trixie-backports \
		"linux-headers-$kver" || return 1
	if [[ ! -f $stamp ]]; then
		rm -rf "$TRIXIE_ROOT$cache"
		mkdir -p "$TRIXIE_ROOT$cache"
		run_in "$TRIXIE_ROOT" sh -c 'cd "$0" && apt-get -q download \
			-o APT::Sandbox::User=root "$@"' "$cache" \
			"linux-binary-$kver" "linux-modules-$kver" || return 1
		for deb in "$TRIXIE_ROOT$cache"/*.deb; do
			dpkg-deb -x "$deb" "$TRIXIE_ROOT" || return 1
		done
		rm -rf "$TRIXIE_ROOT$cache"
		: >"$stamp"
	fi
	[[ -f $mods/$kver/vmlinuz ]] || { echo "no $mods/$kver/vmlinuz" >&2; return 1; }
	run_in "$TRIXIE_ROOT" depmod "$kver" || return 1
	# Trees of kernels backports has moved past.
	for d in "$mods"/*; do
		[[ ${d##*/} == "$kver" ]] || rm -rf "$d"
	done
}

# prepare_backports: prints the KVER once the root is ready for it.
prepare_backports() {
	local log=$BUILD/trixie-root.log kver
	{ backports_root && kver=$(backports_kver) && backports_kernel "$kver"; } \
		>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
	echo "$kver"
}
