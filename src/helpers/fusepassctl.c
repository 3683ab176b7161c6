// SPDX-License-Identifier: GPL-2.0
/*
 * fusepassctl - inspect the connections of fusepass mounts.
 *
 *   fusepassctl stat MOUNTPOINT
 *
 * Prints the counters of the connection serving MOUNTPOINT (requests
 * sent to the daemon by opcode, passthrough and backed operations) from
 * /sys/fs/fusepass/connections/DEV/stats. The mount is found in
 * /proc/self/mountinfo, so nothing is asked of the daemon on the way:
 * the counters are not disturbed by reading them.
 *
 * Exit status: 0 printed, 1 not a fusepass mount or no connection,
 * 2 wrong usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECTIONS "/sys/fs/fusepass/connections"

static const char *prog = "fusepassctl";

static void usage(FILE *out)
{
	fprintf(out, "usage: %s stat MOUNTPOINT\n", prog);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

static bool is_fusepass_type(const char *type)
{
	return !strcmp(type, "fusepass") || !strncmp(type, "fusepass.", 9);
}

/*
 * The device of the mount on @path that is visible there (the last one
 * mounted). Returns 0, or 1 with a message when there is none.
 */
static int find_mount(const char *path, unsigned int *major,
		      unsigned int *minor)
{
	char *line = NULL, type[256] = "";
	bool found = false, fusepass = false;
	size_t len = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f) {
		fprintf(stderr, "%s: /proc/self/mountinfo: %s\n", prog,
			strerror(errno));
		return 1;
	}
	while (getline(&line, &len, f) != -1) {
		unsigned int maj, min;
		char mnt[PATH_MAX], fstype[256];
		char *sep;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min,
			   mnt) != 3)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%255s", fstype) != 1)
			continue;
		unescape(mnt);
		if (strcmp(mnt, path))
			continue;
		found = true;
		fusepass = is_fusepass_type(fstype);
		snprintf(type, sizeof(type), "%s", fstype);
		*major = maj;
		*minor = min;
	}
	free(line);
	fclose(f);
	if (!found) {
		fprintf(stderr, "%s: %s is not a mount point\n", prog, path);
		return 1;
	}
	if (!fusepass) {
		fprintf(stderr, "%s: %s is a %s mount, not fusepass\n", prog,
			path, type);
		return 1;
	}
	return 0;
}

static int cmd_stat(const char *arg)
{
	char path[PATH_MAX], file[PATH_MAX + 64], buf[4096];
	unsigned int major, minor;
	FILE *f = NULL;
	size_t n;

	if (!realpath(arg, path)) {
		fprintf(stderr, "%s: %s: %s\n", prog, arg, strerror(errno));
		return 1;
	}
	if (find_mount(path, &major, &minor))
		return 1;
	/* Named as the kernel prints a device number: MAJOR << 20 | MINOR. */
	snprintf(file, sizeof(file), CONNECTIONS "/%u/stats",
		 major << 20 | minor);
	f = fopen(file, "r");
	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "%s: %s has no daemon connection (a no_daemon mount serves everything from its backing tree)\n",
				prog, path);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, file,
				strerror(errno));
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char *argv[])
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "stat")) {
		usage(stderr);
		return 2;
	}
	return cmd_stat(argv[2]);
}
