// SPDX-License-Identifier: GPL-2.0
/*
 * metabench - the metadata workloads of make bench, timed without an
 * interpreter in the way. Each stops at its deadline (SECONDS) and reports
 * what it finished, as one JSON object on stdout.
 *
 *   metabench csu DIR N SECONDS     create N empty files in DIR (made),
 *                                   stop creating at the deadline, then
 *                                   stat and unlink what was created
 *   metabench walk DIR SECONDS      readdir + lstat of every entry below DIR
 *   metabench statlist DIR LIST SECONDS [MAX]
 *                                   lstat each path of LIST (one a line,
 *                                   relative to DIR; the first MAX), no
 *                                   readdir
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "metabench: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static int csu(const char *dir, long n, double deadline)
{
	char name[32];
	struct stat st;
	double t0, t1, t2, t3;
	long i, made;
	int dfd, fd;

	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		die("open", dir);
	t0 = now();
	for (made = 0; made < n && now() < deadline; made++) {
		snprintf(name, sizeof(name), "f%ld", made);
		fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			die("create", name);
		close(fd);
	}
	t1 = now();
	for (i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "f%ld", i);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
			die("stat", name);
	}
	t2 = now();
	for (i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "f%ld", i);
		if (unlinkat(dfd, name, 0))
			die("unlink", name);
	}
	t3 = now();
	close(dfd);
	printf("{\"ops\": %ld, \"seconds\": %.6f, \"create_s\": %.6f, "
	       "\"stat_s\": %.6f, \"unlink_s\": %.6f}\n",
	       made, t3 - t0, t1 - t0, t2 - t1, t3 - t2);
	return 0;
}

static long walked;

/* Depth first, one directory open at a time per level. */
static void walk_dir(int dfd, double deadline)
{
	struct dirent *de;
	struct stat st;
	DIR *d = fdopendir(dfd);
	int sub;

	if (!d)
		die("fdopendir", "");
	while ((de = readdir(d)) && now() < deadline) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			die("stat", de->d_name);
		walked++;
		if (!S_ISDIR(st.st_mode))
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY);
		if (sub < 0)
			die("open", de->d_name);
		walk_dir(sub, deadline);
	}
	closedir(d);
}

static int walk(const char *dir, double deadline)
{
	double t0 = now();
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);

	if (dfd < 0)
		die("open", dir);
	walk_dir(dfd, deadline);
	printf("{\"ops\": %ld, \"seconds\": %.6f}\n", walked, now() - t0);
	return 0;
}

static int statlist(const char *dir, const char *list, double deadline,
		    long max)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct stat st;
	long n = 0;
	double t0;
	FILE *f = fopen(list, "r");

	if (!f)
		die("open", list);
	if (chdir(dir))
		die("chdir", dir);
	t0 = now();
	while (n < max && (len = getline(&line, &cap, f)) > 0 &&
	       now() < deadline) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (lstat(line, &st))
			die("stat", line);
		n++;
	}
	printf("{\"ops\": %ld, \"seconds\": %.6f}\n", n, now() - t0);
	free(line);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "csu"))
		return csu(argv[2], atol(argv[3]), now() + atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "walk"))
		return walk(argv[2], now() + atof(argv[3]));
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "statlist"))
		return statlist(argv[2], argv[3], now() + atof(argv[4]),
				argc == 6 ? atol(argv[5]) : LONG_MAX);
	fprintf(stderr, "usage: metabench csu DIR N SECONDS | walk DIR SECONDS | "
		"statlist DIR LIST SECONDS [MAX]\n");
	return 2;
}
