// SPDX-License-Identifier: GPL-2.0
/*
 * blocker - make one system call on a FUSE mount and report how it ended.
 *
 *   blocker OP PATH [PATH2]
 *
 * Does what OP needs first (e.g. open the file for "read"), prints
 * "ready" and then makes the one call under test, which the daemon of the
 * test may hold unanswered; then prints
 *
 *   done RET ERRNO-NAME MILLISECONDS
 *
 * SIGUSR1 has a handler installed without SA_RESTART, so a signal makes a
 * call that the kernel gives up on return EINTR rather than restart.
 *
 * OP: stat lstat open read write readdir create mkdir unlink rmdir rename
 *     setxattr getxattr listxattr statfs fsync truncate access
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int prepare(const char *op, const char *path)
{
	int flags = -1, fd;

	if (!strcmp(op, "read"))
		flags = O_RDONLY;
	else if (!strcmp(op, "write") || !strcmp(op, "fsync"))
		flags = O_WRONLY;
	else if (!strcmp(op, "readdir"))
		flags = O_RDONLY | O_DIRECTORY;
	if (flags < 0)
		return -1;
	fd = open(path, flags);
	if (fd < 0) {
		printf("done -1 %s 0 (opening)\n", strerrorname_np(errno));
		exit(0);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	static char buf[65536];
	const char *op, *path, *path2;
	struct statfs sfs;
	struct stat st;
	double t0;
	long ret = -1;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: blocker OP PATH [PATH2]\n");
		return 2;
	}
	op = argv[1];
	path = argv[2];
	path2 = argc > 3 ? argv[3] : NULL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	memset(buf, 'w', sizeof(buf));

	fd = prepare(op, path);
	printf("ready\n");
	t0 = now_ms();
	errno = 0;
	if (!strcmp(op, "stat"))
		ret = stat(path, &st);
	else if (!strcmp(op, "lstat"))
		ret = lstat(path, &st);
	else if (!strcmp(op, "open"))
		ret = open(path, O_RDONLY);
	else if (!strcmp(op, "read"))
		ret = read(fd, buf, 4096);
	else if (!strcmp(op, "write"))
		ret = write(fd, buf, 4096);
	else if (!strcmp(op, "readdir"))
		ret = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	else if (!strcmp(op, "create"))
		ret = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	else if (!strcmp(op, "mkdir"))
		ret = mkdir(path, 0755);
	else if (!strcmp(op, "unlink"))
		ret = unlink(path);
	else if (!strcmp(op, "rmdir"))
		ret = rmdir(path);
	else if (!strcmp(op, "rename") && path2)
		ret = rename(path, path2);
	else if (!strcmp(op, "setxattr"))
		ret = setxattr(path, "user.blocker", "v", 1, 0);
	else if (!strcmp(op, "getxattr"))
		ret = getxattr(path, "user.blocker", buf, sizeof(buf));
	else if (!strcmp(op, "listxattr"))
		ret = listxattr(path, buf, sizeof(buf));
	else if (!strcmp(op, "statfs"))
		ret = statfs(path, &sfs);
	else if (!strcmp(op, "fsync"))
		ret = fsync(fd);
	else if (!strcmp(op, "truncate"))
		ret = truncate(path, 100);
	else if (!strcmp(op, "access"))
		ret = access(path, R_OK);
	else {
		fprintf(stderr, "blocker: unknown op %s\n", op);
		return 2;
	}
	printf("done %ld %s %.0f\n", ret, ret < 0 ? strerrorname_np(errno) : "0",
	       now_ms() - t0);
	return 0;
}
