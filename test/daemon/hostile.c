// SPDX-License-Identifier: GPL-2.0
/*
 * hostile - a FUSE daemon that answers with malformed replies.
 *
 *   hostile --dev DEV --type TYPE --mnt DIR --seed N [--requests N]
 *           [--results FILE] [--die-pending K]
 *
 * Opens DEV, mounts TYPE on DIR with fd=N,rootmode=40000,user_id=0,
 * group_id=0 (from a thread, so INIT is served even if mount(2) waits for
 * it), answers INIT correctly, then answers every request after sending
 * it, at random, any number of malformed messages first:
 *
 *   framing errors the kernel must refuse (the request stays pending):
 *     short          fewer bytes than a reply header
 *     len_mismatch   header len disagreeing with the write size
 *     unknown_unique / future_unique / stale_unique / int_bit_unknown
 *                    a unique the kernel is not waiting for
 *     positive_error / errno_out_of_range
 *                    error > 0 or <= -512
 *     notify_bad_code / notify_short
 *                    unsolicited messages that are not notifications
 *   size errors the kernel must refuse (and may end the request with EIO,
 *   as FUSE does; at most one per request, last):
 *     oversized      more payload than the request can take
 *     undersized     a fixed-size reply cut short
 *     error_with_payload
 *   the reply meant for another request, sent to a held one (the wrong
 *   unique of a request that is waiting: taken if the sizes agree);
 *   then the reply proper, either valid or well framed garbage (nodeid 0,
 *   the root's nodeid for a child, a changed file type, bad modes, huge
 *   sizes and nanoseconds, zero blksize or nlink, readdir entries with '/'
 *   or overlong or overrunning names, write sizes beyond the request,
 *   random open flags, random errors), and sometimes a duplicate of it.
 *   FORGETs get a reply sometimes (there is none to give). Some requests
 *   are held and answered later, out of order.
 *
 * Every decision comes from one PRNG seeded with N and consumed in the
 * order requests are read: a single-threaded client replays exactly.
 * After --requests requests (default 3000) it stops answering, waits for
 * --die-pending unanswered requests (default 3, or 3 s), writes its
 * results as JSON, prints "dying SECONDS" (CLOCK_MONOTONIC) and exits
 * with those requests pending.
 *
 * Entries and attributes are never cacheable (all timeouts 0), so that
 * every call after death needs the daemon. The namespace is stateless:
 * any name starting with 'f' or 'n' is a file, with 'd' a directory, its
 * nodeid derived from the name (odd for directories) and from an epoch
 * that changes every 250 requests: an inode that garbage made unusable
 * (FUSE marks an inode bad when its type changes) is left behind with its
 * epoch. The root's attributes are never garbled, which would end the
 * mount's usefulness for the rest of the run, and the last tenth of the
 * run is clean, so that the calls made after death meet no bad inode.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

/* ---- options, PRNG ---- */

static const char *opt_dev, *opt_type, *opt_mnt, *opt_results;
static uint64_t opt_seed;
static long opt_requests = 3000;
static int opt_die_pending = 3;
static int devfd = -1;
static uint32_t proto_minor;

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- what the kernel answered: kind -> errno -> count ---- */

enum kind {
	K_SHORT, K_LEN_MISMATCH, K_UNKNOWN_UNIQUE, K_FUTURE_UNIQUE,
	K_STALE_UNIQUE, K_INT_BIT_UNKNOWN, K_POSITIVE_ERROR, K_ERRNO_RANGE,
	K_NOTIFY_BAD_CODE, K_NOTIFY_SHORT,
	K_OVERSIZED, K_UNDERSIZED, K_ERROR_WITH_PAYLOAD,
	K_DUPLICATE, K_FORGET_REPLY,
	/* the reply proper */
	K_VALID, K_VALID_AFTER_SIZE_ERROR, K_GARBAGE, K_VALID_AFTER_GARBAGE,
	K_FALLBACK_EIO, K_CROSS_REPLY, K_VALID_AFTER_CROSS,
	K_MAX
};

