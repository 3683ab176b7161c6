# SPDX-License-Identifier: GPL-2.0
# Kernel labels -> installed kernel versions (sourced).
#
# A label names a Debian 12 metapackage; the ABI number behind it moves with
# security updates, so it is read from the installed metapackage each run.
# "backports" is Debian 13's trixie-backports linux-image-amd64, resolved
# and prepared in a Debian 13 root instead (test/lib/backports.sh).

declare -A LABEL_METAPKG=(
	[6.1]=linux-image-amd64
	[6.12]=linux-image-6.12-amd64
	[backports]="linux-image-amd64 (trixie-backports)"
)

check_label() {
	[[ -n ${LABEL_METAPKG[$1]:-} ]] ||
		die "unknown kernel label '$1' (known: ${!LABEL_METAPKG[*]})"
}

# The chroot a label's module is built in; nothing for the host's kernels.
label_root() {
	[[ $1 != backports ]] || echo "$TRIXIE_ROOT"
}

# The kernel image to boot: the package's /boot file, or where Debian 13's
# packaging puts it, in the frozen module tree (test/lib/dkms.sh).
kernel_image() {
	local tree=$BUILD/$1/modroot/lib/modules/$1
	if [[ -f /boot/vmlinuz-$1 ]]; then
		echo "/boot/vmlinuz-$1"
	else
		echo "$tree/vmlinuz"
	fi
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
