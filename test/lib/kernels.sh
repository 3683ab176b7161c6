# SPDX-License-Identifier: GPL-2.0
# Kernel labels -> installed kernel versions (sourced).
#
# A label names a Debian 12 metapackage; the ABI number behind it moves with
# security updates, so it is read from the installed metapackage each run.

declare -A LABEL_METAPKG=(
	[6.1]=linux-image-amd64
	[6.12]=linux-image-6.12-amd64
)

check_label() {
	[[ -n ${LABEL_METAPKG[$1]:-} ]] ||
		die "unknown kernel label '$1' (known: ${!LABEL_METAPKG[*]})"
}

# Print the KVER the label's metapackage depends on, e.g. 6.1.0-56-amd64.
resolve_kver() {
	local pkg=${LABEL_METAPKG[$1]} deps kver
	deps=$(dpkg-query -W -f='${Depends}' "$pkg") ||
		die "$pkg is not installed"
	kver=$(grep -oE 'linux-image-[^ ,]+' <<<"$deps" | head -n1)
	kver=${kver#linux-image-}
	[[ -n $kver ]] || die "cannot read a kernel version from $pkg: $deps"
	[[ -f /boot/vmlinuz-$kver ]] || die "/boot/vmlinuz-$kver missing"
	[[ -d /lib/modules/$kver/build ]] ||
		die "/lib/modules/$kver/build missing (headers for $kver not installed)"
	echo "$kver"
}
