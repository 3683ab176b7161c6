// SPDX-License-Identifier: GPL-2.0
/*
 * hammer - keep a mount busy with every kind of system call, and report
 * any call that does not come back.
 *
 *   hammer --mnt DIR --seed N --log FILE [--threads T] [--timeout SECS]
 *
 * T threads (default 4) loop over random operations on names below DIR
 * (f*, n*, d* as the hostile daemon's namespace has them): stat, open +
 * read, open + write, opendir + getdents (at most 64 calls), create,
 * unlink, rename, mkdir, rmdir, set/get/list/removexattr, statfs,
 * truncate, access, fsync. No signals are used: they would turn into
 * FUSE interrupts.
 *
 * Each finished operation is one line of FILE:
 *   START END OP ERRNO-NAME     (CLOCK_MONOTONIC seconds; "0" if it worked)
 * A watchdog prints "hung THREAD OP SECONDS" on stdout for any operation
 * running longer than SECS (default 30). The run ends when stdin reaches
 * EOF: the threads finish the operation they are in, and "done N" is
 * printed with the number of operations.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

static const char *mnt, *logpath;
static unsigned long long seed;
static int nthreads = 4;
static double timeout = 30;
static atomic_bool stop;
static atomic_long total;
static FILE *logf;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

struct worker {
	pthread_t tid;
	int id;
	uint64_t rng;
	_Atomic double busy_since;	/* 0: between operations */
	const char *_Atomic op;
	bool reported;
};

static struct worker workers[MAX_THREADS];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1DULL;
}

static void pick_name(struct worker *w, char *buf, size_t size, char kind)
{
	if (!kind)
		kind = "fnd"[rnd(w) % 3];
	snprintf(buf, size, "%s/%c%u", mnt, kind, (unsigned int)(rnd(w) % 8));
}

/* An operation: returns 0 or the errno of its first failing call. */
static int run_op(struct worker *w, const char *op)
{
	static char wbuf[8192];
	char path[4096], path2[4096], buf[8192];
	struct statfs sfs;
	struct stat st;
	int fd, i, err = 0;
	long n;

#define TRY(call) do { if ((call) < 0) { err = errno; goto out; } } while (0)
	fd = -1;
	if (!strcmp(op, "stat")) {
		pick_name(w, path, sizeof(path), 0);
		TRY(stat(path, &st));
	} else if (!strcmp(op, "stat-root")) {
		TRY(stat(mnt, &st));
	} else if (!strcmp(op, "read")) {
		pick_name(w, path, sizeof(path), 'f');
		TRY(fd = open(path, O_RDONLY));
		TRY(read(fd, buf, sizeof(buf)));
	} else if (!strcmp(op, "write")) {
		pick_name(w, path, sizeof(path), 'f');
		TRY(fd = open(path, O_WRONLY));
		TRY(write(fd, wbuf, 1 + rnd(w) % sizeof(wbuf)));
	} else if (!strcmp(op, "readdir")) {
		snprintf(path, sizeof(path), "%s%s", mnt, rnd(w) % 2 ? "" : "/d1");
		TRY(fd = open(path, O_RDONLY | O_DIRECTORY));
		/* bounded: a daemon may make a directory endless */
		for (i = 0; i < 64; i++) {
			TRY(n = syscall(SYS_getdents64, fd, buf, sizeof(buf)));
			if (n == 0)
				break;
		}
	} else if (!strcmp(op, "create")) {
		pick_name(w, path, sizeof(path), 'n');
		TRY(fd = open(path, O_CREAT | O_WRONLY | (rnd(w) % 2 ? O_EXCL : 0), 0644));
	} else if (!strcmp(op, "unlink")) {
		pick_name(w, path, sizeof(path), 'n');
		TRY(unlink(path));
	} else if (!strcmp(op, "rename")) {
		pick_name(w, path, sizeof(path), 'n');
		pick_name(w, path2, sizeof(path2), 'n');
		TRY(rename(path, path2));
	} else if (!strcmp(op, "mkdir")) {
		pick_name(w, path, sizeof(path), 'd');
		TRY(mkdir(path, 0755));
	} else if (!strcmp(op, "rmdir")) {
		pick_name(w, path, sizeof(path), 'd');
		TRY(rmdir(path));
	} else if (!strcmp(op, "setxattr")) {
		pick_name(w, path, sizeof(path), 0);
		TRY(setxattr(path, "user.h", "v", 1, 0));
	} else if (!strcmp(op, "getxattr")) {
		pick_name(w, path, sizeof(path), 0);
		TRY(getxattr(path, "user.h", buf, rnd(w) % 2 ? 0 : sizeof(buf)));
	} else if (!strcmp(op, "listxattr")) {
		pick_name(w, path, sizeof(path), 0);
		TRY(listxattr(path, buf, rnd(w) % 2 ? 0 : sizeof(buf)));
	} else if (!strcmp(op, "removexattr")) {
		pick_name(w, path, sizeof(path), 0);
		TRY(removexattr(path, "user.h"));
	} else if (!strcmp(op, "statfs")) {
		TRY(statfs(mnt, &sfs));
	} else if (!strcmp(op, "truncate")) {
		pick_name(w, path, sizeof(path), 'f');
		TRY(truncate(path, rnd(w) % 8192));
	} else if (!strcmp(op, "access")) {
		pick_name(w, path, sizeof(path), 0);
		TRY(access(path, R_OK | W_OK));
	} else if (!strcmp(op, "fsync")) {
		pick_name(w, path, sizeof(path), 'f');
		TRY(fd = open(path, O_WRONLY));
		TRY(fsync(fd));
	}
out:
	if (fd >= 0)
		close(fd);
	return err;
#undef TRY
}

