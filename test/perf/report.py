#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Report a make bench run: report.py RESULTS_ROOT LABEL...

Reads what the guest left in RESULTS_ROOT/LABEL/ (configs.json, runs.json,
done, driver.rc, console.log, ...) and the host (host-errors.txt,
kver.txt), and writes there:
  runs.csv      every run, raw
  summary.json  per workload and configuration: the median, its range, the
                ratio of medians to native and the range of the per-
                repetition ratios (each repetition's run against native's
                run of the same repetition)
  ratios.md     the table of ratios, and the CPU time per operation
  ratios.png    the ratios as a chart (gnuplot), when gnuplot is there
then RESULTS_ROOT/targets.md (each of the benchmark's targets, met or
missed, per workload and kernel) and RESULTS_ROOT/summary.md with every
kernel's table and the targets, and prints it.
Exits non-zero when a kernel's run is incomplete: a host step failed, the
guest did not finish, a kernel splat, a configuration that should have
worked did not mount, or a run failed.
"""

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'lib'))
from verdict import SPLAT, read  # noqa: E402  the same splat check as make check


def fmt(x):
    if x is None:
        return '–'
    if x >= 100:
        return '%.0f' % x
    if x >= 10:
        return '%.1f' % x
    return '%.2f' % x


def label_report(root, label):
    """(markdown, problems) for one kernel; writes the label's files."""
    out = os.path.join(root, label)
    kver = (read(os.path.join(out, 'kver.txt'), '?') or '?').strip()
    return results_report(out, label, kver, boot_problems(out))


def boot_problems(out):
    """What went wrong around the driver: host steps, the boot, fusepass's
    loading, the driver's exit."""
    problems = []
    for line in (read(os.path.join(out, 'host-errors.txt'), '') or '').splitlines():
        problems.append('host: ' + line)
    console = read(os.path.join(out, 'console.log'), '') or ''
    splats = [l for l in console.splitlines() if SPLAT.search(l)]
    if splats:
        problems.append('kernel splat in console.log: ' + splats[0].strip())
    if not problems:
        if read(os.path.join(out, 'done')) is None:
            problems.append('the guest did not finish (see console.log)')
        if (read(os.path.join(out, 'insmod.rc'), '') or '').strip() != '0':
            problems.append('modprobe fusepass failed (see insmod.log)')
        elif (read(os.path.join(out, 'driver.rc'), '') or '').strip() != '0':
            problems.append('the benchmark driver failed (see driver.log)')
    return problems