static const char *const kind_name[K_MAX] = {
	"short", "len_mismatch", "unknown_unique", "future_unique",
	"stale_unique", "int_bit_unknown", "positive_error",
	"errno_out_of_range", "notify_bad_code", "notify_short",
	"oversized", "undersized", "error_with_payload",
	"duplicate", "forget_reply",
	"valid", "valid_after_size_error", "garbage", "valid_after_garbage",
	"fallback_eio", "cross_reply", "valid_after_cross",
};

#define MAX_ERR 200
/* The lowest notification code the bad ones start from. */
#define NOTIFY_CODE_UNKNOWN 1024
static long counts[K_MAX][MAX_ERR];	/* [kind][errno], errno 0 = accepted */
static long garbage_kinds[32];
static const char *const garbage_name[32] = {
	"nodeid_0", "root_nodeid", "type_change", "mode_zero", "mode_bad_type",
	"size_huge", "nsec_huge", "nlink_0", "blksize_bad", "ino_0",
	"dirent_slash", "dirent_namelen_0", "dirent_namelen_long",
	"dirent_overrun", "dirent_type_bad", "dirent_off_0", "write_size_big",
	"open_flags_random", "statfs_zero", "xattr_size_huge",
	"listxattr_unterminated", "error_random",
};

static void count(enum kind k, int err)
{
	counts[k][err >= 0 && err < MAX_ERR ? err : MAX_ERR - 1]++;
}

/* ---- messages ---- */

static char reqbuf[(1 << 20) + 8192];
static char outbuf[(1 << 20) + 8192];

/* write(2) one message; 0 or errno */
static int send_raw(const void *buf, size_t len)
{
	ssize_t n = write(devfd, buf, len);

	if (n < 0)
		return errno;
	return (size_t)n == len ? 0 : EMSGSIZE;
}

static int send_reply(uint64_t unique, int32_t error, const void *payload,
		      size_t len)
{
	struct fuse_out_header *oh = (void *)outbuf;

	oh->len = sizeof(*oh) + len;
	oh->error = error;
	oh->unique = unique;
	if (len)
		memmove(outbuf + sizeof(*oh), payload, len);
	return send_raw(outbuf, sizeof(*oh) + len);
}

/* ---- the namespace ---- */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static uint64_t epoch;

/* 0 if @name does not exist */
static uint64_t nodeid_of(const char *name)
{
	uint64_t h = name_hash(name) % 1000000;

	if (name[0] == 'f' || name[0] == 'n')
		return (epoch << 32) + 16 + 2 * h;
	if (name[0] == 'd')
		return (epoch << 32) + 16 + 2 * h + 1;
	return 0;
}

static bool is_dir(uint64_t nodeid)
{
	return nodeid == FUSE_ROOT_ID || (nodeid >= 16 && (nodeid & 1));
}

static void fill_attr(struct fuse_attr *a, uint64_t nodeid)
{
	memset(a, 0, sizeof(*a));
	a->ino = nodeid;
	a->mode = is_dir(nodeid) ? S_IFDIR | 0755 : S_IFREG | 0644;
	a->nlink = is_dir(nodeid) ? 2 : 1;
	a->size = is_dir(nodeid) ? 4096 : 4096;
	a->blocks = 8;
	a->atime = a->mtime = a->ctime = 1700000000;
	a->blksize = 4096;
}

/* One of the attribute garbages; returns its index in garbage_name. */
static int garble_attr(struct fuse_attr *a)
{
	int g = 3 + below(7);

	switch (g) {
	case 3: a->mode = 0; break;
	case 4: a->mode = S_IFMT | 0777; break;
	case 5: a->size = chance(50) ? UINT64_MAX : 1ULL << 63; break;
	case 6: a->atimensec = a->mtimensec = 2000000000u; break;
	case 7: a->nlink = 0; break;
	case 8: a->blksize = chance(50) ? 3 : 0x80000000u; break;
	case 9: a->ino = 0; break;
	}
	return g;
}

