# SPDX-License-Identifier: GPL-2.0
# Host packages and the deb-src entry for `apt-get source fuse3` (sourced).

HOST_PACKAGES=(
	qemu-system-x86 busybox-static
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	python3 python3-pytest python3-distutils meson ninja-build pkgconf
	python3-packaging file # libfuse 3.17's tests import packaging, run file
	build-essential patch dpkg-dev e2fsprogs cpio kmod xz-utils zstd
	acl attr util-linux coreutils libfuse3-dev sparse
	fio gnuplot-nox # the benchmark, and its smoke run in make check
	# the packages (test/lib/dkms.sh; DKMS makes its signing key with
	# openssl) and the Debian 13 root (backports.sh)
	debhelper dh-dkms dkms openssl lintian debootstrap
)

SRC_LIST_BASE=/etc/apt/sources.list.d/fusepass-deb-src

# Mirror the Debian 12 `deb` entries as `deb-src`, in files of our own, so a
# fresh machine can fetch fuse3's source. Stanzas that already carry deb-src
# are left alone, so nothing is configured twice.
write_deb_src() {
	local sources=() lists=() f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f && $f != "$SRC_LIST_BASE.sources" ]] && sources+=("$f")
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f $f && $f != "$SRC_LIST_BASE.list" ]] && lists+=("$f")
	done

	local deb822='' oneline=''
	if ((${#sources[@]})); then
		deb822=$(awk 'BEGIN { RS = ""; ORS = "\n\n" }
			/Types:[^\n]*deb-src/ { next }
			/Types:[^\n]*deb/ && /Suites:[^\n]*bookworm/ {
				sub(/Types:[^\n]*/, "Types: deb-src"); print }' \
			"${sources[@]}")
	fi
	if ((${#lists[@]})) && ! grep -qsE '^deb-src .*bookworm' "${lists[@]}"; then
		oneline=$(grep -hE '^deb .*bookworm' "${lists[@]}" |
			sed 's/^deb /deb-src /' || true)
	fi
	update_file "$SRC_LIST_BASE.sources" "$deb822"
	update_file "$SRC_LIST_BASE.list" "$oneline"
}

# Write $2 to $1 only when it changed; an empty $2 removes $1.
update_file() {
	if [[ -z $2 ]]; then
		rm -f "$1"
	elif [[ ! -f $1 ]] || [[ $(cat "$1") != "$2" ]]; then
		printf '%s\n' "$2" >"$1"
	fi
}

install_packages() {
	write_deb_src
	# Other checkouts' runs may hold apt's lock for a while.
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -q \
		--no-install-recommends "${HOST_PACKAGES[@]}"
}
