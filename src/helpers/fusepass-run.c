// SPDX-License-Identifier: GPL-2.0
/*
 * fusepass-run - run a FUSE daemon (or anything that starts one) on
 * fusepass instead of the kernel's FUSE.
 *
 *   fusepass-run [--log FILE] [--] COMMAND [ARG...]
 *
 * Executes COMMAND with libfusepass-preload.so added in front of
 * LD_PRELOAD. The library rewrites "/dev/fuse" to "/dev/fusepass" in the
 * open family and the filesystem types "fuse", "fuse.SUB", "fuseblk",
 * "fuseblk.SUB" to "fusepass" / "fusepass.SUB" in mount(2), in COMMAND and
 * in every dynamically linked program it starts (libfuse, fusermount3,
 * mount.fuse3, ...). See fusepass-preload.c.
 *
 * The library is looked for next to this program first (the build tree),
 * then in FUSEPASS_LIBDIR (where "make install" puts it).
 *
 * The dynamic loader ignores LD_PRELOAD for statically linked programs and
 * for set-user-ID/set-group-ID or file-capability programs run by another
 * user; COMMAND is refused in those cases rather than silently left on
 * /dev/fuse. Programs it starts in turn are not checked.
 *
 * Exit status: COMMAND's; 125 if fusepass-run itself fails, 126 if
 * COMMAND cannot be run, 127 if it is not found (as env(1)).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef FUSEPASS_LIBDIR
#define FUSEPASS_LIBDIR "/usr/lib/fusepass"
#endif
#define PRELOAD_NAME "libfusepass-preload.so"

enum { EXIT_OWN = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

static void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("fusepass-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void usage(FILE *out, int status)
{
	fprintf(out,
"usage: fusepass-run [--log FILE] [--] COMMAND [ARG...]\n"
"\n"
"Run COMMAND, and every dynamically linked program it starts, with FUSE's\n"
"device and filesystem type redirected to fusepass:\n"
"  open(\"/dev/fuse\")            -> \"/dev/fusepass\"\n"
"  mount type fuse, fuseblk     -> fusepass\n"
"  mount type fuse.SUB, fuseblk.SUB -> fusepass.SUB\n"
"Nothing else is changed. Works with libfuse 2 and 3 daemons, fusermount3\n"
"and mount.fuse3.\n"
"\n"
"  --log FILE   append one line per rewrite to FILE (sets FUSEPASS_RUN_LOG)\n"
"  --help       this text\n"
"\n"
"Environment: FUSEPASS_RUN_LOG=FILE as --log. Statically linked and\n"
"set-user-ID commands are refused: LD_PRELOAD cannot reach them.\n"
"Exit status: COMMAND's; 125 own error, 126 cannot run, 127 not found.\n"
"e.g. fusepass-run sshfs host: /mnt\n"
"     fusepass-run passthrough_hp /srv/data /mnt\n");
	exit(status);
}

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The preload library: next to /proc/self/exe, else FUSEPASS_LIBDIR. */
static void find_library(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			slash[1] = '\0';
			if ((size_t)snprintf(out, size, "%s%s", self, PRELOAD_NAME) < size &&
			    readable(out))
				return;
		}
	}
	if ((size_t)snprintf(out, size, "%s/%s", FUSEPASS_LIBDIR, PRELOAD_NAME) < size &&
	    readable(out))
		return;
	die(EXIT_OWN, "%s not found next to this program nor in %s",
	    PRELOAD_NAME, FUSEPASS_LIBDIR);
}

/* Is @lib already one of the entries of LD_PRELOAD (space or colon separated)? */
static bool preload_has(const char *list, const char *lib)
{
	size_t len = strlen(lib);
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ": ");

		if (n == len && strncmp(p, lib, len) == 0)
			return true;
		p += n;
		p += strspn(p, ": ");
	}
	return false;
}

static void set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;

	if (strpbrk(lib, ": "))
		die(EXIT_OWN, "%s: a path with ':' or ' ' cannot go into LD_PRELOAD",
		    lib);
	if (old && preload_has(old, lib))
		return;
	if (old && *old) {
		if (asprintf(&val, "%s:%s", lib, old) < 0)
			die(EXIT_OWN, "out of memory");
	} else {
		val = strdup(lib);
		if (!val)
			die(EXIT_OWN, "out of memory");
	}
	if (setenv("LD_PRELOAD", val, 1) < 0)
		die(EXIT_OWN, "setenv: %s", strerror(errno));
	free(val);
}

