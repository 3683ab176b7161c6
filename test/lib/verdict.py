#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the results of test/check: verdict.py RESULTS_ROOT SUITES -- LABELS

Reads what the host (host-errors.txt, kver.txt, package.txt, times.txt,
selection.env) and the guest (done, insmod.rc, <suite>.rc, <suite>.xml,
reference/..., dmesg.txt) left in RESULTS_ROOT/<label>/, prints a report per
kernel and the totals, writes them as a Markdown table to
RESULTS_ROOT/kernels.md, and exits non-zero on any failure. The console log
and dmesg are part of the verdict: a kernel splat fails the run even when
every test passed.

The reference run (the suites marked "# reference: yes", on the kernel's
own FUSE, in reference/) is information, not a gate: its results are
reported, and its absence when it was asked for is a failure of the
harness. One exception: a test that fails on fusepass and on the reference
alike is listed, and does not fail the run if README.md's "Compatibility
notes" name it (a line with the suite and the test's name, or its function
name followed by "[*]"); otherwise it fails the run like any failure.
"""

import os
import re
import shlex
import sys
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

SPLAT = re.compile(r'WARNING:|BUG:|Oops|Call Trace|hung_task|'
                   r'general protection|Kernel panic')
SKIP_RC = 77  # a suite that has nothing to run yet (automake's convention)


def read(path, default=None):
    try:
        with open(path, errors='replace') as fh:
            return fh.read()
    except FileNotFoundError:
        return default


def junit_counts(path):
    """(passed, failed, skipped, names of failed tests) of one JUnit file."""
    passed = failed = skipped = 0
    bad = []
    for case in ET.parse(path).getroot().iter('testcase'):
        kinds = {child.tag for child in case}
        name = '%s::%s' % (case.get('classname'), case.get('name'))
        if kinds & {'failure', 'error'}:
            failed += 1
            bad.append(name)
        elif 'skipped' in kinds:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, bad


def selection(d):
    """The variables test/check gave the guest (selection.env)."""
    out = {}
    for line in read(os.path.join(d, 'selection.env'), '').splitlines():
        key, _, value = line.partition('=')
        words = shlex.split(value)
        out[key] = words[0] if words else ''
    return out


def has_reference(suite):
    script = read(os.path.join(REPO, 'test', 'suites', suite), '')
    return bool(re.search(r'^# reference: yes$', script, re.M))


def compat_notes():
    """Lines of README.md's "Compatibility notes" section."""
    text = read(os.path.join(REPO, 'README.md'), '')
    m = re.search(r'^## Compatibility notes\n(.*?)(?=^## |\Z)', text,
                  re.M | re.S)
    return m.group(1).splitlines() if m else []


def documented(suite, name, notes):
    """Does a compatibility note name this test of this suite?"""
    test = name.split('::')[-1]
    family = test.split('[')[0] + '[*]'
    return any(suite in line and (test in line or family in line)
               for line in notes)


def reference_report(d, suite, fusepass_bad, notes):
    """(notes, problems, {test: excused?}) for the tests that fail on both
    fusepass and the reference; @fusepass_bad is None if fusepass's run of
    the suite left no results."""
    out, problems, both = [], [], {}
    rd = os.path.join(d, 'reference')
    rc = read(os.path.join(rd, suite + '.rc'))
    xml = os.path.join(rd, suite + '.xml')
    if rc is None or not os.path.exists(xml):
        problems.append('reference run of %s missing (see reference/%s.log)'
                        % (suite, suite))
        return out, problems, both
    try:
        p, f, s, bad = junit_counts(xml)
    except ET.ParseError as e:
        problems.append('reference/%s.xml is not valid XML: %s' % (suite, e))
        return out, problems, both
    out.append('reference (kernel FUSE) %s: %d passed, %d failed, %d skipped'
               % (suite, p, f, s))
    for name in bad:
        if fusepass_bad is None:
            out.append('fails on kernel FUSE: %s: %s' % (suite, name))
        elif name not in fusepass_bad:
            out.append('fails on kernel FUSE only: %s: %s' % (suite, name))
        elif documented(suite, name, notes):
            out.append('fails on kernel FUSE too (README compatibility '
                       'notes): %s: %s' % (suite, name))
            both[name] = True
        else:
            both[name] = False
    return out, problems, both


def runs_on(suite, label):
    """A suite with a "# kernels: LABEL..." line runs on those only (as
    test/check chose)."""
    script = read(os.path.join(REPO, 'test', 'suites', suite), '')
    m = re.search(r'^# kernels: (.*)$', script, re.M)
    return not m or label in m.group(1).split()


