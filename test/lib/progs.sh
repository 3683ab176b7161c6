# SPDX-License-Identifier: GPL-2.0
# Test programs of the daemon and helpers suites (sourced).

TEST_PROGS="$BUILD/test-progs"

# Built fresh each run, on the host: the guest's root is read-only, and the
# programs take the FUSE structs from include/uapi once it has them.
build_test_programs() {
	rm -rf "$TEST_PROGS"
	mkdir -p "$TEST_PROGS"
	{
		make -C "$REPO/test/daemon" OUT="$TEST_PROGS" &&
			make -C "$REPO/test/helpers" OUT="$TEST_PROGS"
	} >"$RESULTS_ROOT/test-progs-build.log" 2>&1
}