/* The log path goes to the environment absolute: daemons chdir("/"). */
static void set_log(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/') {
		abs = strdup(path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			die(EXIT_OWN, "getcwd: %s", strerror(errno));
		if (asprintf(&abs, "%s/%s", cwd, path) < 0)
			abs = NULL;
	}
	if (!abs || setenv("FUSEPASS_RUN_LOG", abs, 1) < 0)
		die(EXIT_OWN, "cannot set FUSEPASS_RUN_LOG");
	free(abs);
}

/* Find @cmd as execvp(3) would; returns false if it is nowhere. */
static bool resolve(const char *cmd, char *out, size_t size)
{
	const char *path = getenv("PATH");
	const char *p;

	if (strchr(cmd, '/')) {
		snprintf(out, size, "%s", cmd);
		return access(out, F_OK) == 0;
	}
	if (!path)
		path = "/bin:/usr/bin";
	for (p = path; ; ) {
		size_t n = strcspn(p, ":");

		if (n == 0)
			snprintf(out, size, "./%s", cmd);
		else
			snprintf(out, size, "%.*s/%s", (int)n, p, cmd);
		if (access(out, X_OK) == 0) {
			struct stat st;

			if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
				return true;
		}
		if (!p[n])
			return false;
		p += n + 1;
	}
}

/* An ELF executable without PT_INTERP is static: LD_PRELOAD never applies. */
static bool is_static_elf(const char *path)
{
	unsigned char ident[EI_NIDENT];
	bool is_static = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, ident, sizeof(ident), 0) != sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		goto out;
	if (ident[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		int i;

		if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
		    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN))
			goto out;
		is_static = true;
		for (i = 0; i < eh.e_phnum; i++) {
			if (pread(fd, &ph, sizeof(ph), eh.e_phoff +
				  (off_t)i * eh.e_phentsize) != sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP)
				is_static = false;
		}
	} else if (ident[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;
		Elf32_Phdr ph;
		int i;

		if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
		    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN))
			goto out;
		is_static = true;
		for (i = 0; i < eh.e_phnum; i++) {
			if (pread(fd, &ph, sizeof(ph), eh.e_phoff +
				  (off_t)i * eh.e_phentsize) != sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP)
				is_static = false;
		}
	}
out:
	close(fd);
	return is_static;
}

/*
 * Refuse what the loader would run without our library, so that nothing
 * ends up on the kernel's FUSE while the caller believes it is on fusepass.
 */
static void check_command(const char *cmd)
{
	char path[PATH_MAX];
	struct stat st;

	if (!resolve(cmd, path, sizeof(path)))
		die(EXIT_NOT_FOUND, "%s: command not found", cmd);
	if (stat(path, &st) < 0)
		die(EXIT_NOT_FOUND, "%s: %s", path, strerror(errno));
	if (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getgid()))
		die(EXIT_CANNOT_RUN,
		    "%s is set-user-ID or set-group-ID: the dynamic loader would "
		    "ignore LD_PRELOAD and it would use /dev/fuse", path);
	if (getuid() != 0 &&
	    getxattr(path, "security.capability", NULL, 0) >= 0)
		die(EXIT_CANNOT_RUN,
		    "%s has file capabilities: the dynamic loader would ignore "
		    "LD_PRELOAD and it would use /dev/fuse", path);
	if (is_static_elf(path))
		die(EXIT_CANNOT_RUN,
		    "%s is statically linked: LD_PRELOAD cannot redirect it", path);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char lib[PATH_MAX];
	int c;

	/* '+': stop at COMMAND, its options are its own. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			set_log(optarg);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, EXIT_OWN);
		}
	}
	if (optind >= argc)
		usage(stderr, EXIT_OWN);

	find_library(lib, sizeof(lib));
	check_command(argv[optind]);
	set_preload(lib);
	if (getenv("FUSEPASS_RUN_LOG") && getenv("FUSEPASS_RUN_LOG")[0] != '/')
		set_log(getenv("FUSEPASS_RUN_LOG"));

	execvp(argv[optind], argv + optind);
	die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s: %s",
	    argv[optind], strerror(errno));
}
