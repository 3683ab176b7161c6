# SPDX-License-Identifier: GPL-2.0
"""The benchmark's smoke run (suite bench-smoke), in a make check boot.

Runs test/perf/driver.py as make bench QUICK=1 sizes it (one repetition,
small files, a 1000-entry tree) with every configuration, then
test/perf/report.py's report of it. It checks that the harness works: each
configuration mounts as what it claims, each workload runs on each, the
report and the chart are made, and fusepass's counters show that each
fusepass configuration measured the path it names. It checks no number
against a target: under emulation, and this small, they mean nothing.

The kernel's FUSE must be usable meanwhile (the suite turns it on for this
run only). Environment: as test/guest/setup.sh exports it (LIBFUSE_314,
LIBFUSE_317, FUSEPASS_RUN, FUSEPASS_TEST_PROGS, LABEL, KVER, RESULTS).
"""

import glob
import json
import os
import subprocess
import sys
import tarfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

BASE = '/tmp/bench'             # the driver's own choice
SIZES = {'BENCH_REPS': '1', 'BENCH_SECONDS': '1', 'BENCH_BIG_MB': '32',
         'BENCH_SMALL_MB': '8', 'BENCH_FILES': '500'}
TREE_ENTRIES = 1000
# The configurations that are fusepass mounts.
FUSEPASS_CONFIGS = ('fp-nodaemon', 'fp-open', 'fp-daemon', 'fp-stacked')


def tree_tar(path, n):
    """A tar of the first n paths of the kernel header trees, as test/bench
    makes it for make bench."""
    names = []
    for tree in sorted(glob.glob('/usr/src/linux-headers-*-common')):
        for top, dirs, files in os.walk(tree):
            names.extend(os.path.relpath(os.path.join(top, e), '/usr/src')
                         for e in dirs + files)
    assert names, 'no /usr/src/linux-headers-*-common tree to read'
    with tarfile.open(path, 'w') as tar:
        for name in sorted(names)[:n]:
            tar.add(os.path.join('/usr/src', name), arcname=name,
                    recursive=False)


def kernel_config():
    for path in ('/lib/modules/%s/config' % os.environ['KVER'],
                 '/boot/config-%s' % os.environ['KVER']):
        if os.path.exists(path):
            return path
    return ''


def leftover_mounts():
    with open('/proc/self/mountinfo') as fh:
        return [line.split()[4] for line in fh
                if line.split()[4].startswith(BASE + '/')]


@pytest.fixture(scope='module')
def run():
    """The driver's run: (out dir, configs.json, runs.json)."""
    out = os.path.join(os.environ['RESULTS'], 'bench-smoke')
    os.makedirs(out, exist_ok=True)
    progs = os.environ['FUSEPASS_TEST_PROGS']
    tar = '/tmp/bench-smoke-tree.tar'
    tree_tar(tar, TREE_ENTRIES)
    env = dict(os.environ, BENCH_TREE=tar,
               METABENCH=os.path.join(progs, 'metabench'),
               FUSEPASS_MIRROR=os.path.join(progs, 'fusepass_mirror'),
               KERNEL_CONFIG=kernel_config(), **SIZES)
    try:
        r = subprocess.run([sys.executable, os.path.join(HERE, 'driver.py'),
                            out], env=env, cwd='/tmp', timeout=900,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, check=False)
        print(r.stdout)
        assert r.returncode == 0, 'driver.py exited with %d' % r.returncode
        with open(os.path.join(out, 'configs.json')) as fh:
            meta = json.load(fh)
        with open(os.path.join(out, 'runs.json')) as fh:
            runs = json.load(fh)
        yield out, meta, runs
    finally:
        # The driver unmounts what it mounted; if it died, nothing of it
        # may stay for the suites after this one.
        for mnt in reversed(leftover_mounts()):
            subprocess.run(['umount', '-l', mnt], check=False)
        subprocess.run(['rm', '-rf', BASE, tar], check=False)