def results_report(out, label, kver, problems):
    """(markdown, problems) from the driver's files in out (configs.json,
    runs.json), problems being those found before; writes runs.csv,
    summary.json, ratios.md and ratios.png there. Also used by the smoke
    run in make check (test/perf/test_smoke.py), whose driver runs in a
    suite rather than in a boot of its own."""
    meta = json.loads(read(os.path.join(out, 'configs.json'), 'null') or 'null')
    runs = json.loads(read(os.path.join(out, 'runs.json'), '[]') or '[]')
    head = '## %s (%s)\n\n' % (label, kver)
    if not meta:
        problems = problems or ['no results']
        return head + ''.join('- **%s**\n' % p for p in problems), problems

    configs = [c for c in meta['configs'] if c['status'] == 'ok']
    names = [c['name'] for c in configs]
    params = meta['params']
    for c in meta['configs']:
        if c['status'] == 'failed':
            problems.append('%s did not mount: %s' % (c['name'], c['reason']))
    for r in runs:
        if 'error' in r:
            problems.append('%s on %s, repetition %d: %s' % (
                r['workload'], r['config'], r['rep'] + 1, r['error']))

    with open(os.path.join(out, 'runs.csv'), 'w', newline='') as fh:
        keys = ['rep', 'workload', 'config', 'unit', 'value', 'ops',
                'seconds', 'wall_s', 'cpu_us_per_op', 'fio_cpu_us_per_op',
                'fio_usr_cpu', 'fio_sys_cpu', 'create_s', 'stat_s',
                'unlink_s', 'complete', 'error']
        w = csv.DictWriter(fh, keys, extrasaction='ignore')
        w.writeheader()
        w.writerows(runs)

    by = {}
    for r in runs:
        by.setdefault((r['workload'], r['config']), {})[r['rep']] = r
    summary = []
    for wl in meta['workloads']:
        native = by.get((wl['name'], 'native'), {})
        for cname in names:
            reps = by.get((wl['name'], cname))
            if not reps:
                continue
            vals = [r['value'] for r in reps.values() if 'value' in r]
            cpus = [r['cpu_us_per_op'] for r in reps.values()
                    if 'cpu_us_per_op' in r]
            ratios = [r['value'] / native[k]['value']
                      for k, r in reps.items()
                      if 'value' in r and 'value' in native.get(k, {})]
            nvals = [r['value'] for r in native.values() if 'value' in r]
            summary.append({
                'workload': wl['name'], 'config': cname, 'unit': wl['unit'],
                'n': len(vals),
                'median': statistics.median(vals) if vals else None,
                'min': min(vals) if vals else None,
                'max': max(vals) if vals else None,
                'ratio': statistics.median(vals) / statistics.median(nvals)
                if vals and nvals else None,
                'ratio_min': min(ratios) if ratios else None,
                'ratio_max': max(ratios) if ratios else None,
                'cpu_us_per_op': statistics.median(cpus) if cpus else None,
            })
    with open(os.path.join(out, 'summary.json'), 'w') as fh:
        json.dump({'label': label, 'kver': kver, 'params': params,
                   'configs': meta['configs'], 'summary': summary}, fh,
                  indent=1)
    cell = {(s['workload'], s['config']): s for s in summary}

    md = [head]
    md.append('%d repetition(s), each run stopped at %g s; big file %d MiB '
              '(read cold), small %d MiB (read cached); %d files; tree of '
              '%d entries.\n\n' % (params['reps'], params['seconds'],
                                   params['big_mb'], params['small_mb'],
                                   params['files'], params['tree_entries']))
    md.append('Ratio of medians to native ext4 (higher is better), with the '
              'range of the per-repetition ratios; native in its unit, '
              'median (min–max).\n\n')
    md.append('| workload | native | ' + ' | '.join(names[1:]) + ' |\n')
    md.append('|---|---:|' + '---:|' * (len(names) - 1) + '\n')
    for wl in meta['workloads']:
        row = ['%s' % wl['title']]
        n = cell.get((wl['name'], 'native'))
        row.append('%s %s (%s–%s)' % (fmt(n['median']), wl['unit'],
                                      fmt(n['min']), fmt(n['max']))
                   if n and n['median'] is not None else 'error')
        for cname in names[1:]:
            s = cell.get((wl['name'], cname))
            if not s:
                row.append('')
            elif s['ratio'] is None:
                row.append('error')
            elif s['n'] > 1:
                row.append('%s (%s–%s)' % (fmt(s['ratio']),
                                          fmt(s['ratio_min']),
                                          fmt(s['ratio_max'])))
            else:
                row.append(fmt(s['ratio']))
        md.append('| ' + ' | '.join(row) + ' |\n')
    md.append('\nCPU time per operation, µs (median; the workload\'s '
              'program and the daemon):\n\n')
    md.append('| workload | ' + ' | '.join(names) + ' |\n')
    md.append('|---|' + '---:|' * len(names) + '\n')
    for wl in meta['workloads']:
        md.append('| %s | ' % wl['title'] + ' | '.join(
            fmt(cell[(wl['name'], c)]['cpu_us_per_op'])
            if (wl['name'], c) in cell else '' for c in names) + ' |\n')
    md.append('\nConfigurations:\n\n')
    for c in meta['configs']:
        what = {'ok': 'measured', 'skipped': 'skipped: ' + c['reason'],
                'failed': 'FAILED: ' + c['reason']}[c['status']]
        if c['status'] == 'skipped' and c['reason'].startswith('not available'):
            what = c['reason']
        md.append('- `%s` %s: %s%s\n' % (c['name'], c['title'], what,
                                         ' (read-only workloads)'
                                         if c['ro'] else ''))
    if problems:
        md.append('\nProblems:\n\n' + ''.join('- **%s**\n' % p
                                              for p in problems))
    text = ''.join(md)
    with open(os.path.join(out, 'ratios.md'), 'w') as fh:
        fh.write('# fusepass benchmark\n\n' + text)
    chart(out, label, kver, meta['workloads'], names[1:], cell)
    return text, problems


def chart(out, label, kver, workloads, names, cell):
    """ratios.png: one group of bars per workload, one bar per config."""
    if not names or not shutil.which('gnuplot'):
        return
    dat = os.path.join(out, 'ratios.dat')
    with open(dat, 'w') as fh:
        fh.write('workload ' + ' '.join(names) + '\n')
        for wl in workloads:
            vals = []
            for c in names:
                s = cell.get((wl['name'], c))
                vals.append('%.4f' % s['ratio'] if s and s['ratio'] else '?')
            fh.write('"%s" %s\n' % (wl['name'], ' '.join(vals)))
    script = '''
set terminal pngcairo size 1200,600 noenhanced
set output '%s'
set title 'fusepass benchmark, %s (%s): throughput ratio to native ext4'
set datafile missing '?'
set style data histogram
set style histogram cluster gap 1
set style fill solid border -1
set boxwidth 0.9
set yrange [0:*]
set ylabel 'ratio to native (higher is better)'
set xtics rotate by -30
set key outside right top
set grid ytics
plot for [i=2:%d] '%s' using i:xtic(1) title columnhead, 1 with lines lc rgb 'black' dt 2 notitle
''' % (os.path.join(out, 'ratios.png'), label, kver, len(names) + 1, dat)
    r = subprocess.run(['gnuplot'], input=script, text=True,
                       capture_output=True)
    if r.returncode:
        print('gnuplot failed: %s' % r.stderr.strip(), file=sys.stderr)