static int garble_entry(struct fuse_entry_out *e)
{
	switch (below(4)) {
	case 0:
		e->nodeid = 0;
		return 0;
	case 1:
		/* the root again, below itself: a directory loop */
		e->nodeid = FUSE_ROOT_ID;
		fill_attr(&e->attr, FUSE_ROOT_ID);
		return 1;
	case 2:
		/* the same inode, now of the other file type */
		e->attr.mode = S_ISDIR(e->attr.mode) ? S_IFREG | 0644 :
						       S_IFDIR | 0755;
		return 2;
	default:
		return garble_attr(&e->attr);
	}
}

/* ---- building the replies ---- */

struct reply {
	int32_t error;
	size_t len;
	bool fixed;		/* fixed size: a shorter reply is malformed */
	/* Room for fusepass extension blocks after a fixed entry reply. */
	size_t ext_room;
	int garbage;		/* -1, or the garbage applied */
	char buf[65536 + 4096];
};

static void entry_reply(struct reply *r, uint64_t nodeid, bool garbage)
{
	struct fuse_entry_out *e = (void *)r->buf;

	memset(e, 0, sizeof(*e));
	e->nodeid = nodeid;
	fill_attr(&e->attr, nodeid);
	if (garbage)
		r->garbage = garble_entry(e);
	r->len = sizeof(*e);
	r->fixed = true;
	r->ext_room = 96;	/* FUSEPASS_EXT_MAX_SIZE */
}

static void open_reply(struct reply *r, size_t at, bool file, bool garbage)
{
	struct fuse_open_out *o = (void *)(r->buf + at);

	memset(o, 0, sizeof(*o));
	o->fh = rnd();
	o->open_flags = file ? FOPEN_DIRECT_IO : 0;
	if (garbage) {
		o->open_flags = (uint32_t)rnd();
		o->backing_id = (int32_t)rnd();
		r->garbage = 17;
	}
	r->len = at + sizeof(*o);
	r->fixed = true;
}

static const char *const dir_names[] = { "f0", "f1", "f2", "f3", "d0", "d1" };

static void readdir_reply(struct reply *r, const struct fuse_read_in *in,
			  bool garbage)
{
	size_t n = sizeof(dir_names) / sizeof(dir_names[0]), len = 0;
	uint64_t i;
	int g = garbage ? 10 + (int)below(6) : -1;

	for (i = in->offset; i < n; i++) {
		struct fuse_dirent *d = (void *)(r->buf + len);
		const char *name = dir_names[i];
		size_t namelen = strlen(name);
		size_t reclen = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);

		if (len + reclen > in->size || len + reclen > 4096)
			break;
		memset(d, 0, reclen);
		d->ino = nodeid_of(name);
		d->off = i + 1;
		d->namelen = namelen;
		d->type = name[0] == 'd' ? DT_DIR : DT_REG;
		memcpy(d->name, name, namelen);
		if (g >= 0 && i == in->offset) {
			switch (g) {
			case 10: d->name[0] = '/'; break;
			case 11: d->namelen = 0; break;
			case 12: d->namelen = 300; break;	/* > NAME_MAX */
			case 13: d->namelen = 60000; break;	/* past the end */
			case 14: d->type = 0xffffffffu; break;
			case 15: d->off = 0; break;		/* no progress */
			}
			r->garbage = g;
		}
		len += reclen;
	}
	r->len = len;
	r->fixed = false;
}

