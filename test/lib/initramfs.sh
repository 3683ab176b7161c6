# SPDX-License-Identifier: GPL-2.0
# A tiny initramfs per kernel: static busybox, the virtio/9p modules and
# test/guest/init (sourced). Everything else comes from the host root.

# Modules needed to reach the host root; those built into KVER are skipped.
# They come from the guest's module tree, frozen by test/lib/dkms.sh.
initramfs_modules() {
	modprobe -d "$BUILD/$1/modroot" -S "$1" --show-depends \
		-a virtio_pci 9pnet_virtio 9p |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# build_initramfs KVER: prints the path; rebuilt only when an input changed.
build_initramfs() {
	local kver=$1 out="$BUILD/$1/initramfs.cpio" mods key
	mods=$(initramfs_modules "$kver")
	[[ -n $mods ]] || die "no 9p modules found for $kver"
	# shellcheck disable=SC2086 # one path per word
	key=$(hash_of "$REPO/test/guest/init" /bin/busybox $mods)
	if [[ -f $out && $(cat "$out.key" 2>/dev/null) == "$key" ]]; then
		echo "$out"
		return
	fi

	local stage="$BUILD/$kver/initramfs" ko name
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,lib/modules}
	cp /bin/busybox "$stage/bin/busybox"
	cp "$REPO/test/guest/init" "$stage/init"
	# The kernel opens /dev/console before /init runs; devtmpfs comes later.
	mknod "$stage/dev/console" c 5 1
	: >"$stage/modules.list"
	# In load order, decompressed: busybox insmod may lack xz support.
	for ko in $mods; do
		name=$(basename "$ko")
		name=${name%.xz}
		name=${name%.zst}
		case $ko in
		*.xz) xz -dc "$ko" ;;
		*.zst) zstd -qdc "$ko" ;;
		*) cat "$ko" ;;
		esac >"$stage/lib/modules/$name"
		echo "$name" >>"$stage/modules.list"
	done
	(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "$key" >"$out.key"
	echo "$out"
}
