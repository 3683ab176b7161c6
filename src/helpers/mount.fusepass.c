// SPDX-License-Identifier: GPL-2.0
/*
 * mount.fusepass - mount helper for the fusepass filesystem.
 *
 *   mount.fusepass SOURCE DIR [-o OPTIONS] [-t TYPE] [-n] [-s] [-v]
 *                  [--foreground]
 *
 * Called by mount(8) for "mount -t fusepass" and "mount -t fusepass.PROG",
 * or directly. Three ways to mount:
 *
 * - No daemon (no_daemon in OPTIONS): root_dir=PATH is opened here and
 *   passed as root_dir=FD (a value of digits only is taken as an fd number
 *   already open in this process); generic options (ro, nosuid, noatime,
 *   ...) become mount flags; userspace-only ones (defaults, noauto,
 *   nofail, x-*, ...) are dropped. Everything else goes to the kernel.
 *   --foreground (-F) stays until the mount is gone, then exits 0.
 *
 * - Daemon already connected (fd=N in OPTIONS): as above; the caller owns
 *   the open /dev/fusepass N.
 *
 * - Daemon mode (neither): libfuse's mount.fuse3 convention. The daemon
 *   program PROG comes from SOURCE "PROG#ARG", from "-t fusepass.PROG", or
 *   from this program's name "mount.fusepass.PROG" (then SOURCE is ARG).
 *   /dev/fusepass is opened here, fd=N,rootmode=,user_id=,group_id= are
 *   added unless given, the filesystem is mounted as "fusepass.PROG", and
 *   then PROG is executed as
 *
 *       PROG [ARG] /dev/fd/N [-o DAEMON_OPTIONS]
 *
 *   which libfuse >= 3.3 takes as "already mounted, this is the device".
 *   The kernel gets only the options it knows (see kernel_option()); the
 *   daemon gets all options but this helper's own (setuid=,
 *   drop_privileges, fd/rootmode/user_id/group_id, root_dir) and mount(8)'s
 *   (defaults, noauto, ...). -o setuid=USER runs PROG as USER;
 *   -o drop_privileges runs it with no capabilities at all and
 *   no_new_privs, so a daemon needs no privilege to serve a mount.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *prog = "mount.fusepass";
/*
 * Test builds (test/helpers/) point these at the kernel's FUSE, to check
 * daemon mode on a kernel without fusepass; installed builds cannot.
 */
#ifdef FUSEPASS_TEST_DEVICE
static const char *fp_device = FUSEPASS_TEST_DEVICE;
static const char *fp_type = FUSEPASS_TEST_TYPE;
#else
static const char *fp_device = "/dev/fusepass";
static const char *fp_type = "fusepass";
#endif
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

/* ---- daemon mode ---- */

/* Does @opts (comma separated) contain @name, or @name=... if it ends in '='? */
static bool has_option(const char *opts, const char *name)
{
	size_t len = strlen(name);
	const char *p = opts;

	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (name[len - 1] == '=' ? (n >= len && !strncmp(p, name, len)) :
		    (n == len && !strncmp(p, name, len)))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/*
 * Options the kernel's fusepass takes (besides the mount flags), as FUSE
 * takes them, plus the generic LSM ones the VFS handles. Anything else is
 * the daemon's business.
 */
static bool kernel_option(const char *opt)
{
	static const char *const keys[] = {
		"allow_other", "default_permissions",
		"max_read=", "blksize=", "subtype=", "rootmode=", "user_id=",
		"group_id=", "root_dir=",
		"context=", "fscontext=", "defcontext=", "rootcontext=",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i]);

		if (keys[i][n - 1] == '=' ? !strncmp(opt, keys[i], n) :
		    !strcmp(opt, keys[i]))
			return true;
	}
	return false;
}

/* Options this helper consumes in daemon mode; the daemon never sees them. */
static bool helper_option(const char *opt)
{
	return !strncmp(opt, "setuid=", 7) || !strcmp(opt, "drop_privileges") ||
	       !strncmp(opt, "rootmode=", 9) || !strncmp(opt, "user_id=", 8) ||
	       !strncmp(opt, "group_id=", 9) || !strncmp(opt, "root_dir=", 9);
}