/* Fill @r for @ih; returns false if the request takes no reply. */
static bool build_reply(struct reply *r, const struct fuse_in_header *ih,
			const char *arg, bool garbage)
{
	uint64_t node = ih->nodeid;

	r->error = 0;
	r->len = 0;
	r->fixed = true;
	r->ext_room = 0;
	r->garbage = -1;
	if (garbage && chance(15)) {
		/* any valid errno, however odd for the operation */
		static const int errs[] = { EIO, ENOSYS, EINTR, EAGAIN, ENOENT,
					    EPERM, ESTALE, EOVERFLOW, ENAMETOOLONG,
					    EEXIST, ENOTDIR, EISDIR, ENOTCONN, 300,
					    511 };

		r->error = -errs[below(sizeof(errs) / sizeof(errs[0]))];
		r->garbage = 21;
		return true;
	}
	switch (ih->opcode) {
	case FUSE_LOOKUP: {
		uint64_t id = nodeid_of(arg);

		if (!id) {
			r->error = -ENOENT;
			return true;
		}
		entry_reply(r, id, garbage);
		return true;
	}
	case FUSE_MKNOD:
	case FUSE_MKDIR:
	case FUSE_SYMLINK:
	case FUSE_LINK:
	case FUSE_CREATE: {
		/* the new name follows the fixed part of the request */
		size_t skip = ih->opcode == FUSE_MKNOD ? sizeof(struct fuse_mknod_in) :
			ih->opcode == FUSE_MKDIR ? sizeof(struct fuse_mkdir_in) :
			ih->opcode == FUSE_CREATE ? sizeof(struct fuse_create_in) :
			ih->opcode == FUSE_LINK ? sizeof(struct fuse_link_in) : 0;
		const char *name = arg + skip;
		uint64_t id = nodeid_of(name);

		if (ih->opcode == FUSE_SYMLINK)
			id = 0;		/* not in our namespace */
		if (!id || (ih->opcode == FUSE_MKDIR) != is_dir(id)) {
			r->error = ih->opcode == FUSE_SYMLINK ? -EPERM : -EINVAL;
			return true;
		}
		entry_reply(r, id, garbage);
		if (ih->opcode == FUSE_CREATE)
			open_reply(r, sizeof(struct fuse_entry_out), true,
				   garbage && chance(30));
		return true;
	}
	case FUSE_GETATTR:
	case FUSE_SETATTR: {
		struct fuse_attr_out *a = (void *)r->buf;

		memset(a, 0, sizeof(*a));
		fill_attr(&a->attr, node);
		if (garbage && node != FUSE_ROOT_ID)
			r->garbage = garble_attr(&a->attr);
		r->len = sizeof(*a);
		return true;
	}
	case FUSE_OPEN:
	case FUSE_OPENDIR:
		open_reply(r, 0, ih->opcode == FUSE_OPEN, garbage);
		return true;
	case FUSE_READ: {
		const struct fuse_read_in *in = (const void *)arg;
		size_t n = in->offset >= 4096 ? 0 : 4096 - in->offset;

		if (n > in->size)
			n = in->size;
		memset(r->buf, 'h', n);
		r->len = n;
		r->fixed = false;
		return true;
	}
	case FUSE_WRITE: {
		const struct fuse_write_in *in = (const void *)arg;
		struct fuse_write_out *o = (void *)r->buf;

		memset(o, 0, sizeof(*o));
		o->size = in->size;
		if (garbage) {
			o->size = in->size + 1 + below(1 << 20);
			r->garbage = 16;
		}
		r->len = sizeof(*o);
		return true;
	}
	case FUSE_READDIR:
		readdir_reply(r, (const void *)arg, garbage);
		return true;
	case FUSE_STATFS: {
		struct fuse_statfs_out *s = (void *)r->buf;

		memset(s, 0, sizeof(*s));
		s->st.blocks = 1000;
		s->st.bfree = s->st.bavail = 500;
		s->st.files = 100;
		s->st.ffree = 50;
		s->st.bsize = s->st.frsize = 4096;
		s->st.namelen = 255;
		if (garbage) {
			s->st.bsize = s->st.frsize = s->st.namelen = 0;
			s->st.bfree = UINT64_MAX;
			r->garbage = 18;
		}
		r->len = sizeof(*s);
		return true;
	}
	case FUSE_GETXATTR:
	case FUSE_LISTXATTR: {
		const struct fuse_getxattr_in *in = (const void *)arg;
		const char *val = ih->opcode == FUSE_GETXATTR ? "abc" : "user.a";
		size_t vlen = ih->opcode == FUSE_GETXATTR ? 3 : 7;

		if (in->size == 0) {
			struct fuse_getxattr_out *o = (void *)r->buf;

			memset(o, 0, sizeof(*o));
			o->size = vlen;
			if (garbage) {
				o->size = 1u << 30;
				r->garbage = 19;
			}
			r->len = sizeof(*o);
			return true;
		}
		if (in->size < vlen) {
			r->error = -ERANGE;
			return true;
		}
		memcpy(r->buf, val, vlen);
		if (garbage && ih->opcode == FUSE_LISTXATTR) {
			vlen = 6;	/* no terminating NUL */
			r->garbage = 20;
		}
		r->len = vlen;
		r->fixed = false;
		return true;
	}
	case FUSE_UNLINK:
	case FUSE_RMDIR:
	case FUSE_RENAME:
	case FUSE_RENAME2:
	case FUSE_SETXATTR:
	case FUSE_REMOVEXATTR:
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR:
	case FUSE_ACCESS:
	case FUSE_SYNCFS:
		return true;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return false;
	default:
		r->error = -ENOSYS;
		return true;
	}
}