# The targets: (title, configuration, against, workloads, minimum).
DATA = ('seqread-cold', 'seqread-warm', 'randread-cold', 'randread-warm',
        'seqwrite', 'randwrite')
META = ('create-stat-unlink', 'tree-readdir-stat', 'stat-walk', 'untar')
TARGETS = [
    ('no-daemon ≥ 0.95× native on data', 'fp-nodaemon', 'native', DATA, 0.95),
    ('no-daemon ≥ 0.9× native on metadata', 'fp-nodaemon', 'native', META,
     0.9),
    ('daemon-backed inodes (fusepass_mirror) ≥ 0.95× native on data',
     'fp-stacked', 'native', DATA, 0.95),
    ('daemon-backed inodes (fusepass_mirror) ≥ 0.9× native on metadata',
     'fp-stacked', 'native', META, 0.9),
    ('per-open passthrough ≥ 0.95× native on data', 'fp-open', 'native',
     DATA, 0.95),
    ('fusepass plain FUSE ≥ 1.0× the kernel\'s FUSE, same passthrough_ll',
     'fp-daemon', 'fuse-ll', DATA + META, 1.0),
]


def targets_report(root, labels):
    """Markdown: each target per workload and kernel, met or missed, by
    the ratio of medians, with the range of the per-repetition ratios."""
    data = {}
    for label in labels:
        meta = json.loads(read(os.path.join(root, label, 'configs.json'),
                               'null') or 'null')
        runs = json.loads(read(os.path.join(root, label, 'runs.json'),
                               '[]') or '[]')
        if meta:
            data[label] = (meta, runs)
    if not data:
        return ''
    titles = {w['name']: w['title'] for meta, _ in data.values()
              for w in meta['workloads']}
    md = ['## Targets\n\n"met" compares the ratio of medians with the '
          'target; in brackets the range of the per-repetition ratios.\n']
    for title, config, base, workloads, least in TARGETS:
        md.append('\n**%s** (`%s` / `%s`)\n\n' % (title, config, base))
        md.append('| workload | ' + ' | '.join(data) + ' |\n')
        md.append('|---|' + '---|' * len(data) + '\n')
        met = total = 0
        for wl in workloads:
            row = [titles.get(wl, wl)]
            for label, (meta, runs) in data.items():
                vals = {}
                for r in runs:
                    if r['workload'] == wl and 'value' in r:
                        vals.setdefault(r['config'], {})[r['rep']] = r['value']
                ours, theirs = vals.get(config), vals.get(base)
                if not ours or not theirs:
                    row.append('not measured')
                    continue
                ratio = (statistics.median(ours.values()) /
                         statistics.median(theirs.values()))
                per_rep = [v / theirs[k] for k, v in ours.items()
                           if k in theirs]
                total += 1
                met += ratio >= least
                row.append('%s %s (%s–%s)' % (
                    'met' if ratio >= least else '**missed**', fmt(ratio),
                    fmt(min(per_rep)), fmt(max(per_rep))))
            md.append('| ' + ' | '.join(row) + ' |\n')
        md.append('\nMet in %d of %d measured cells.\n' % (met, total))
    return ''.join(md)


def main():
    root, labels = sys.argv[1], sys.argv[2:]
    parts, failed = [], []
    for label in labels:
        text, problems = label_report(root, label)
        parts.append(text)
        if problems:
            failed.append(label)
    targets = targets_report(root, labels)
    with open(os.path.join(root, 'targets.md'), 'w') as fh:
        fh.write('# fusepass benchmark targets\n\n' + targets)
    text = ('# fusepass benchmark\n\nUnder emulation (TCG) only ratios '
            'within one run mean anything; see BENCHMARKS.md.\n\n' +
            '\n'.join(parts) + '\n' + targets)
    with open(os.path.join(root, 'summary.md'), 'w') as fh:
        fh.write(text)
    print(text)
    if failed:
        print('bench: incomplete on %s' % ' '.join(failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
