# SPDX-License-Identifier: GPL-2.0
# Test programs of the daemon and helpers suites, the example daemons of
# src/examples (libfuse 3.14, Debian 12's libfuse3-dev; a warning fails the
# build) that the suites passthrough-backed, backed-blocks and bench-smoke
# run, and the benchmark's metabench (sourced).

TEST_PROGS="$BUILD/test-progs"

# Built fresh each run, on the host: the guest's root is read-only, and the
# programs take the FUSE structs from include/uapi once it has them.
build_test_programs() {
	rm -rf "$TEST_PROGS"
	mkdir -p "$TEST_PROGS"
	{
		make -C "$REPO/test/daemon" OUT="$TEST_PROGS" &&
			make -C "$REPO/test/helpers" OUT="$TEST_PROGS" &&
			make -C "$REPO/src/examples" OUT="$TEST_PROGS" WERROR=1 &&
			make -C "$REPO/test/perf" OUT="$TEST_PROGS"
	} >"$RESULTS_ROOT/test-progs-build.log" 2>&1
}
