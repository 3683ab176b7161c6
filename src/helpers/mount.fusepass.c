// SPDX-License-Identifier: GPL-2.0
/*
 * mount.fusepass - mount helper for the fusepass filesystem.
 *
 *   mount.fusepass SOURCE DIR [-o OPTIONS] [-n] [-s] [-v] [--foreground]
 *
 * Called by mount(8) for "mount -t fusepass", or directly. It translates
 * what a file can say into what the kernel wants: root_dir=PATH is opened
 * here and passed as root_dir=FD (a value of digits only is taken as an
 * fd number already open in this process); generic options (ro, nosuid,
 * noatime, ...) become mount flags; userspace-only ones (defaults, noauto,
 * nofail, x-*, ...) are dropped. Everything else goes to the kernel.
 *
 * --foreground (-F) stays in the foreground until the mount is gone, then
 * exits 0, so a supervising process can treat the mount like a daemon.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *prog = "mount.fusepass";
static bool verbose;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(32);	/* mount(8): mount failure */
}

struct flag_opt {
	const char *name;
	unsigned long set;
	unsigned long clear;
};

static const struct flag_opt flag_opts[] = {
	{ "ro",		 MS_RDONLY,	 0 },
	{ "rw",		 0,		 MS_RDONLY },
	{ "nosuid",	 MS_NOSUID,	 0 },
	{ "suid",	 0,		 MS_NOSUID },
	{ "nodev",	 MS_NODEV,	 0 },
	{ "dev",	 0,		 MS_NODEV },
	{ "noexec",	 MS_NOEXEC,	 0 },
	{ "exec",	 0,		 MS_NOEXEC },
	{ "sync",	 MS_SYNCHRONOUS, 0 },
	{ "async",	 0,		 MS_SYNCHRONOUS },
	{ "dirsync",	 MS_DIRSYNC,	 0 },
	{ "noatime",	 MS_NOATIME,	 0 },
	{ "atime",	 0,		 MS_NOATIME },
	{ "nodiratime",	 MS_NODIRATIME,	 0 },
	{ "diratime",	 0,		 MS_NODIRATIME },
	{ "relatime",	 MS_RELATIME,	 0 },
	{ "norelatime",	 0,		 MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "lazytime",	 MS_LAZYTIME,	 0 },
	{ "nolazytime",	 0,		 MS_LAZYTIME },
};

/* Options meaningful to mount(8) or fstab only. */
static bool userspace_only(const char *opt)
{
	static const char *const names[] = {
		"defaults", "auto", "noauto", "user", "nouser", "users",
		"owner", "group", "_netdev", "nofail", "loud", "silent",
	};
	size_t i;

	if (!strncmp(opt, "x-", 2) || !strncmp(opt, "comment=", 8))
		return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(opt, names[i]))
			return true;
	return false;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void append(char **buf, size_t *len, const char *opt)
{
	size_t add = strlen(opt) + 1;
	char *n = realloc(*buf, *len + add + 1);

	if (!n)
		die("out of memory");
	if (*len)
		n[(*len)++] = ',';
	memcpy(n + *len, opt, add);
	*len += add - 1;
	*buf = n;
}

/*
 * Split @opts into mount flags and the kernel's data string, opening
 * root_dir= paths on the way.
 */
static char *parse_options(const char *opts, unsigned long *flags)
{
	char *copy = strdup(opts ? opts : "");
	char *data = NULL, *opt, *save = NULL;
	size_t len = 0;

	if (!copy)
		die("out of memory");
	for (opt = strtok_r(copy, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		const struct flag_opt *f = NULL;
		size_t i;

		for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++)
			if (!strcmp(opt, flag_opts[i].name))
				f = &flag_opts[i];
		if (f) {
			*flags = (*flags & ~f->clear) | f->set;
			continue;
		}
		if (userspace_only(opt))
			continue;
		if (!strncmp(opt, "root_dir=", 9) && !all_digits(opt + 9)) {
			const char *path = opt + 9;
			char fdopt[32];
			int fd;

			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				die("root_dir %s: %s", path, strerror(errno));
			snprintf(fdopt, sizeof(fdopt), "root_dir=%d", fd);
			append(&data, &len, fdopt);
			continue;
		}
		append(&data, &len, opt);
	}
	free(copy);
	return data ? data : strdup("");
}

/* The mount id of what is mounted at @dir, from /proc/self/mountinfo. */
static int mount_id_of(const char *dir)
{
	struct stat st;
	char *line = NULL;
	size_t cap = 0;
	int id = -1;
	FILE *f;

	if (stat(dir, &st) < 0)
		return -1;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	/* The last entry for our device wins: mounts stack in order. */
	while (getline(&line, &cap, f) > 0) {
		unsigned int maj, min;
		int mid, pid;

		if (sscanf(line, "%d %d %u:%u", &mid, &pid, &maj, &min) != 4)
			continue;
		if (makedev(maj, min) == st.st_dev && strstr(line, " - fusepass "))
			id = mid;
	}
	free(line);
	fclose(f);
	return id;
}

static bool mount_id_present(int id)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		int mid;

		if (sscanf(line, "%d", &mid) == 1 && mid == id)
			found = true;
	}
	free(line);
	fclose(f);
	return found;
}

/*
 * Wait until mount @id disappears. /proc/self/mounts signals POLLPRI on
 * every change of the mount table; a timeout covers a missed wakeup.
 */
static void wait_unmounted(int id)
{
	int fd = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);

	while (mount_id_present(id)) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };

		if (fd < 0 || poll(&pfd, 1, 1000) < 0)
			usleep(100 * 1000);
	}
	if (fd >= 0)
		close(fd);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s SOURCE DIR [-o OPTIONS] [-n] [-s] [-v] [--foreground]\n"
		"  e.g. %s none /mnt -o root_dir=/srv/data,no_daemon\n",
		prog, prog);
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ "options", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *options = NULL, *source, *dir;
	unsigned long flags = 0;
	bool foreground = false;
	char *data;
	int c, id;

	while ((c = getopt_long(argc, argv, "o:Fnsvdt:N:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			options = optarg;
			break;
		case 'F':
			foreground = true;
			break;
		case 'v':
		case 'd':
			verbose = true;
			break;
		case 'n':	/* no mtab: there is none to write */
		case 's':	/* sloppy: unknown options are the kernel's call */
		case 't':
		case 'N':
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	source = argv[optind];
	dir = argv[optind + 1];

	data = parse_options(options, &flags);
	if (verbose)
		fprintf(stderr, "%s: mount(\"%s\", \"%s\", \"fusepass\", %#lx, \"%s\")\n",
			prog, source, dir, flags, data);
	if (mount(source, dir, "fusepass", flags, data) < 0) {
		int err = errno;

		if (err == ENODEV)
			die("mounting %s: the fusepass module is not loaded (modprobe fusepass)",
			    dir);
		die("mounting %s: %s%s", dir, strerror(err),
		    err == EINVAL || err == EPERM || err == ELOOP ?
		    " (the kernel log says why)" : "");
	}
	free(data);

	if (foreground) {
		id = mount_id_of(dir);
		if (id < 0)
			die("mounted %s but cannot find it in /proc/self/mountinfo",
			    dir);
		wait_unmounted(id);
	}
	return 0;
}