def judge(root, label, suites):
    """Return (passed, failed, skipped, problems) for one kernel label."""
    d = os.path.join(root, label)
    suites = [s for s in suites if runs_on(s, label)]
    problems = [l for l in read(os.path.join(d, 'host-errors.txt'), '')
                .splitlines() if l]
    passed = failed = skipped = 0
    notes = []

    retry = read(os.path.join(d, 'boot-retry.txt'))
    if retry:
        notes.append(retry.strip())
    for log in ('console.log', 'dmesg.txt'):
        text = read(os.path.join(d, log))
        if text is None:
            continue
        hits = [l.strip() for l in text.splitlines() if SPLAT.search(l)]
        if hits:
            problems.append('%s: %d kernel splat line(s), first: %s'
                            % (log, len(hits), hits[0]))

    # The kernel's Makefile turns C=2 off when it finds the checker too
    # old for its headers (Debian 13's sparse 0.6.4 and 7.x): no check ran.
    m = re.search(r'C=\d specified, but (\S+) is not available or not up '
                  r'to date', read(os.path.join(d, 'sparse.log'), ''))
    if m:
        notes.append('%s not run: the kernel build refused it as missing '
                     'or too old (see sparse.log)' % m.group(1))

    if read(os.path.join(d, 'console.log')) is None:
        if not problems:
            problems.append('guest was not booted')
        return passed, failed, skipped, problems, notes
    if read(os.path.join(d, 'done')) is None:
        problems.append('no done marker: the guest did not finish '
                        '(see console.log)')
    insmod = read(os.path.join(d, 'insmod.rc'))
    if insmod is None:
        problems.append('fusepass was never loaded')
        return passed, failed, skipped, problems, notes
    if insmod.strip() != '0':
        problems.append('modprobe fusepass failed: %s'
                        % read(os.path.join(d, 'insmod.log'), '').strip())
        if selection(d).get('REFERENCE', 'yes') != 'no':
            for suite in suites:
                if has_reference(suite):
                    notes.extend(reference_report(d, suite, None, [])[0])
        return passed, failed, skipped, problems, notes

    sel = selection(d)
    reference = sel.get('REFERENCE', 'yes') != 'no'
    notes_text = compat_notes()
    for suite in suites:
        rc = read(os.path.join(d, suite + '.rc'))
        xml = os.path.join(d, suite + '.xml')
        bad, counted = [], False
        if rc is not None and int(rc) != SKIP_RC and os.path.exists(xml):
            try:
                p, f, s, bad = junit_counts(xml)
                counted = True
            except ET.ParseError as e:
                problems.append('%s.xml is not valid XML: %s' % (suite, e))
        both = {}
        if reference and has_reference(suite):
            more, probs, both = reference_report(
                d, suite, set(bad) if counted else None, notes_text)
            notes.extend(more)
            problems.extend(probs)
        if rc is None:
            problems.append('suite %s did not finish' % suite)
            continue
        rc = int(rc)
        if rc == SKIP_RC:
            why = read(os.path.join(d, suite + '.log'), '').strip()
            notes.append('suite %s skipped: %s'
                         % (suite, why.splitlines()[-1] if why else '?'))
            continue
        if not os.path.exists(xml):
            problems.append('suite %s exited with %d and wrote no %s.xml '
                            '(see %s.log)' % (suite, rc, suite, suite))
            continue
        if not counted:
            continue
        passed, failed, skipped = passed + p, failed + f, skipped + s
        excused = {n for n, ok in both.items() if ok}
        if rc != 0 and not (bad and set(bad) <= excused):
            problems.append('suite %s exited with %d (see %s.log)'
                            % (suite, rc, suite))
        if p + f == 0:
            problems.append('suite %s ran no test' % suite)
        for name in bad:
            if name in excused:
                continue
            problems.append('%s: %s failed%s' % (
                suite, name, ' (on kernel FUSE too: say why in README '
                'compatibility notes)' if name in both else ''))

    rmmod = read(os.path.join(d, 'rmmod.rc'))
    if rmmod is not None and rmmod.strip() != '0':
        problems.append('rmmod fusepass failed: %s'
                        % read(os.path.join(d, 'rmmod.log'), '').strip())
    return passed, failed, skipped, problems, notes


def write_table(root, rows, suites):
    """test-results/kernels.md: the README's supported-kernel table, as
    this run found it."""
    with open(os.path.join(root, 'kernels.md'), 'w') as out:
        out.write('| Kernel | Debian package | `make check` (%s; suites: %s) |\n'
                  % (time.strftime('%Y-%m-%d'), ', '.join(suites)))
        out.write('|---|---|---|\n')
        for label, kver, package, status, p, f, s, problems in rows:
            result = '%s: %d passed, %d failed, %d skipped' % (status, p, f, s)
            if problems:
                result += ' (%s)' % problems[0].replace('|', '\\|')
            out.write('| %s (label `%s`) | `%s` | %s |\n'
                      % (kver, label, package, result))


def main():
    root, rest = sys.argv[1], sys.argv[2:]
    sep = rest.index('--')
    suites, labels = rest[:sep], rest[sep + 1:]
    total = [0, 0, 0]
    bad_labels = []
    rows = []
    for label in labels:
        p, f, s, problems, notes = judge(root, label, suites)
        total = [total[0] + p, total[1] + f, total[2] + s]
        kver = (read(os.path.join(root, label, 'kver.txt')) or '?').strip()
        times = (read(os.path.join(root, label, 'times.txt')) or '').strip()
        status = 'FAIL' if problems else 'PASS'
        package = (read(os.path.join(root, label, 'package.txt')) or '?').strip()
        rows.append((label, kver, package, status, p, f, s, problems))
        print('%s %s (%s): %d passed, %d failed, %d skipped%s'
              % (status, label, kver, p, f, s, '; ' + times if times else ''))
        for line in notes:
            print('    note: ' + line)
        for line in problems:
            print('    FAIL: ' + line)
        if problems:
            bad_labels.append(label)
    write_table(root, rows, suites)
    if bad_labels:
        print('verdict: FAIL on ' + ' '.join(bad_labels))
    else:
        print('verdict: PASS')
    print('%d skipped' % total[2])
    print('%d passed, %d failed' % (total[0], total[1]))
    return 1 if bad_labels else 0


if __name__ == '__main__':
    sys.exit(main())