/* ---- malformed messages ---- */

#define STALE_RING 64
static uint64_t stale[STALE_RING];
static unsigned int nstale;
static uint64_t max_unique;

static uint64_t unknown_unique(void)
{
	return (rnd() | (1ULL << 62)) & ~1ULL;
}

/* Send one framing error for @unique; never consumes a request. */
static void send_framing_error(uint64_t unique)
{
	struct fuse_out_header *oh = (void *)outbuf;
	enum kind k = below(K_NOTIFY_SHORT + 1);
	size_t len = sizeof(*oh);
	int err;

	memset(outbuf, 0, 256);
	oh->error = 0;
	oh->unique = unique;
	switch (k) {
	case K_SHORT:
		len = 1 + below(sizeof(*oh) - 1);
		oh->len = len;
		break;
	case K_LEN_MISMATCH:
		len = sizeof(*oh) + below(64);
		oh->len = chance(50) ? len + 1 + below(64) :
			  len - 1 - below(len - 1);
		break;
	case K_UNKNOWN_UNIQUE:
		oh->unique = unknown_unique();
		break;
	case K_FUTURE_UNIQUE:
		oh->unique = max_unique + 2 * (1 + below(50));
		break;
	case K_STALE_UNIQUE:
		if (!nstale) {
			k = K_UNKNOWN_UNIQUE;
			oh->unique = unknown_unique();
			break;
		}
		oh->unique = stale[below(nstale < STALE_RING ? nstale : STALE_RING)];
		break;
	case K_INT_BIT_UNKNOWN:
		oh->unique = unknown_unique() | FUSE_INT_REQ_BIT;
		break;
	case K_POSITIVE_ERROR:
		oh->error = 1 + below(1000);
		break;
	case K_ERRNO_RANGE:
		oh->error = chance(50) ? -512 - (int32_t)below(100000) : INT32_MIN;
		break;
	case K_NOTIFY_BAD_CODE:
		oh->unique = 0;
		/*
		 * Well past every code a kernel knows: 7.3's FUSE already
		 * takes 8 (INC_EPOCH) and 9 (PRUNE), past fusepass's MAX.
		 */
		oh->error = NOTIFY_CODE_UNKNOWN + below(1000);
		len += 8;
		break;
	case K_NOTIFY_SHORT:
		oh->unique = 0;
		oh->error = FUSE_NOTIFY_INVAL_INODE;
		len += 4;
		break;
	default:
		break;
	}
	if (k != K_SHORT && k != K_LEN_MISMATCH)
		oh->len = len;
	err = send_raw(outbuf, len);
	count(k, err);
}

/*
 * One size error for the pending @unique whose proper reply is @r.
 * Returns the errno; FUSE ends the request with EIO when it refuses.
 */