struct daemon_mount {
	const char *program;	/* PROG */
	const char *arg;	/* ARG (the FUSE filesystem's "source"), or NULL */
	const char *fsname;	/* mount(2) source */
	char *subtype;
	unsigned long flags;
	char *kernel;		/* mount(2) data */
	size_t kernel_len;
	char *daemon;		/* -o for PROG */
	size_t daemon_len;
	const char *setuid_name;
	bool drop_privileges;
};

static void split_daemon_options(struct daemon_mount *dm, const char *opts)
{
	char *copy = strdup(opts ? opts : "");
	char *opt, *save = NULL;

	if (!copy)
		die("out of memory");
	for (opt = strtok_r(copy, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		const struct flag_opt *f = NULL;
		size_t i;

		if (userspace_only(opt))
			continue;
		if (!strncmp(opt, "setuid=", 7)) {
			dm->setuid_name = strdup(opt + 7);
			continue;
		}
		if (!strcmp(opt, "drop_privileges")) {
			dm->drop_privileges = true;
			continue;
		}
		if (!strncmp(opt, "fsname=", 7))
			dm->fsname = strdup(opt + 7);
		for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++)
			if (!strcmp(opt, flag_opts[i].name))
				f = &flag_opts[i];
		if (f)
			dm->flags = (dm->flags & ~f->clear) | f->set;
		if (!strncmp(opt, "subtype=", 8)) {
			/* It goes into the type, "fusepass.SUB", as libfuse does. */
			free(dm->subtype);
			dm->subtype = strdup(opt + 8);
		} else if (!strncmp(opt, "root_dir=", 9) && !all_digits(opt + 9)) {
			char fdopt[32];
			int fd = open(opt + 9, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (fd < 0)
				die("root_dir %s: %s", opt + 9, strerror(errno));
			snprintf(fdopt, sizeof(fdopt), "root_dir=%d", fd);
			append(&dm->kernel, &dm->kernel_len, fdopt);
		} else if (kernel_option(opt)) {
			append(&dm->kernel, &dm->kernel_len, opt);
		}
		if (!helper_option(opt))
			append(&dm->daemon, &dm->daemon_len, opt);
	}
	free(copy);
}

/* Is @name something execvp() would find? Checked before mounting. */
static bool findable(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (!path)
		path = "/bin:/usr/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", name);
		if (access(buf, X_OK) == 0)
			return true;
		path += n;
		if (*path)
			path++;
	}
	return false;
}

static int capset_all(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = (uint32_t)(caps >> 32),
		  .permitted = (uint32_t)(caps >> 32) },
	};

	return syscall(SYS_capset, &hdr, data);
}

/*
 * Become what the daemon should run as. For drop_privileges: empty the
 * bounding set and lock root's special treatment away while we still hold
 * CAP_SETPCAP, change user if asked, then drop every capability and set
 * no_new_privs, so that nothing the daemon executes can regain any.
 */
