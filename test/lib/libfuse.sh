# SPDX-License-Identifier: GPL-2.0
# libfuse 3.14 (Debian 12's fuse3 source) with our test patch (sourced).

LIBFUSE_DIR="$BUILD/libfuse-3.14"
LIBFUSE_PATCH="$REPO/test/libfuse/3.14-passthrough_bpf.patch"
LIBFUSE_BUILD="$LIBFUSE_DIR/src/build"

# The unpacked tree is rebuilt from the cached download whenever the patch
# (or the downloaded source version) changes; the key records both.
build_libfuse() {
	mkdir -p "$LIBFUSE_DIR/dl"
	if ! compgen -G "$LIBFUSE_DIR/dl/fuse3_3.14*.dsc" >/dev/null; then
		log "fetching fuse3 source"
		(cd "$LIBFUSE_DIR/dl" &&
			apt-get source -q -o APT::Sandbox::User=root --download-only \
			fuse3 >"$LIBFUSE_DIR/fetch.log" 2>&1) ||
			die "apt-get source fuse3 failed (see $LIBFUSE_DIR/fetch.log)"
	fi
	local dsc key
	dsc=$(ls "$LIBFUSE_DIR"/dl/fuse3_3.14*.dsc | tail -n1) ||
		die "apt-get source fuse3 did not give libfuse 3.14"
	key="$(basename "$dsc") $(sha256sum <"$LIBFUSE_PATCH" | cut -c1-64)"

	if [[ ! -f $LIBFUSE_DIR/key || $(cat "$LIBFUSE_DIR/key") != "$key" ||
		! -f $LIBFUSE_BUILD/build.ninja ]]; then
		log "unpacking and configuring libfuse 3.14"
		rm -rf "$LIBFUSE_DIR/src" "$LIBFUSE_DIR/key"
		# apt checked the download against the signed archive already
		dpkg-source -x "$dsc" "$LIBFUSE_DIR/src" >"$LIBFUSE_DIR/unpack.log" 2>&1
		patch -s -d "$LIBFUSE_DIR/src" -p1 --no-backup-if-mismatch \
			<"$LIBFUSE_PATCH"
		# HAVE_LIBFUSE_PRIVATE_CONFIG_H works around libfuse#734, without
		# which passthrough_hp lacks utimensat.
		(cd "$LIBFUSE_DIR/src" && meson setup build \
			-Dudevrulesdir=/lib/udev/rules.d -Duseroot=false \
			-Dinitscriptdir= \
			-Dcpp_args=-DHAVE_LIBFUSE_PRIVATE_CONFIG_H) \
			>"$LIBFUSE_DIR/meson.log" 2>&1 ||
			{ tail -n 30 "$LIBFUSE_DIR/meson.log" >&2; die "meson setup failed"; }
	fi
	ninja -C "$LIBFUSE_BUILD" >"$LIBFUSE_DIR/ninja.log" 2>&1 ||
		{ tail -n 30 "$LIBFUSE_DIR/ninja.log" >&2; die "libfuse build failed"; }
	echo "$key" >"$LIBFUSE_DIR/key"
}