static int send_size_error(uint64_t unique, const struct reply *r,
			   const struct fuse_in_header *ih, const char *arg)
{
	enum kind k;
	size_t len = r->len;
	int err;

	if (r->fixed && r->len && chance(40))
		k = K_UNDERSIZED;
	else if (chance(30))
		k = K_ERROR_WITH_PAYLOAD;
	else
		k = K_OVERSIZED;
	memcpy(outbuf + sizeof(struct fuse_out_header), r->buf, r->len);
	switch (k) {
	case K_UNDERSIZED:
		len = below(r->len);
		break;
	case K_OVERSIZED:
		/* beyond what the request can take, argvar or not */
		len = r->len + r->ext_room + 1 +
		      below(chance(20) ? 65536 : 64);
		if (!r->fixed) {
			/* the most a variable-size reply may carry */
			uint32_t max = ih->opcode == FUSE_READ ||
				       ih->opcode == FUSE_READDIR ?
				((const struct fuse_read_in *)arg)->size :
				((const struct fuse_getxattr_in *)arg)->size;

			if (len <= max)
				len = max + 1 + below(64);
		}
		if (len > sizeof(outbuf) - sizeof(struct fuse_out_header))
			len = sizeof(outbuf) - sizeof(struct fuse_out_header);
		memset(outbuf + sizeof(struct fuse_out_header) + r->len, 'x',
		       len - r->len);
		break;
	default:
		len = 1 + below(64);
		break;
	}
	{
		struct fuse_out_header *oh = (void *)outbuf;

		oh->len = sizeof(*oh) + len;
		oh->error = k == K_ERROR_WITH_PAYLOAD ? -EIO : 0;
		oh->unique = unique;
	}
	err = send_raw(outbuf, sizeof(struct fuse_out_header) + len);
	count(k, err);
	return err;
}

/* ---- one request ---- */

struct held {
	struct fuse_in_header ih;
	char arg[4096];
	bool crossed;		/* got another request's reply */
};

#define MAX_HELD 4
static struct held held[MAX_HELD];
static int nheld;
static long handled;

static void remember(uint64_t unique)
{
	stale[nstale++ % STALE_RING] = unique;
}

/*
 * A valid reply was refused: nothing the kernel should do, but the caller
 * would wait forever, so end the request with a bare error.
 */
static void refused(enum kind k, int err, uint64_t unique)
{
	count(k, err);
	if (err && err != ENOENT)
		count(K_FALLBACK_EIO, send_reply(unique, -EIO, NULL, 0));
}

static void answer(const struct fuse_in_header *ih, const char *arg,
		   bool crossed)
{
	static struct reply r, g;
	bool size_error = false, clean = handled >= opt_requests - opt_requests / 10;
	int i, n, err;

	if (!build_reply(&r, ih, arg, false)) {
		/* FORGET & co: there is nothing to answer */
		if ((ih->opcode == FUSE_FORGET || ih->opcode == FUSE_BATCH_FORGET) &&
		    chance(50))
			count(K_FORGET_REPLY, send_reply(ih->unique, 0, NULL, 0));
		return;
	}

	/*
	 * A crossed request may be gone already: its malformed messages
	 * would be told ENOENT rather than what they are tested for.
	 */
	n = chance(60) && !crossed ? 1 + below(3) : 0;
	for (i = 0; i < n; i++)
		send_framing_error(ih->unique);
	if (chance(15) && !clean && !crossed) {
		send_size_error(ih->unique, &r, ih, arg);
		size_error = true;
	}

	if (chance(30) && !clean && !crossed && build_reply(&g, ih, arg, true) &&
	    g.garbage >= 0) {
		err = send_reply(ih->unique, g.error, g.buf, g.len);
		count(K_GARBAGE, err);
		garbage_kinds[g.garbage]++;
		if (err && err != ENOENT) {
			/* refused as it came: the request may still wait */
			refused(K_VALID_AFTER_GARBAGE,
				send_reply(ih->unique, r.error, r.buf, r.len),
				ih->unique);
		}
	} else {
		err = send_reply(ih->unique, r.error, r.buf, r.len);
		refused(crossed ? K_VALID_AFTER_CROSS : size_error ?
			K_VALID_AFTER_SIZE_ERROR : K_VALID, err, ih->unique);
	}
	if (chance(5) && !crossed)
		count(K_DUPLICATE, send_reply(ih->unique, r.error, r.buf, r.len));
	remember(ih->unique);
}

