// SPDX-License-Identifier: GPL-2.0
/*
 * openers - call the functions libfusepass-preload.so wraps, the way
 * programs reach them, and print what each returned.
 *
 *   openers variants PATH        open, open64, openat, openat64 and the
 *                                _FORTIFY_SOURCE __open*_2 entry points
 *   openers dlsym PATH           open/open64/openat found with dlsym()
 *                                (RTLD_DEFAULT and RTLD_NEXT)
 *   openers creat PATH MODE REAL O_CREAT through open, open64, openat,
 *                                openat64 (umask 0): prints the modes;
 *                                REAL, where the file really is (PATH
 *                                rewritten), is removed after each
 *   openers tmpfile PATH MODE    O_TMPFILE through open: prints the mode
 *   openers mount TYPE TARGET    mount("openers", TARGET, TYPE, 0, NULL);
 *                                TYPE "NULL" passes a null pointer
 *   openers threads N M PATH     N threads opening PATH M times each
 *   openers chdir-open DIR PATH  chdir(DIR), then open(PATH)
 *
 * One line per call: "NAME = RET ERRNO-NAME" (ERRNO-NAME "0" on success).
 * Built without _FORTIFY_SOURCE so that each name is called as written.
 */
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int open64(const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static void report(const char *name, int ret)
{
	int err = errno;

	printf("%s = %d %s\n", name, ret, ret < 0 ? strerrorname_np(err) : "0");
	if (ret >= 0)
		close(ret);
}

static void mode_of(const char *name, int fd)
{
	struct stat st;

	if (fd < 0) {
		printf("%s = -1 %s\n", name, strerrorname_np(errno));
		return;
	}
	fstat(fd, &st);
	printf("%s = mode %o\n", name, (unsigned int)(st.st_mode & 07777));
	close(fd);
}

static const char *thread_path;
static int thread_loops;

static void *opener(void *unused)
{
	int i, fd;

	(void)unused;
	for (i = 0; i < thread_loops; i++) {
		fd = open(thread_path, O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "variants") && argc == 3) {
		const char *p = argv[2];

		errno = 0; report("open", open(p, O_RDONLY));
		errno = 0; report("open64", open64(p, O_RDONLY));
		errno = 0; report("openat", openat(AT_FDCWD, p, O_RDONLY));
		errno = 0; report("openat64", openat64(AT_FDCWD, p, O_RDONLY));
		errno = 0; report("__open_2", __open_2(p, O_RDONLY));
		errno = 0; report("__open64_2", __open64_2(p, O_RDONLY));
		errno = 0; report("__openat_2", __openat_2(AT_FDCWD, p, O_RDONLY));
		errno = 0; report("__openat64_2", __openat64_2(AT_FDCWD, p, O_RDONLY));
		return 0;
	}
	if (!strcmp(cmd, "dlsym") && argc == 3) {
		int (*o)(const char *, int, ...) = dlsym(RTLD_DEFAULT, "open");
		int (*o64)(const char *, int, ...) = dlsym(RTLD_NEXT, "open64");
		int (*oat)(int, const char *, int, ...) = dlsym(RTLD_DEFAULT, "openat");

		report("dlsym(RTLD_DEFAULT, open)", o(argv[2], O_RDONLY));
		report("dlsym(RTLD_NEXT, open64)", o64(argv[2], O_RDONLY));
		report("dlsym(RTLD_DEFAULT, openat)", oat(AT_FDCWD, argv[2], O_RDONLY));
		return 0;
	}
	if (!strcmp(cmd, "creat") && argc == 5) {
		/* argv[4]: where the file really lands, removed after each */
		mode_t mode = strtoul(argv[3], NULL, 8);
		const char *p = argv[2];
		int fl = O_CREAT | O_EXCL | O_RDWR;

		umask(0);
		mode_of("open", open(p, fl, mode));
		unlink(argv[4]);
		mode_of("open64", open64(p, fl, mode));
		unlink(argv[4]);
		mode_of("openat", openat(AT_FDCWD, p, fl, mode));
		unlink(argv[4]);
		mode_of("openat64", openat64(AT_FDCWD, p, fl, mode));
		unlink(argv[4]);
		return 0;
	}
	if (!strcmp(cmd, "tmpfile") && argc == 4) {
		umask(0);
		mode_of("open", open(argv[2], O_TMPFILE | O_RDWR,
				     (mode_t)strtoul(argv[3], NULL, 8)));
		return 0;
	}
	if (!strcmp(cmd, "mount") && argc == 4) {
		const char *type = strcmp(argv[2], "NULL") ? argv[2] : NULL;
		int ret = mount("openers", argv[3], type, 0, NULL);

		printf("mount = %d %s\n", ret, ret < 0 ? strerrorname_np(errno) : "0");
		return 0;
	}
	if (!strcmp(cmd, "threads") && argc == 5) {
		int n = atoi(argv[2]), i;
		pthread_t *t = calloc(n, sizeof(*t));

		thread_loops = atoi(argv[3]);
		thread_path = argv[4];
		for (i = 0; i < n; i++)
			pthread_create(&t[i], NULL, opener, NULL);
		for (i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		printf("threads = 0 0\n");
		return 0;
	}
	if (!strcmp(cmd, "chdir-open") && argc == 4) {
		if (chdir(argv[2]) < 0)
			return 1;
		report("open", open(argv[3], O_RDONLY));
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of openers.c\n");
	return 2;
}
