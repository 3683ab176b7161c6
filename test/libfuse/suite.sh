# SPDX-License-Identifier: GPL-2.0
# The runner shared by the suites libfuse-3.14 and libfuse-3.17 (sourced in
# the guest; test/guest/run sets the environment).
#
# run_libfuse_suite VERSION BUILDDIR DESELECT COUNTS
#   Runs libfuse VERSION's test/test_examples.py and test/test_ctests.py
#   from BUILDDIR, results in $RESULTS/libfuse-VERSION.xml (or
#   $RESULTS/$LIBFUSE_SUITE.xml when a suite names itself so).
#   DESELECT  a pytest -k expression of the tests not run (TESTS, a -k
#             expression too, narrows the rest);
#   COUNTS    "test_function=N ..." the cases of each test function a full
#             reference run holds; fusepass's also has the four
#             passthrough_bpf cases of test_passthrough (passthrough_backed,
#             the example daemon of src/examples, is for the suite
#             passthrough-backed to select).
#
# On fusepass, pytest and everything it starts run under fusepass-run, so
# libfuse's daemons, mount.fuse3 and fusermount3 use /dev/fusepass and the
# type fusepass.SUB; passthrough_bpf mounts fusepass without a daemon, and
# passthrough_backed runs fusepass's example daemon ($FUSEPASS_MIRROR). The
# fusepass_check plugin (test/libfuse/) turns a test that passed without
# proof of a fusepass mount, or an unexpected skip, into a failure.
# With FUSEPASS_REFERENCE=1: the same on the kernel's FUSE, without
# fusepass-run and without passthrough_bpf or passthrough_backed.

run_libfuse_suite() {
	local version=$1 build=$2 k="not ($3)" counts=$4
	local xml=$RESULTS/${LIBFUSE_SUITE:-libfuse-$version}.xml run rc=0
	if [[ -n ${FUSEPASS_REFERENCE:-} ]]; then
		export FUSEPASS_CHECK=reference
		k="$k and not passthrough_bpf and not passthrough_backed"
		run=()
		unset FUSEPASS_RUN_LOG
	else
		export FUSEPASS_CHECK=fusepass
		# On ext4, not on the 9p results share: appends come from many
		# processes.
		export FUSEPASS_RUN_LOG=/tmp/${LIBFUSE_SUITE:-libfuse-$version}-preload.log
		rm -f "$FUSEPASS_RUN_LOG"
		run=("$FUSEPASS_RUN")
	fi
	[[ -z ${TESTS:-} ]] || k="$k and ($TESTS)"
	export PYTHONPATH=$REPO/test/libfuse

	# --maxfail overrides pytest.ini's -x: every test runs, whatever
	# failed. junit_logging keeps each test's output (the mountinfo line
	# of the patched test, the plugin's evidence) in the XML.
	(cd "$build" && "${run[@]}" /usr/bin/python3 -m pytest \
		test/test_examples.py test/test_ctests.py \
		-p fusepass_check -p no:cacheprovider -k "$k" --maxfail=1000000 \
		-o junit_logging=system-out --junitxml="$xml") || rc=$?
	[[ -z ${FUSEPASS_RUN_LOG:-} ]] || cp "$FUSEPASS_RUN_LOG" "$RESULTS/" || true

	# Independently of the plugin: passthrough_bpf and passthrough_backed
	# must have been fusepass, and a full run must hold every test
	# function of the files.
	/usr/bin/python3 - "$xml" "${FUSEPASS_REFERENCE:-}" "${TESTS:-}" \
		"$counts" <<-'PY' || rc=1
		import sys, xml.etree.ElementTree as ET
		xml, reference, narrowed, counts = sys.argv[1:5]
		cases = list(ET.parse(xml).getroot().iter('testcase'))
		for case in cases:
		    if not any(n in case.get('name') for n in
		               ('passthrough_bpf', 'passthrough_backed')) or \
		            case.find('skipped') is not None:
		        continue
		    out = ''.join(e.text or '' for e in case.iter('system-out'))
		    if case.find('failure') is None and case.find('error') is None \
		            and ' is fusepass' not in out:
		        sys.exit('%s passed without a fusepass mount' % case.get('name'))
		if narrowed:
		    sys.exit(0)
		expected = {n: int(c) for n, c in
		            (w.split('=') for w in counts.split())}
		if not reference:
		    expected['test_passthrough'] += 4          # passthrough_bpf
		ran = {}
		for case in cases:
		    name = case.get('name').split('[')[0]
		    ran[name] = ran.get(name, 0) + 1
		missing = {n: (c, ran.get(n, 0)) for n, c in expected.items()
		           if ran.get(n, 0) != c}
		extra = sorted(set(ran) - set(expected))
		if missing or extra:
		    sys.exit('test counts (expected, ran) differ: %s; not expected: %s'
		             % (missing, extra))
	PY
	return "$rc"
}