def stats(out, config):
    """fusepass's counters for a configuration's connection."""
    with open(os.path.join(out, 'stats-%s.txt' % config)) as fh:
        text = fh.read()
    print('%s:\n%s' % (config, text))
    counters = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[-1].isdigit():
            counters[' '.join(words[:-1])] = int(words[-1])
    return counters


def test_every_configuration_mounts_as_it_claims(run):
    out, meta, _ = run
    mounted = {}
    with open(os.path.join(out, 'bench.log')) as fh:
        for line in fh:     # "TIME config NAME mounted as TYPE"
            words = line.split()
            if words[1:2] == ['config'] and words[3:5] == ['mounted', 'as']:
                mounted[words[2]] = words[5]
    for c in meta['configs']:
        print('%-12s %-8s %s %s' % (c['name'], c['status'],
                                    mounted.get(c['name'], ''), c['reason']))
    status = {c['name']: c['status'] for c in meta['configs']}
    # The kernel's FUSE passthrough is a kernel option (6.9 and newer);
    # everything else is built by make check and must be measured.
    wanted = set(status) - {'fuse-open'}
    assert {n for n in wanted if status[n] != 'ok'} == set()
    assert status['fuse-open'] != 'failed'
    for name in FUSEPASS_CONFIGS:
        assert mounted[name].split('.')[0] == 'fusepass', name
    assert mounted['fuse-ll'].split('.')[0] == 'fuse'
    assert mounted['overlay'] == 'overlay'


def test_every_workload_measured_on_every_configuration(run):
    _, meta, runs = run
    active = [c for c in meta['configs'] if c['status'] == 'ok']
    done = {(r['workload'], r['config']): r for r in runs}
    missing, failed = [], []
    for w in meta['workloads']:
        for c in active:
            if w['writes'] and c['ro']:
                continue
            r = done.get((w['name'], c['name']))
            if r is None:
                missing.append((w['name'], c['name']))
            elif 'error' in r or not r.get('value', 0) > 0:
                failed.append((w['name'], c['name'], r.get('error')))
    assert missing == [] and failed == []
    assert len(runs) == sum(1 for w in meta['workloads'] for c in active
                            if not (w['writes'] and c['ro']))


def test_report_and_chart(run):
    out, meta, runs = run
    text, problems = report.results_report(out, os.environ['LABEL'],
                                           os.environ['KVER'], [])
    print(text)
    assert problems == []
    names = [c['name'] for c in meta['configs'] if c['status'] == 'ok']
    header = next(line for line in text.splitlines()
                  if line.startswith('| workload | native |'))
    assert header.split('|')[3:-1] == [' %s ' % n for n in names[1:]]
    for w in meta['workloads']:
        row = next(line for line in text.splitlines()
                   if line.startswith('| %s |' % w['title']))
        assert 'error' not in row, row
    with open(os.path.join(out, 'runs.csv')) as fh:
        assert len(fh.readlines()) == len(runs) + 1
    with open(os.path.join(out, 'ratios.png'), 'rb') as fh:
        assert fh.read(8) == b'\x89PNG\r\n\x1a\n'


def test_fusepass_configurations_took_their_path(run):
    """Per-open passthrough passed data through, plain FUSE sent it to the
    daemon, the example daemon let the kernel serve its tree."""
    out, _, _ = run
    fp_open = stats(out, 'fp-open')
    assert fp_open['passthrough_read'] > 0
    assert fp_open['passthrough_write'] > 0
    assert 'request READ' not in fp_open and 'request WRITE' not in fp_open
    fp_daemon = stats(out, 'fp-daemon')
    assert fp_daemon['request READ'] > 0 and fp_daemon['request WRITE'] > 0
    assert fp_daemon['passthrough_read'] == 0
    stacked = stats(out, 'fp-stacked')
    assert stacked['backed_ops'] > 0
    for op in ('READ', 'WRITE', 'READDIR', 'READDIRPLUS', 'OPEN'):
        assert 'request ' + op not in stacked, op