static void become_daemon_user(const struct daemon_mount *dm)
{
	struct passwd *pw = NULL;
	int cap;

	if (dm->setuid_name && *dm->setuid_name) {
		pw = getpwnam(dm->setuid_name);
		if (!pw)
			die("setuid=%s: no such user", dm->setuid_name);
	}
	if (dm->drop_privileges) {
		for (cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
			if (prctl(PR_CAPBSET_DROP, cap) < 0)
				die("drop_privileges: dropping capability %d: %s",
				    cap, strerror(errno));
		if (prctl(PR_SET_SECUREBITS,
			  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
			  SECBIT_KEEP_CAPS_LOCKED |
			  SECBIT_NO_CAP_AMBIENT_RAISE |
			  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) < 0)
			die("drop_privileges: securebits: %s", strerror(errno));
	}
	if (pw) {
		if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
		    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			die("setuid=%s: %s", dm->setuid_name, strerror(errno));
		setenv("HOME", pw->pw_dir, 1);
	} else if (!getenv("HOME")) {
		/* Started from fstab at boot: give the daemon a home. */
		pw = getpwuid(getuid());
		setenv("HOME", pw ? pw->pw_dir : "/", 0);
	}
	if (dm->drop_privileges) {
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			die("drop_privileges: ambient capabilities: %s",
			    strerror(errno));
		if (capset_all(0) < 0)
			die("drop_privileges: capset: %s", strerror(errno));
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			die("drop_privileges: no_new_privs: %s", strerror(errno));
	}
}

/*
 * Mount with a fresh /dev/fusepass connection and execute the daemon with
 * /dev/fd/N as its mountpoint. Does not return.
 */
static void daemon_mode(struct daemon_mount *dm, const char *dir)
{
	char opt[64], fdpath[32], *type, **argv;
	struct stat st;
	int fd, argc = 0;

	if (!findable(dm->program))
		die("%s: daemon program not found", dm->program);
	if (stat(dir, &st) < 0)
		die("%s: %s", dir, strerror(errno));

	fd = open(fp_device, O_RDWR);	/* no O_CLOEXEC: it is the daemon's */
	if (fd < 0)
		die("%s: %s%s", fp_device, strerror(errno),
		    errno == ENOENT ? " (modprobe fusepass)" : "");
	snprintf(opt, sizeof(opt), "fd=%d", fd);
	append(&dm->kernel, &dm->kernel_len, opt);
	if (!has_option(dm->kernel, "rootmode=")) {
		snprintf(opt, sizeof(opt), "rootmode=%o", st.st_mode & S_IFMT);
		append(&dm->kernel, &dm->kernel_len, opt);
	}
	if (!has_option(dm->kernel, "user_id=")) {
		snprintf(opt, sizeof(opt), "user_id=%u", getuid());
		append(&dm->kernel, &dm->kernel_len, opt);
	}
	if (!has_option(dm->kernel, "group_id=")) {
		snprintf(opt, sizeof(opt), "group_id=%u", getgid());
		append(&dm->kernel, &dm->kernel_len, opt);
	}

	if (asprintf(&type, "%s.%s", fp_type,
		     dm->subtype && *dm->subtype ? dm->subtype : dm->program) < 0)
		die("out of memory");
	if (verbose)
		fprintf(stderr, "%s: mount(\"%s\", \"%s\", \"%s\", %#lx, \"%s\")\n",
			prog, dm->fsname, dir, type, dm->flags, dm->kernel);
	if (mount(dm->fsname, dir, type, dm->flags, dm->kernel) < 0) {
		int err = errno;

		die("mounting %s: %s%s", dir, strerror(err),
		    err == ENODEV ? " (modprobe fusepass)" :
		    err == EINVAL || err == EPERM ? " (the kernel log says why)" : "");
	}

	become_daemon_user(dm);

	argv = calloc(6, sizeof(*argv));
	if (!argv)
		die("out of memory");
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
	argv[argc++] = (char *)dm->program;
	if (dm->arg)
		argv[argc++] = (char *)dm->arg;
	argv[argc++] = fdpath;
	if (dm->daemon_len) {
		argv[argc++] = "-o";
		argv[argc++] = dm->daemon;
	}
	if (verbose) {
		int i;

		fprintf(stderr, "%s: exec", prog);
		for (i = 0; i < argc; i++)
			fprintf(stderr, " '%s'", argv[i]);
		fputc('\n', stderr);
	}
	execvp(dm->program, argv);
	{
		int err = errno;

		/* Undo what we can: without a daemon the mount is useless. */
		close(fd);
		umount2(dir, MNT_DETACH);
		die("executing %s: %s", dm->program, strerror(err));
	}
}

static void usage(FILE *out, int status)
{
	fprintf(out,
"usage: %s SOURCE DIR [-o OPTIONS] [-t TYPE] [-n] [-s] [-v] [--foreground]\n"
"\n"
"Without a daemon (the whole tree served by the kernel from DIR's backing):\n"
"  %s none /mnt -o root_dir=/srv/data,no_daemon [--foreground]\n"
"\n"
"With a FUSE daemon PROG (libfuse >= 3.3, or anything that takes a\n"
"mountpoint /dev/fd/N as \"already mounted on fd N\"), as mount.fuse3:\n"
"  %s 'PROG#ARG' DIR -o OPTIONS\n"
"  %s ARG DIR -t fusepass.PROG -o OPTIONS   (mount -t fusepass.PROG ARG DIR)\n"
"  mount.fusepass.PROG ARG DIR -o OPTIONS     (a link named so)\n"
"opens /dev/fusepass as fd N, mounts DIR as type fusepass.PROG with\n"
"fd=N,rootmode=,user_id=,group_id= added, then executes\n"
"  PROG [ARG] /dev/fd/N [-o DAEMON_OPTIONS]\n"
"An ARG of \"\" or \"none\" is not passed. The kernel gets the mount flags and\n"
"the options it knows (allow_other, default_permissions, max_read=,\n"
"blksize=, subtype=, rootmode=, user_id=, group_id=, root_dir=, fsname=\n"
"as the source); the daemon gets every option except setuid=,\n"
"drop_privileges, fd=, rootmode=, user_id=, group_id=, root_dir= and\n"
"mount(8)'s own (defaults, noauto, nofail, _netdev, x-*, ...).\n"
"  -o setuid=USER       run PROG as USER\n"
"  -o drop_privileges   run PROG without any capability (no_new_privs)\n"
"With fd=N in OPTIONS the caller already holds /dev/fusepass as fd N: only\n"
"the mount is made.\n"
"\n"
"  -o OPTIONS       mount options, comma separated\n"
"  -t TYPE          fusepass or fusepass.PROG (from mount(8))\n"
"  -F, --foreground no_daemon: stay until the mount is gone, then exit 0\n"
"  -v               print the mount(2) call and the daemon's command line\n"
"  -n, -s           accepted for mount(8), no effect\n"
"  -h, --help       this text\n",
		prog, prog, prog, prog);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ "options", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *options = NULL, *source, *dir, *type = NULL;
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsigned long flags = 0;
	bool foreground = false;
	char prefix[64];
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
		case 't':
			type = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'n':	/* no mtab: there is none to write */
		case 's':	/* sloppy: unknown options are the kernel's call */
		case 'N':
			break;
		default:
			usage(stderr, 1);
		}
	}
	if (argc - optind != 2)
		usage(stderr, 1);
	source = argv[optind];
	dir = argv[optind + 1];

	if (!has_option(options, "no_daemon") && !has_option(options, "fd=")) {
		struct daemon_mount dm = { 0 };
		char *src = strdup(source), *hash;

		if (!src)
			die("out of memory");
		/* The daemon comes from the helper's name, -t, or "PROG#ARG". */
		snprintf(prefix, sizeof(prefix), "mount.%s.", fp_type);
		if (!strncmp(base, prefix, strlen(prefix)) && base[strlen(prefix)]) {
			dm.program = base + strlen(prefix);
		} else if (type && !strncmp(type, fp_type, strlen(fp_type)) &&
			   type[strlen(fp_type)] == '.' && type[strlen(fp_type) + 1]) {
			dm.program = type + strlen(fp_type) + 1;
		} else if ((hash = strchr(src, '#'))) {
			*hash = '\0';
			dm.program = src;
			src = hash + 1;
		}
		if (!dm.program || !*dm.program)
			die("no daemon given: use 'PROG#ARG' as SOURCE or -t %s.PROG, or -o no_daemon,root_dir=DIR (see --help)",
			    fp_type);
		if (foreground)
			die("--foreground is for no_daemon mounts");
		dm.arg = *src && strcmp(src, "none") ? src : NULL;
		split_daemon_options(&dm, options);
		if (!dm.fsname)
			dm.fsname = dm.arg ? dm.arg : dm.program;
		daemon_mode(&dm, dir);
	}

	data = parse_options(options, &flags);
	if (verbose)
		fprintf(stderr, "%s: mount(\"%s\", \"%s\", \"%s\", %#lx, \"%s\")\n",
			prog, source, dir, fp_type, flags, data);
	if (mount(source, dir, fp_type, flags, data) < 0) {
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
