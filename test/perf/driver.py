#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark run in the guest: driver.py OUTDIR (test/guest/bench).

Mounts every configuration at once over one backing tree on the scratch
ext4, then for each repetition runs each workload on each configuration
in turn (the order of configurations rotates with the repetition), so that
the emulator's drift hits all of them alike. Writes OUTDIR/configs.json
(each configuration: ok, skipped or failed, with the reason) and
OUTDIR/runs.json (one record per run), and its log to OUTDIR/bench.log.

Every figure is a rate (higher is better): MiB/s, IOPS, or metadata
operations per second. A run stops at BENCH_SECONDS; metadata workloads
report the rate over what they finished by then. cpu_us_per_op is the CPU
time (user + system) per operation of the timed program (fio: as fio
reports it for its I/O, without its start-up) plus that of the
configuration's daemon, if any, over the same time; fio_cpu_us_per_op is
fio's part alone.

Parameters (environment, written by test/bench into bench.env): BENCH_REPS,
BENCH_SECONDS, BENCH_BIG_MB, BENCH_SMALL_MB, BENCH_FILES, BENCH_TREE (a tar
of the tree to walk and extract), METABENCH, LIBFUSE_314, LIBFUSE_317,
FUSEPASS_RUN, FUSEPASS_MIRROR (src/examples' fusepass_mirror), KERNEL_CONFIG
(the kernel's config file).
"""

import json
import mmap
import os
import resource
import shutil
import subprocess
import sys
import time

ENV = os.environ
REPS = int(ENV.get('BENCH_REPS', '3'))
SECS = float(ENV.get('BENCH_SECONDS', '2'))
BIG_MB = int(ENV.get('BENCH_BIG_MB', '512'))
SMALL_MB = int(ENV.get('BENCH_SMALL_MB', '32'))
FILES = int(ENV.get('BENCH_FILES', '10000'))
TREE_TAR = ENV['BENCH_TREE']
METABENCH = ENV['METABENCH']
LIBFUSE_314 = ENV.get('LIBFUSE_314', '')
LIBFUSE_317 = ENV.get('LIBFUSE_317', '')
FUSEPASS_RUN = ENV.get('FUSEPASS_RUN', '/usr/bin/fusepass-run')
MIRROR = ENV.get('FUSEPASS_MIRROR', '')

BASE = '/tmp/bench'
BACK = BASE + '/back'          # the backing tree of every configuration
RO = BACK + '/ro'              # what read-only workloads read
MNT = BASE + '/mnt'
EMPTY = BASE + '/empty'
USER_HZ = os.sysconf('SC_CLK_TCK')

OUT = sys.argv[1]
LOG = open(os.path.join(OUT, 'bench.log'), 'a', buffering=1)


def log(*args):
    print(time.strftime('%T'), *args, file=LOG)


def console(msg):
    with open('/dev/console', 'w') as fh:
        print('fusepass-bench: %s' % msg, file=fh)


def sh(*cmd, check=True, **kw):
    log('$', ' '.join(cmd))
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


# Programs the runs start. drop_caches would throw them and their libraries
# out of the guest's page cache too, and their root is the host's / over
# 9p (cache=loose): Debian's fio links some 60 libraries (84 MB, librados,
# glusterfs...), and reading them back over 9p under TCG took about 10 s of
# wall time per cold run. Pages mapped by a process are never dropped, so
# pin() maps them, populated, for the whole run: the cold runs stay cold
# for the filesystem measured, not for the tools measuring it.
PINNED = []


def pin(*progs):
    files = {'/etc/ld.so.cache'}
    for prog in progs:
        path = shutil.which(prog) or prog
        files.add(os.path.realpath(path))
        r = subprocess.run(['ldd', path], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, check=False)
        files.update(os.path.realpath(w) for line in r.stdout.splitlines()
                     for w in line.split() if w.startswith('/'))
    size = 0
    for path in sorted(files):
        try:
            with open(path, 'rb') as fh:
                PINNED.append(mmap.mmap(
                    fh.fileno(), 0, flags=mmap.MAP_SHARED | mmap.MAP_POPULATE,
                    prot=mmap.PROT_READ))
            size += len(PINNED[-1])
        except (OSError, ValueError) as e:
            log('pin', path, 'failed:', e)
    log('pinned %d files, %d MB' % (len(PINNED), size >> 20))


def drop_caches():
    os.sync()
    with open('/proc/sys/vm/drop_caches', 'w') as fh:
        fh.write('3\n')


class Meter:
    """CPU time of the timed program and the daemon. start() is called
    right before each timed command (warming passes come before it), so
    what is measured is the last command of a workload."""

    def __init__(self):
        self.daemon = None

    @staticmethod
    def _pid_cpu(pid):
        try:
            with open('/proc/%d/stat' % pid) as fh:
                f = fh.read().rpartition(')')[2].split()
            return (int(f[11]) + int(f[12])) / USER_HZ  # utime + stime
        except (OSError, TypeError):
            return 0.0

    @staticmethod
    def _children_cpu():
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    def begin(self, config):
        self.daemon = config.daemon.pid if config.daemon else None
        self.start()

    def start(self):
        self.d0 = self._pid_cpu(self.daemon)
        self.c0 = self._children_cpu()

    def cpu_us_per_op(self, rec):
        daemon = self._pid_cpu(self.daemon) - self.d0
        if 'fio_cpu_us_per_op' in rec:
            return rec['fio_cpu_us_per_op'] + daemon * 1e6 / rec['ops']
        return (self._children_cpu() - self.c0 + daemon) * 1e6 / rec['ops']


METER = Meter()


def mount_type(path):
    """The type of the last mount on path, or None."""
    found = None
    with open('/proc/self/mountinfo') as fh:
        for line in fh:
            left, _, right = line.partition(' - ')
            if left.split()[4] == path:
                found = right.split()[0]
    return found


def kernel_has(option):
    try:
        with open(ENV.get('KERNEL_CONFIG', '')) as fh:
            return any(line.strip() == option + '=y' for line in fh)
    except OSError:
        return False


# --- configurations --------------------------------------------------------

class Config:
    """One way of reaching the backing tree. ro: read-only workloads only."""

    def __init__(self, name, title, start=None, want=None, ro=False,
                 need=None):
        self.name, self.title, self.ro = name, title, ro
        self.start_fn, self.want, self.need = start, want, need
        # native: the backing tree itself, no mount at all
        self.native = name == 'native'
        self.mnt = BACK if self.native else MNT + '/' + name
        self.daemon = None
        self.status, self.reason = 'ok', ''

    # Where the workloads find the read-only data and may write.
    def ro_path(self):
        return self.mnt if self.ro else self.mnt + '/ro'

    def rw_path(self):
        return self.mnt + '/rw/' + self.name

    def start(self):
        if self.need:
            missing = self.need()
            if missing:
                self.status, self.reason = 'skipped', missing
                return
        if self.start_fn is None:
            self.status = 'skipped'
            return
        if self.native:
            return
        os.makedirs(self.mnt, exist_ok=True)
        try:
            self.start_fn(self)
            self.wait_mounted()
        except Exception as e:          # recorded, the others go on
            self.status, self.reason = 'failed', str(e)
            log('config', self.name, 'failed:', e)
            self.stop()

    def spawn(self, *cmd):
        log('$', ' '.join(cmd), '&')
        logf = open(os.path.join(OUT, 'daemon-%s.log' % self.name), 'w')
        self.daemon = subprocess.Popen(cmd, stdout=logf, stderr=logf,
                                       stdin=subprocess.DEVNULL)

    def wait_mounted(self):
        for _ in range(300):
            if os.path.ismount(self.mnt):
                break
            if self.daemon and self.daemon.poll() is not None:
                raise RuntimeError('daemon exited with status %d (see '
                                   'daemon-%s.log)' % (self.daemon.returncode,
                                                       self.name))
            time.sleep(0.1)
        else:
            raise RuntimeError('not mounted after 30 s')
        fstype = mount_type(self.mnt) or ''
        # A daemon meant for fusepass that reached the kernel's FUSE (or
        # the reverse) would measure the wrong thing.
        if self.want and not fstype.split('.')[0] == self.want:
            raise RuntimeError('mounted as %s, not %s' % (fstype, self.want))
        log('config', self.name, 'mounted as', fstype)

    def stop(self):
        if not self.native and os.path.ismount(self.mnt):
            sh('umount', self.mnt, check=False)
        if self.daemon:
            try:
                self.daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()


def start_nodaemon(c):
    sh('mount', '-t', 'fusepass', '-o', 'root_dir=%s,no_daemon' % BACK,
       'none', c.mnt)


def passthrough_ll(c, run=()):
    c.spawn(*run, LIBFUSE_314 + '/example/passthrough_ll', '-f',
            '-o', 'source=' + BACK, c.mnt)


def passthrough_hp(c, run=()):
    c.spawn(*run, LIBFUSE_317 + '/example/passthrough_hp', '--foreground',
            BACK, c.mnt)


def start_mirror(c):
    # The daemon answers the root's LOOKUPs with BACKING blocks (1 s entry
    # timeout, its default); below ro/ and rw/ the kernel serves alone.
    c.spawn(FUSEPASS_RUN, MIRROR, BACK, c.mnt, '-f')


def start_overlay(c):
    # No upper layer: a read-only overlay, which wants two lower layers;
    # the second is empty, so every lookup ends in the first.
    sh('mount', '-t', 'overlay', '-o', 'lowerdir=%s:%s' % (RO, EMPTY),
       'overlay', c.mnt)


def need_314():
    if not os.access(LIBFUSE_314 + '/example/passthrough_ll', os.X_OK):
        return 'libfuse 3.14 not built'
    return None


def need_317():
    if not LIBFUSE_317 or not os.access(
            LIBFUSE_317 + '/example/passthrough_hp', os.X_OK):
        return 'not built: libfuse 3.17.2 (its build is not in this tree yet)'
    return None


def need_mirror():
    if not os.access(MIRROR, os.X_OK):
        return 'not built: the example daemon fusepass_mirror'
    return None


def need_kernel_passthrough():
    if not kernel_has('CONFIG_FUSE_PASSTHROUGH'):
        return 'the kernel\'s FUSE has no passthrough (CONFIG_FUSE_PASSTHROUGH)'
    return need_317()


CONFIGS = [
    Config('native', 'ext4 (native)', lambda c: None),
    Config('fp-nodaemon', 'fusepass no-daemon', start_nodaemon, 'fusepass'),
    Config('fp-open', 'fusepass per-open passthrough (3.17.2 passthrough_hp)',
           lambda c: passthrough_hp(c, (FUSEPASS_RUN,)), 'fusepass',
           need=need_317),
    Config('fp-daemon', 'fusepass plain FUSE (3.14 passthrough_ll)',
           lambda c: passthrough_ll(c, (FUSEPASS_RUN,)), 'fusepass',
           need=need_314),
    Config('fuse-ll', 'kernel FUSE (3.14 passthrough_ll)', passthrough_ll,
           'fuse', need=need_314),
    Config('fuse-open', 'kernel FUSE passthrough (3.17.2 passthrough_hp)',
           passthrough_hp, 'fuse', need=need_kernel_passthrough),
    Config('overlay', 'overlayfs, one lower dir (and an empty one)',
           start_overlay, 'overlay',
           ro=True),
    Config('fp-stacked', 'fusepass, the example daemon backing the tree '
           '(fusepass_mirror)', start_mirror, 'fusepass', need=need_mirror),
]

# --- workloads -------------------------------------------------------------


def fio(name, path, rw, bs, size_mb, extra=()):
    cmd = ['fio', '--output-format=json', '--name=' + name,
           '--filename=' + path, '--rw=' + rw, '--bs=' + bs,
           '--size=%dM' % size_mb, '--ioengine=psync', '--invalidate=0',
           '--fallocate=none', '--runtime=%g' % SECS,
           # The whole BENCH_SECONDS, also where the file is done sooner
           # (a cached 32 MiB read takes about 0.1 s: too short to mean
           # anything); fio then starts over at its beginning.
           '--time_based'] + list(extra)
    METER.start()
    r = sh(*cmd, check=False)
    if r.returncode:
        raise RuntimeError('fio: ' + r.stdout.strip()[-300:])
    job = json.loads(r.stdout[r.stdout.index('{'):])['jobs'][0]
    ios = job['read']['total_ios'] + job['write']['total_ios']
    if not ios:
        raise RuntimeError('fio did no I/O')
    d = job['write'] if rw.endswith('write') else job['read']
    run_ms = job['read']['runtime'] + job['write']['runtime']
    return {
        'ops': ios,
        'value': d['bw_bytes'] / 2**20 if bs == '1M' else d['iops'],
        'fio_usr_cpu': job['usr_cpu'], 'fio_sys_cpu': job['sys_cpu'],
        'fio_cpu_us_per_op': (job['usr_cpu'] + job['sys_cpu']) / 100
        * run_ms * 1000 / ios,
    }


def metabench(*args):
    METER.start()
    r = sh(METABENCH, *args, check=False)
    if r.returncode:
        raise RuntimeError(r.stdout.strip()[-300:])
    res = json.loads(r.stdout)
    if not res['ops']:
        raise RuntimeError('no operation finished in %g s' % SECS)
    res['value'] = res['ops'] / res['seconds']
    return res


def warm(path):
    # Read once, as fio would, but without a second fio start (about 2 s
    # of wall time under TCG, for nothing measured).
    with open(path, 'rb', buffering=0) as fh:
        while fh.read(1 << 20):
            pass


def seq_read_cold(c, rep):
    drop_caches()
    return fio('seqread', c.ro_path() + '/big', 'read', '1M', BIG_MB)


def seq_read_warm(c, rep):
    warm(c.ro_path() + '/small')
    return fio('seqread', c.ro_path() + '/small', 'read', '1M', SMALL_MB)


def rand_read_cold(c, rep):
    drop_caches()
    return fio('randread', c.ro_path() + '/big', 'randread', '4k', BIG_MB)


def rand_read_warm(c, rep):
    warm(c.ro_path() + '/small')
    return fio('randread', c.ro_path() + '/small', 'randread', '4k',
               SMALL_MB)


def written(path, *args):
    """fio on a file of its own, removed afterwards through the mount (the
    daemon's own references to it must go too, or its space stays taken)."""
    try:
        return fio(*args)
    finally:
        if os.path.exists(path):
            os.unlink(path)


def seq_write(c, rep):
    path = '%s/seq%d' % (c.rw_path(), rep)
    return written(path, 'seqwrite', path, 'write', '1M', BIG_MB,
                   ['--end_fsync=1'])


def rand_write(c, rep):
    # Written whole first (fio's layout, not timed), then overwritten.
    path = '%s/rand%d' % (c.rw_path(), rep)
    return written(path, 'randwrite', path, 'randwrite', '4k', SMALL_MB,
                   ['--end_fsync=1'])


def create_stat_unlink(c, rep):
    return metabench('csu', '%s/csu%d' % (c.rw_path(), rep), str(FILES),
                     str(SECS))


def tree_walk_cold(c, rep):
    drop_caches()
    return metabench('walk', c.ro_path() + '/tree', str(SECS))


def stat_walk_warm(c, rep):
    # The timed pass stats what the warming pass reached in as long.
    args = ('statlist', c.ro_path() + '/tree', RO + '/paths.list')
    reached = metabench(*args, str(SECS))['ops']
    return metabench(*args, str(SECS), str(reached))


def untar(c, rep):
    # Stopped after BENCH_SECONDS and 2 s more for tar to start: under TCG
    # starting a program takes a good part of a second, so the rate is
    # taken from the files' own change times in the backing tree (tar sets
    # each file's times as it closes it), from the first file to the last,
    # and counting there costs the configuration nothing.
    dest = '%s/untar%d' % (c.rw_path(), rep)
    back = '%s/rw/%s/untar%d' % (BACK, c.name, rep)
    os.makedirs(dest)
    METER.start()
    t0 = time.monotonic()
    r = sh('timeout', '%g' % (SECS + 2), 'tar', '-xf', BASE + '/tree.tar',
           '-C', dest, check=False)
    wall = time.monotonic() - t0
    if r.returncode not in (0, 124):
        raise RuntimeError('tar: ' + r.stdout.strip()[-300:])
    ctimes = [os.lstat(os.path.join(top, f)).st_ctime_ns
              for top, _, files in os.walk(back) for f in files]
    if len(ctimes) < 2:
        raise RuntimeError('fewer than 2 files extracted in %g s' %
                           (SECS + 2))
    secs = (max(ctimes) - min(ctimes)) / 1e9
    return {'ops': len(ctimes) - 1, 'seconds': secs,
            'value': (len(ctimes) - 1) / secs, 'wall_s_tar': wall,
            'complete': r.returncode == 0}


# name, title, unit, function, writes
WORKLOADS = [
    ('seqread-cold', 'seq read 1M, cold', 'MiB/s', seq_read_cold, False),
    ('seqread-warm', 'seq read 1M, cached', 'MiB/s', seq_read_warm, False),
    ('randread-cold', 'rand read 4k, cold', 'IOPS', rand_read_cold, False),
    ('randread-warm', 'rand read 4k, cached', 'IOPS', rand_read_warm, False),
    ('seqwrite', 'seq write 1M + fsync', 'MiB/s', seq_write, True),
    ('randwrite', 'rand write 4k + fsync', 'IOPS', rand_write, True),
    ('create-stat-unlink', 'create+stat+unlink %d files' % FILES, 'files/s',
     create_stat_unlink, True),
    ('tree-readdir-stat', 'readdir+stat of the tree, cold', 'entries/s',
     tree_walk_cold, False),
    ('stat-walk', 'stat of every path of the tree, cached', 'stats/s',
     stat_walk_warm, False),
    ('untar', 'tar extract of the tree', 'files/s', untar, True),
]

# --- the run ---------------------------------------------------------------


def prepare():
    """The backing tree, made natively: the data files, the tree, its
    path list, a copy of the tar on the scratch disk, a directory to
    write in for each configuration."""
    for d in [RO, MNT, EMPTY] + ['%s/rw/%s' % (BACK, c.name) for c in CONFIGS]:
        os.makedirs(d, exist_ok=True)
    for name, mb in (('big', BIG_MB), ('small', SMALL_MB)):
        sh('dd', 'if=/dev/urandom', 'of=%s/%s' % (RO, name), 'bs=1M',
           'count=%d' % mb, 'status=none')
    shutil.copy(TREE_TAR, BASE + '/tree.tar')
    os.makedirs(RO + '/tree')
    sh('tar', '-xf', BASE + '/tree.tar', '-C', RO + '/tree')
    n = 0
    with open(RO + '/paths.list', 'w') as fh:
        for top, dirs, files in os.walk(RO + '/tree'):
            for e in sorted(dirs) + sorted(files):
                print(os.path.relpath(os.path.join(top, e), RO + '/tree'),
                      file=fh)
                n += 1
    os.sync()
    return n


def main():
    # libfuse's passthrough_ll and passthrough_hp keep an fd per inode: the
    # tree alone has 20 000, above the default hard limit of 4096 (the
    # daemon then fails lookups with EMFILE). As root, raise both limits to
    # the kernel's maximum; the daemons inherit them.
    with open('/proc/sys/fs/nr_open') as fh:
        nr_open = int(fh.read())
    resource.setrlimit(resource.RLIMIT_NOFILE, (nr_open, nr_open))
    # 4: no kernel message for each drop_caches below.
    with open('/proc/sys/vm/drop_caches', 'w') as fh:
        fh.write('4\n')
    t0 = time.monotonic()
    pin('fio', METABENCH, 'tar', 'timeout')
    entries = prepare()
    log('prepared: tree of %d entries in %.1f s' % (entries,
                                                    time.monotonic() - t0))
    for c in CONFIGS:
        c.start()
    active = [c for c in CONFIGS if c.status == 'ok']
    with open(os.path.join(OUT, 'configs.json'), 'w') as fh:
        json.dump({'configs': [{'name': c.name, 'title': c.title,
                                'status': c.status, 'reason': c.reason,
                                'ro': c.ro} for c in CONFIGS],
                   'workloads': [{'name': w[0], 'title': w[1], 'unit': w[2],
                                  'writes': w[4]} for w in WORKLOADS],
                   'params': {'reps': REPS, 'seconds': SECS,
                              'big_mb': BIG_MB, 'small_mb': SMALL_MB,
                              'files': FILES, 'tree_entries': entries}},
                  fh, indent=1)
    console('configurations: %s' % ' '.join(
        '%s=%s' % (c.name, c.status) for c in CONFIGS))

    runs = []
    for rep in range(REPS):
        console('repetition %d of %d' % (rep + 1, REPS))
        order = active[rep % len(active):] + active[:rep % len(active)]
        for wname, _, unit, fn, writes in WORKLOADS:
            for c in order:
                if writes and c.ro:
                    continue
                rec = {'rep': rep, 'config': c.name, 'workload': wname,
                       'unit': unit}
                METER.begin(c)
                w0 = time.monotonic()
                try:
                    rec.update(fn(c, rep))
                except Exception as e:
                    rec['error'] = str(e)
                    log('run', wname, c.name, 'failed:', e)
                rec['wall_s'] = time.monotonic() - w0
                if 'ops' in rec:
                    rec['cpu_us_per_op'] = METER.cpu_us_per_op(rec)
                runs.append(rec)
                log('run', json.dumps(rec))
        with open(os.path.join(OUT, 'runs.json'), 'w') as fh:
            json.dump(runs, fh, indent=1)

    # What per-open passthrough did, as the module counts it.
    for c in active:
        if c.want == 'fusepass':
            r = sh('fusepassctl', 'stat', c.mnt, check=False)
            with open(os.path.join(OUT, 'stats-%s.txt' % c.name), 'w') as fh:
                fh.write(r.stdout)
    for c in reversed(active):
        c.stop()
    console('finished in %.0f s' % (time.monotonic() - t0))


if __name__ == '__main__':
    main()
