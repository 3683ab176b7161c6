// SPDX-License-Identifier: GPL-2.0
/*
 * libfusepass-preload.so - run unmodified FUSE daemons on fusepass.
 *
 * libfuse (2.x and 3.x), fusermount and mount.fuse3 hard-code two names:
 * the device "/dev/fuse" and the filesystem type "fuse" ("fuse.SUB",
 * "fuseblk", "fuseblk.SUB"). Loaded with LD_PRELOAD (fusepass-run does
 * that), this library rewrites exactly those and nothing else:
 *
 *   open*("/dev/fuse")   -> "/dev/fusepass"   (open, open64, openat,
 *                           openat64 and their _FORTIFY_SOURCE variants
 *                           __open_2, __open64_2, __openat_2, __openat64_2)
 *   mount(.., "fuse")    -> "fusepass"        "fuse.SUB"    -> "fusepass.SUB"
 *   mount(.., "fuseblk") -> "fusepass"        "fuseblk.SUB" -> "fusepass.SUB"
 *
 * Every other path and type goes to the next definition (libc) untouched.
 * Each rewrite, with its result, is appended as one line to the file named
 * by $FUSEPASS_RUN_LOG, read once at load time; nothing is ever printed,
 * because FUSE test suites treat unexpected output as a failure.
 *
 * The wrappers may run in any context open(2) may (forked children,
 * signal handlers, threads racing a fork): they use no malloc, no stdio
 * and no locks. The libc functions are looked up once, in the
 * constructor; only a call made before it ran (from another library's
 * constructor) looks one up on the spot.
 */
#undef _FORTIFY_SOURCE		/* we define open() & co. ourselves */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

static const char fuse_dev[] = "/dev/fuse";
static const char *target_dev = "/dev/fusepass";
static const char *target_type = "fusepass";

#ifdef FUSEPASS_PRELOAD_TEST_HOOKS
/*
 * Test builds only (test/helpers/): point the rewrites somewhere else,
 * e.g. back at /dev/fuse and "fuse", so that the rewriting can be tested
 * on a kernel without fusepass. Installed builds have no such knob.
 */
static char hook_dev[PATH_MAX];
static char hook_type[64];
#endif

/* $FUSEPASS_RUN_LOG, made absolute at load time (daemons chdir("/")). */
static char log_path[PATH_MAX];

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);
typedef int (*mount_fn)(const char *, const char *, const char *,
			unsigned long, const void *);

static struct {
	open_fn open, open64;
	openat_fn openat, openat64;
	open2_fn open_2, open64_2;
	openat2_fn openat_2, openat64_2;
	mount_fn mount;
} next;