static const char *const ops[] = {
	"stat", "stat-root", "read", "write", "readdir", "create", "unlink",
	"rename", "mkdir", "rmdir", "setxattr", "getxattr", "listxattr",
	"removexattr", "statfs", "truncate", "access", "fsync",
};

static void *work(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop)) {
		const char *op = ops[rnd(w) % (sizeof(ops) / sizeof(ops[0]))];
		double t0 = now(), t1;
		int err;

		w->op = op;
		atomic_store(&w->busy_since, t0);
		err = run_op(w, op);
		t1 = now();
		atomic_store(&w->busy_since, 0);
		pthread_mutex_lock(&log_lock);
		fprintf(logf, "%.6f %.6f %s %s\n", t0, t1, op,
			err ? strerrorname_np(err) ?: "?" : "0");
		pthread_mutex_unlock(&log_lock);
		atomic_fetch_add(&total, 1);
		/* a dead mount fails at once: keep the log readable */
		if (err)
			usleep(1000);
	}
	return NULL;
}

static void *watchdog(void *unused)
{
	int i;

	(void)unused;
	for (;;) {
		double t = now();

		for (i = 0; i < nthreads; i++) {
			double since = atomic_load(&workers[i].busy_since);

			if (since && t - since > timeout) {
				if (!workers[i].reported) {
					printf("hung %d %s %.1f\n", i, workers[i].op,
					       t - since);
					fflush(stdout);
					workers[i].reported = true;
				}
			} else {
				workers[i].reported = false;
			}
		}
		usleep(200 * 1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mnt", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	pthread_t wd;
	char c;
	int i, o;

	while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (o) {
		case 'm': mnt = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'l': logpath = optarg; break;
		case 'j': nthreads = atoi(optarg); break;
		case 't': timeout = atof(optarg); break;
		default: return 2;
		}
	}
	if (!mnt || !logpath || nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "usage: hammer --mnt DIR --seed N --log FILE "
			"[--threads T] [--timeout SECS]\n");
		return 2;
	}
	logf = fopen(logpath, "w");
	if (!logf) {
		perror(logpath);
		return 2;
	}
	for (i = 0; i < nthreads; i++) {
		workers[i].id = i;
		workers[i].rng = (seed + i + 1) * 0x9E3779B97F4A7C15ULL;
		pthread_create(&workers[i].tid, NULL, work, &workers[i]);
	}
	pthread_create(&wd, NULL, watchdog, NULL);
	while (read(0, &c, 1) > 0)
		;
	atomic_store(&stop, true);
	for (i = 0; i < nthreads; i++)
		pthread_join(workers[i].tid, NULL);
	fclose(logf);
	printf("done %ld\n", atomic_load(&total));
	fflush(stdout);
	return 0;
}