static void answer_held(int i)
{
	answer(&held[i].ih, held[i].arg, held[i].crossed);
	held[i] = held[--nheld];
}

/* The valid reply to @ih, sent to the held request @i instead. */
static void cross_reply(const struct fuse_in_header *ih, const char *arg, int i)
{
	static struct reply r;

	if (!build_reply(&r, ih, arg, false))
		return;
	count(K_CROSS_REPLY, send_reply(held[i].ih.unique, r.error, r.buf, r.len));
	held[i].crossed = true;
}

static void handle_init(const struct fuse_in_header *ih, const char *arg)
{
	const struct fuse_init_in *in = (const void *)arg;
	struct fuse_init_out out;
	size_t len = sizeof(out);
	int err;

	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = in->minor < FUSE_KERNEL_MINOR_VERSION ?
		    in->minor : FUSE_KERNEL_MINOR_VERSION;
	out.max_readahead = in->max_readahead;
	out.max_write = 1 << 17;
	out.max_background = 16;
	out.congestion_threshold = 12;
	out.time_gran = 1;
	if (out.minor < 23)
		len = 24;
	proto_minor = out.minor;
	err = send_reply(ih->unique, 0, &out, len);
	printf("init %u.%u %s\n", in->major, in->minor, err ? strerror(err) : "ok");
	fflush(stdout);
}

static void *mount_thread(void *unused)
{
	char data[128];

	(void)unused;
	snprintf(data, sizeof(data), "fd=%d,rootmode=40000,user_id=0,group_id=0",
		 devfd);
	if (mount("hostile", opt_mnt, opt_type, 0, data) < 0) {
		printf("mount-failed %s\n", strerror(errno));
		fflush(stdout);
		_exit(3);
	}
	printf("mounted\n");
	fflush(stdout);
	return NULL;
}

/* read one request; 1 got one, 0 nothing within @ms, -1 error */
static int read_request(int ms, struct fuse_in_header **ihp)
{
	struct pollfd pfd = { .fd = devfd, .events = POLLIN };
	ssize_t n;

	if (ms >= 0 && poll(&pfd, 1, ms) == 0)
		return 0;
	n = read(devfd, reqbuf, sizeof(reqbuf));
	if (n < 0) {
		if (errno == EPERM || errno == EINTR || errno == EAGAIN)
			return 0;	/* EPERM: not mounted yet */
		printf("read-error %s\n", strerror(errno));
		fflush(stdout);
		return -1;
	}
	if ((size_t)n < sizeof(struct fuse_in_header))
		return 0;
	*ihp = (void *)reqbuf;
	return 1;
}