static void *lookup(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#define NEXT(field, name) \
	(next.field ? next.field : (next.field = lookup(name)))

/* ---- the log: one write(2) per line, O_APPEND, no allocation ---- */

struct line {
	char buf[4096];
	size_t len;
};

static void put(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

/* A quoted string; bytes outside printable ASCII, '"' and '\' as \xHH. */
static void put_quoted(struct line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t room;

	if (!s) {
		put(l, "NULL");
		return;
	}
	put(l, "\"");
	for (; *s; s++) {
		unsigned char c = *s;

		room = sizeof(l->buf) - 1 - l->len;
		if (room < 16) {	/* keep room for the tail of the line */
			put(l, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			l->buf[l->len++] = c;
		} else {
			l->buf[l->len++] = '\\';
			l->buf[l->len++] = 'x';
			l->buf[l->len++] = hex[c >> 4];
			l->buf[l->len++] = hex[c & 15];
		}
	}
	put(l, "\"");
}

static void put_long(struct line *l, long v)
{
	char tmp[24];
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int i = sizeof(tmp);

	tmp[--i] = '\0';
	do {
		tmp[--i] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	put(l, tmp + i);
}

/* " = RESULT" or " = -1 ENAME" */
static void put_result(struct line *l, long ret, int err)
{
	const char *name;

	put(l, " = ");
	put_long(l, ret);
	if (ret < 0) {
		name = strerrorname_np(err);
		put(l, " ");
		if (name)
			put(l, name);
		else
			put_long(l, err);
	}
	put(l, "\n");
}

static void start_line(struct line *l, const char *fn)
{
	l->len = 0;
	put(l, "fusepass-run: pid=");
	put_long(l, (long)getpid());
	put(l, " ");
	put(l, fn);
	put(l, "(");
}

static void flush_line(struct line *l)
{
	long fd;

	if (!log_path[0])
		return;
	/* The raw syscall: never back into our own open(). */
	fd = syscall(SYS_openat, AT_FDCWD, log_path,
		     O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return;
	if (l->buf[l->len - 1] != '\n')
		l->buf[l->len - 1] = '\n';	/* truncated: still one line */
	(void)!write(fd, l->buf, l->len);
	close(fd);
}

static void log_open(const char *fn, const char *from, const char *to,
		     int ret, int err)
{
	struct line l;

	start_line(&l, fn);
	put_quoted(&l, from);
	put(&l, " -> ");
	put_quoted(&l, to);
	put(&l, ")");
	put_result(&l, ret, err);
	flush_line(&l);
}

/* ---- what is rewritten ---- */

static const char *map_dev(const char *path)
{
	return path && strcmp(path, fuse_dev) == 0 ? target_dev : NULL;
}

/*
 * "fuse", "fuse.SUB", "fuseblk", "fuseblk.SUB" -> target_type[".SUB"]
 * in @buf. Returns 1 if rewritten, 0 if @type is not one of those, -1 if
 * the result would not fit (the kernel takes at most a page anyway).
 */
static int map_type(const char *type, char *buf, size_t size)
{
	const char *sub;
	size_t tlen, slen;

	if (!type)
		return 0;
	if (strncmp(type, "fuseblk", 7) == 0 && (type[7] == '\0' || type[7] == '.'))
		sub = type + 7;
	else if (strncmp(type, "fuse", 4) == 0 && (type[4] == '\0' || type[4] == '.'))
		sub = type + 4;
	else
		return 0;
	tlen = strlen(target_type);
	slen = strlen(sub);
	if (tlen + slen + 1 > size)
		return -1;
	memcpy(buf, target_type, tlen);
	memcpy(buf + tlen, sub, slen + 1);
	return 1;
}

/* O_CREAT and O_TMPFILE are the flags that carry a mode argument. */
static bool needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* ---- the wrappers ---- */

#define OPEN_WRAPPER(sym, field)					\
EXPORT int sym(const char *path, int flags, ...)			\
{									\
	const char *to = map_dev(path);					\
	mode_t mode = 0;						\
	int ret, err;							\
									\
	if (needs_mode(flags)) {					\
		va_list ap;						\
									\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	if (!NEXT(field, #sym)) {					\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	ret = next.field(to ? to : path, flags, mode);			\
	if (to) {							\
		err = errno;						\
		log_open(#sym, path, to, ret, err);			\
		errno = err;						\
	}								\
	return ret;							\
}

#define OPENAT_WRAPPER(sym, field)					\
EXPORT int sym(int dirfd, const char *path, int flags, ...)		\
{									\
	const char *to = map_dev(path);					\
	mode_t mode = 0;						\
	int ret, err;							\
									\
	if (needs_mode(flags)) {					\
		va_list ap;						\
									\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	if (!NEXT(field, #sym)) {					\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	ret = next.field(dirfd, to ? to : path, flags, mode);		\
	if (to) {							\
		err = errno;						\
		log_open(#sym, path, to, ret, err);			\
		errno = err;						\
	}								\
	return ret;							\
}

/*
 * The _FORTIFY_SOURCE entry points take no mode (glibc aborts there if
 * O_CREAT is given); they are forwarded as they are, so that behaviour
 * stays libc's.
 */
#define OPEN2_WRAPPER(sym, field)					\
EXPORT int sym(const char *path, int flags)				\
{									\
	const char *to = map_dev(path);					\
	int ret, err;							\
									\
	if (!NEXT(field, #sym)) {					\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	ret = next.field(to ? to : path, flags);			\
	if (to) {							\
		err = errno;						\
		log_open(#sym, path, to, ret, err);			\
		errno = err;						\
	}								\
	return ret;							\
}

#define OPENAT2_WRAPPER(sym, field)					\
EXPORT int sym(int dirfd, const char *path, int flags)			\
{									\
	const char *to = map_dev(path);					\
	int ret, err;							\
									\
	if (!NEXT(field, #sym)) {					\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	ret = next.field(dirfd, to ? to : path, flags);			\
	if (to) {							\
		err = errno;						\
		log_open(#sym, path, to, ret, err);			\
		errno = err;						\
	}								\
	return ret;							\
}

/* Without _FILE_OFFSET_BITS=64 every one of these is a distinct symbol. */
EXPORT int open64(const char *path, int flags, ...);
EXPORT int openat64(int dirfd, const char *path, int flags, ...);
EXPORT int __open_2(const char *path, int flags);
EXPORT int __open64_2(const char *path, int flags);
EXPORT int __openat_2(int dirfd, const char *path, int flags);
EXPORT int __openat64_2(int dirfd, const char *path, int flags);

OPEN_WRAPPER(open, open)
OPEN_WRAPPER(open64, open64)
OPENAT_WRAPPER(openat, openat)
OPENAT_WRAPPER(openat64, openat64)
OPEN2_WRAPPER(__open_2, open_2)
OPEN2_WRAPPER(__open64_2, open64_2)
OPENAT2_WRAPPER(__openat_2, openat_2)
OPENAT2_WRAPPER(__openat64_2, openat64_2)

EXPORT int mount(const char *source, const char *target, const char *type,
		 unsigned long flags, const void *data)
{
	/* A filesystem type name is copied by the kernel up to a page. */
	char buf[4096 + 16];
	int mapped, ret, err;
	struct line l;

	if (!NEXT(mount, "mount")) {
		errno = ENOSYS;
		return -1;
	}
	mapped = map_type(type, buf, sizeof(buf));
	if (mapped == 0)
		return next.mount(source, target, type, flags, data);
	if (mapped < 0) {
		ret = -1;
		err = EINVAL;
	} else {
		ret = next.mount(source, target, buf, flags, data);
		err = errno;
	}

	start_line(&l, "mount");
	put_quoted(&l, source);
	put(&l, ", ");
	put_quoted(&l, target);
	put(&l, ", ");
	put_quoted(&l, type);
	put(&l, " -> ");
	put_quoted(&l, mapped > 0 ? buf : NULL);
	put(&l, ")");
	put_result(&l, ret, err);
	flush_line(&l);

	errno = err;
	return ret;
}

/* ---- load time ---- */

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

__attribute__((constructor))
static void fusepass_preload_init(void)
{
	const char *p = getenv("FUSEPASS_RUN_LOG");

	if (p && *p) {
		log_path[0] = '\0';
		if (p[0] != '/' && getcwd(log_path, sizeof(log_path)) &&
		    strlen(log_path) + 1 + strlen(p) < sizeof(log_path))
			strcat(log_path, "/");
		else
			log_path[0] = '\0';
		if (strlen(log_path) + strlen(p) < sizeof(log_path))
			strcat(log_path, p);
		else
			log_path[0] = '\0';
	}
#ifdef FUSEPASS_PRELOAD_TEST_HOOKS
	p = getenv("FUSEPASS_RUN_TARGET_DEV");
	if (p && *p) {
		copy_str(hook_dev, sizeof(hook_dev), p);
		target_dev = hook_dev;
	}
	p = getenv("FUSEPASS_RUN_TARGET_TYPE");
	if (p && *p) {
		copy_str(hook_type, sizeof(hook_type), p);
		target_type = hook_type;
	}
#else
	(void)copy_str;
#endif
	NEXT(open, "open");
	NEXT(open64, "open64");
	NEXT(openat, "openat");
	NEXT(openat64, "openat64");
	NEXT(open_2, "__open_2");
	NEXT(open64_2, "__open64_2");
	NEXT(openat_2, "__openat_2");
	NEXT(openat64_2, "__openat64_2");
	NEXT(mount, "mount");
}
