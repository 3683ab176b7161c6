# SPDX-License-Identifier: GPL-2.0
# libfuse's own test suites, built from Debian's fuse3 source packages with
# our test patch (sourced):
#   3.14  Debian 12's fuse3 (the deb-src entries of packages.sh)
#   3.17  Debian 13's fuse3 3.17.2, from trixie's Sources index kept in an
#         apt state of its own under .build/libfuse-3.17/apt/: the host's
#         sources, lists and pinning are never touched, and nothing binary
#         comes from trixie (build deps are Debian 12's: meson 1.0.1 meets
#         3.17.2's meson_version '>= 0.60.0').
# Each lands in .build/libfuse-VERSION/src/build, kept between runs.

# The apt state for trixie's sources: sources.list.d with one deb-src
# stanza, lists and cache of its own. Debian 12's debian-archive-keyring
# holds trixie's archive key, so apt checks the index's signature as usual.
libfuse_trixie_apt() {
	local dir=$1
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" \
		"$dir/cache/archives/partial"
	cat >"$dir/sources.list.d/trixie-src.sources" <<-EOF
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: trixie
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	LIBFUSE_APT_OPTS=(
		-o Dir::Etc::SourceList=/dev/null
		-o "Dir::Etc::SourceParts=$dir/sources.list.d"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir/cache"
	)
}

# fetch_libfuse VERSION DIR: the fuse3 VERSION source package into DIR/dl.
fetch_libfuse() {
	local version=$1 dir=$2 what=fuse3
	LIBFUSE_APT_OPTS=()
	case $version in
	3.14) ;;
	3.17)
		libfuse_trixie_apt "$dir/apt"
		what=fuse3/trixie
		apt-get -q -o APT::Sandbox::User=root "${LIBFUSE_APT_OPTS[@]}" \
			update || return 1
		;;
	*) die "no source for libfuse $version" ;;
	esac
	(cd "$dir/dl" && apt-get source -q -o APT::Sandbox::User=root \
		"${LIBFUSE_APT_OPTS[@]}" --download-only "$what")
}

# build_libfuse VERSION: fetch (once), unpack, patch, configure and build.
# The unpacked tree is rebuilt from the cached download whenever a patch
# (or the downloaded source version) changes; the key records them all.
# Patches: VERSION-passthrough_bpf.patch (fusepass's cases of
# test_passthrough), then wait_for_mount-race.patch (a harness race).
build_libfuse() {
	local version=$1
	local dir="$BUILD/libfuse-$version"
	local patches=("$REPO/test/libfuse/$version-passthrough_bpf.patch"
		"$REPO/test/libfuse/wait_for_mount-race.patch")
	local build="$dir/src/build" dsc key patch
	local meson_args=(-Dudevrulesdir=/lib/udev/rules.d -Duseroot=false
		-Dinitscriptdir=)
	# libfuse#734 (fixed in 3.17): without HAVE_LIBFUSE_PRIVATE_CONFIG_H
	# 3.14's passthrough_hp lacks utimensat.
	[[ $version != 3.14 ]] ||
		meson_args+=(-Dcpp_args=-DHAVE_LIBFUSE_PRIVATE_CONFIG_H)

	mkdir -p "$dir/dl"
	if ! compgen -G "$dir/dl/fuse3_$version*.dsc" >/dev/null; then
		log "fetching fuse3 $version source"
		fetch_libfuse "$version" "$dir" >"$dir/fetch.log" 2>&1 ||
			die "apt-get source fuse3 ($version) failed (see $dir/fetch.log)"
	fi
	dsc=$(ls "$dir"/dl/fuse3_"$version"*.dsc 2>/dev/null | tail -n1)
	[[ -n $dsc ]] || die "apt-get source fuse3 did not give libfuse $version"
	key="$(basename "$dsc") $(cat "${patches[@]}" | sha256sum | cut -c1-64)"

	if [[ ! -f $dir/key || $(cat "$dir/key") != "$key" ||
		! -f $build/build.ninja ]]; then
		log "unpacking and configuring libfuse $version"
		rm -rf "$dir/src" "$dir/key"
		# apt checked the download against the signed archive already
		dpkg-source -x "$dsc" "$dir/src" >"$dir/unpack.log" 2>&1 ||
			die "dpkg-source -x $dsc failed (see $dir/unpack.log)"
		for patch in "${patches[@]}"; do
			patch -s -d "$dir/src" -p1 --no-backup-if-mismatch <"$patch"
		done
		(cd "$dir/src" && meson setup build "${meson_args[@]}") \
			>"$dir/meson.log" 2>&1 ||
			{ tail -n 30 "$dir/meson.log" >&2; die "meson setup failed"; }
	fi
	ninja -C "$build" >"$dir/ninja.log" 2>&1 ||
		{ tail -n 30 "$dir/ninja.log" >&2; die "libfuse $version build failed"; }
	echo "$key" >"$dir/key"
}