static void write_results(double dying_at, int pending)
{
	FILE *f = opt_results ? fopen(opt_results, "w") : NULL;
	int k, e;
	bool first;

	if (!f)
		return;
	fprintf(f, "{\"seed\": %llu, \"requests\": %ld, \"proto_minor\": %u,\n",
		(unsigned long long)opt_seed, handled, proto_minor);
	fprintf(f, " \"pending_at_death\": %d, \"dying_at\": %.6f,\n",
		pending, dying_at);
	fprintf(f, " \"writes\": {");
	for (k = 0; k < K_MAX; k++) {
		fprintf(f, "%s\n  \"%s\": {", k ? "," : "", kind_name[k]);
		first = true;
		for (e = 0; e < MAX_ERR; e++) {
			if (!counts[k][e])
				continue;
			fprintf(f, "%s\"%s\": %ld", first ? "" : ", ",
				e ? strerrorname_np(e) ?: "?" : "OK", counts[k][e]);
			first = false;
		}
		fprintf(f, "}");
	}
	fprintf(f, "},\n \"garbage\": {");
	first = true;
	for (k = 0; k < 32; k++) {
		if (!garbage_name[k] || !garbage_kinds[k])
			continue;
		fprintf(f, "%s\"%s\": %ld", first ? "" : ", ", garbage_name[k],
			garbage_kinds[k]);
		first = false;
	}
	fprintf(f, "}}\n");
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: hostile --dev DEV --type TYPE --mnt DIR --seed N "
		"[--requests N] [--results FILE] [--die-pending K]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'D' },
		{ "type", required_argument, NULL, 't' },
		{ "mnt", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "requests", required_argument, NULL, 'n' },
		{ "results", required_argument, NULL, 'r' },
		{ "die-pending", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct fuse_in_header *ih;
	pthread_t mounter;
	double die_start = 0;
	int c, got;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'D': opt_dev = optarg; break;
		case 't': opt_type = optarg; break;
		case 'm': opt_mnt = optarg; break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'n': opt_requests = atol(optarg); break;
		case 'r': opt_results = optarg; break;
		case 'k': opt_die_pending = atoi(optarg); break;
		default: usage();
		}
	}
	if (!opt_dev || !opt_type || !opt_mnt)
		usage();
	rng_state = opt_seed * 0x9E3779B97F4A7C15ULL + 1;

	devfd = open(opt_dev, O_RDWR | O_CLOEXEC);
	if (devfd < 0) {
		printf("open-failed %s\n", strerror(errno));
		return 3;
	}
	pthread_create(&mounter, NULL, mount_thread, NULL);

	for (;;) {
		bool dying = handled >= opt_requests;

		got = read_request(nheld || dying ? 20 : 200, &ih);
		if (got < 0)
			return 4;
		if (dying) {
			if (!die_start)
				die_start = now();
			if (got > 0 && ih->opcode != FUSE_FORGET &&
			    ih->opcode != FUSE_BATCH_FORGET &&
			    ih->opcode != FUSE_INTERRUPT)
				nheld++;	/* never answered */
			if (nheld >= opt_die_pending ||
			    (nheld && now() - die_start > 3) ||
			    now() - die_start > 30) {
				double t = now();

				write_results(t, nheld);
				printf("dying %.6f %d\n", t, nheld);
				fflush(stdout);
				_exit(0);
			}
			continue;
		}
		if (got == 0) {
			/* quiet: whoever waits on a held request gets its answer */
			if (nheld)
				answer_held(below(nheld));
			continue;
		}
		if (ih->unique > max_unique)
			max_unique = ih->unique;
		if (ih->opcode == FUSE_INIT) {
			handle_init(ih, (const char *)(ih + 1));
			continue;
		}
		if (ih->opcode == FUSE_INTERRUPT)
			continue;
		handled++;
		epoch = handled >= opt_requests - opt_requests / 10 ?
			1000 : handled / 250;
		if (ih->opcode != FUSE_FORGET && ih->opcode != FUSE_BATCH_FORGET &&
		    nheld < MAX_HELD && chance(15)) {
			size_t alen = ih->len - sizeof(*ih);

			held[nheld].ih = *ih;
			memcpy(held[nheld].arg, ih + 1,
			       alen < sizeof(held[0].arg) ? alen : sizeof(held[0].arg));
			held[nheld].arg[sizeof(held[0].arg) - 1] = '\0';
			held[nheld].crossed = false;
			nheld++;
		} else {
			int i = below(nheld);

			if (nheld && !held[i].crossed &&
			    handled < opt_requests - opt_requests / 10 && chance(5))
				cross_reply(ih, (const char *)(ih + 1), i);
			answer(ih, (const char *)(ih + 1), false);
		}
		if (nheld && chance(40))
			answer_held(below(nheld));
		if (handled >= opt_requests)
			while (nheld)
				answer_held(0);
	}
}
