# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the host side of the test harness (sourced, not run).

# A predictable PATH: the Debian tools, never a user's pyenv or /usr/local.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$REPO/.build"
RESULTS_ROOT="$REPO/test-results"

log() { printf '[check %s] %s\n' "$(date +%T)" "$*"; }
die() { printf 'check: error: %s\n' "$*" >&2; exit 2; }

# Record a host-side failure for one kernel label; the verdict reads it.
fail_label() {
	local label=$1; shift
	printf '%s\n' "$*" >>"$RESULTS_ROOT/$label/host-errors.txt"
	log "$label: FAIL: $*"
}

# sha256 of files and strings, for cache keys.
hash_of() { sha256sum "$@" | sha256sum | cut -c1-16; }

# run_in ROOT CMD...: CMD inside the chroot ROOT, with /proc (objtool reads
# it) and /dev, in a mount namespace of its own so that nothing stays
# mounted afterwards; with an empty ROOT, CMD on the host.
run_in() {
	local root=$1
	shift
	if [[ -z $root ]]; then
		"$@"
		return
	fi
	unshare --mount --propagation private /bin/sh -c '
		mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" &&
		exec chroot "$0" "$@"' "$root" "$@"
}
