// SPDX-License-Identifier: GPL-2.0
/*
 * fusepass_mirror - an example fusepass daemon: mirrors a directory tree
 * and lets the kernel serve it.
 *
 *   fusepass_mirror SOURCE MOUNTPOINT [--deny-unlink=GLOB] [--log-opens=FILE]
 *                   [FUSE options, e.g. -f -d -o allow_other]
 *
 * The daemon answers LOOKUP in the root itself; for every regular file
 * and directory it registers the object as a backing id
 * (FUSE_DEV_IOC_BACKING_OPEN) and returns it in a FUSEPASS_EXT_BACKING
 * block after the entry. From then on the kernel serves that inode, and
 * everything below a backed directory, from the backing tree: the daemon
 * sees no GETATTR, READ, WRITE or READDIR for them. Only filters bring
 * requests back:
 *
 *   --deny-unlink=GLOB  a UNLINK pre-filter on backed directories: names
 *                       matching GLOB cannot be unlinked (EPERM)
 *   --log-opens=FILE    an OPEN pre-filter on backed objects: every open
 *                       is appended to FILE
 *
 * Run it under fusepass-run (it uses libfuse, which opens /dev/fuse).
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 34

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <fuse_lowlevel.h>
#include <linux/fusepass.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* One object the daemon handed out a node id for. */
struct node {
	struct node *next;
	dev_t dev;
	ino_t ino;
	int fd;			/* O_PATH */
	uint64_t nlookup;
};

static struct {
	struct node root;
	struct node *nodes;
	const char *deny_unlink;
	FILE *open_log;
	double timeout;
	struct fuse_session *se;
} mirror = { .timeout = 1.0 };

static struct node *node_of(fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &mirror.root : (struct node *)(uintptr_t)ino;
}

static fuse_ino_t ino_of(struct node *n)
{
	return n == &mirror.root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}

static struct node *node_find_or_add(int fd, const struct stat *st)
{
	struct node *n;

	for (n = mirror.nodes; n; n = n->next) {
		if (n->dev == st->st_dev && n->ino == st->st_ino) {
			close(fd);
			return n;
		}
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->fd = fd;
	n->next = mirror.nodes;
	mirror.nodes = n;
	return n;
}

static void node_forget(struct node *n, uint64_t nlookup)
{
	struct node **p;

	if (n == &mirror.root)
		return;
	n->nlookup -= nlookup < n->nlookup ? nlookup : n->nlookup;
	if (n->nlookup)
		return;
	for (p = &mirror.nodes; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			break;
		}
	}
	close(n->fd);
	free(n);
}

static void fill_attr(struct fuse_attr *a, const struct stat *st)
{
	a->ino = st->st_ino;
	a->size = st->st_size;
	a->blocks = st->st_blocks;
	a->atime = st->st_atim.tv_sec;
	a->atimensec = st->st_atim.tv_nsec;
	a->mtime = st->st_mtim.tv_sec;
	a->mtimensec = st->st_mtim.tv_nsec;
	a->ctime = st->st_ctim.tv_sec;
	a->ctimensec = st->st_ctim.tv_nsec;
	a->mode = st->st_mode;
	a->nlink = st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->rdev = st->st_rdev;
	a->blksize = st->st_blksize;
}

/* Register @fd as a backing id; -1 if the kernel refuses. */
static int backing_open(int fd, int is_dir)
{
	struct fuse_backing_map map = {
		.fd = fd,
		.flags = is_dir ? FUSEPASS_BACKING_DIR : 0,
	};

	return ioctl(fuse_session_fd(mirror.se), FUSE_DEV_IOC_BACKING_OPEN, &map);
}

static void backing_close(int id)
{
	uint32_t arg = id;

	ioctl(fuse_session_fd(mirror.se), FUSE_DEV_IOC_BACKING_CLOSE, &arg);
}

/*
 * LOOKUP in a directory the daemon serves (the root): regular files and
 * directories come back backed, anything else is an ordinary entry.
 */
static void mirror_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct {
		struct fuse_entry_out entry;
		struct fusepass_ext_backing backing;
	} reply;
	size_t size = sizeof(reply.entry);
	struct node *n;
	struct stat st;
	int fd, id = -1;

	fd = openat(node_of(parent)->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		fuse_reply_err(req, err);
		return;
	}
	n = node_find_or_add(fd, &st);
	if (!n) {
		close(fd);
		fuse_reply_err(req, ENOMEM);
		return;
	}

	memset(&reply, 0, sizeof(reply));
	reply.entry.nodeid = ino_of(n);
	reply.entry.entry_valid = (uint64_t)mirror.timeout;
	reply.entry.attr_valid = (uint64_t)mirror.timeout;
	fill_attr(&reply.entry.attr, &st);

	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		id = backing_open(n->fd, S_ISDIR(st.st_mode));
	if (id > 0) {
		reply.backing.h.size = sizeof(reply.backing);
		reply.backing.h.type = FUSEPASS_EXT_BACKING;
		reply.backing.backing_id = id;
		if (mirror.deny_unlink && S_ISDIR(st.st_mode))
			reply.backing.prefilter |= FUSEPASS_FILTER_BIT(FUSE_UNLINK);
		if (mirror.open_log)
			reply.backing.prefilter |= FUSEPASS_FILTER_BIT(FUSE_OPEN);
		size = sizeof(reply);
	}

	if (fuse_reply_buf(req, (const char *)&reply, size) == 0)
		n->nlookup++;
	/* The kernel took its own reference while reading the reply. */
	if (id > 0)
		backing_close(id);
}

static void mirror_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	node_forget(node_of(ino), nlookup);
	fuse_reply_none(req);
}

static void mirror_forget_multi(fuse_req_t req, size_t count,
				struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		node_forget(node_of(forgets[i].ino), forgets[i].nlookup);
	fuse_reply_none(req);
}

static void mirror_getattr(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (fstatat(node_of(ino)->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		fuse_reply_err(req, errno);
	else
		fuse_reply_attr(req, &st, mirror.timeout);
}

static void mirror_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	ssize_t len = readlinkat(node_of(ino)->fd, "", buf, sizeof(buf) - 1);

	if (len < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	buf[len] = '\0';
	fuse_reply_readlink(req, buf);
}

static void mirror_opendir(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	int fd = openat(node_of(ino)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)dir;
	fuse_reply_open(req, fi);
}

static void mirror_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	DIR *dir = (DIR *)(uintptr_t)fi->fh;
	char *buf = calloc(1, size);
	size_t used = 0;
	struct dirent *de;

	(void)ino;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	seekdir(dir, off);
	while ((de = readdir(dir))) {
		struct stat st = { .st_ino = de->d_ino, .st_mode = DTTOIF(de->d_type) };
		size_t len = fuse_add_direntry(req, buf + used, size - used,
					       de->d_name, &st, telldir(dir));

		if (len > size - used)
			break;
		used += len;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void mirror_releasedir(fuse_req_t req, fuse_ino_t ino,
			      struct fuse_file_info *fi)
{
	(void)ino;
	closedir((DIR *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void mirror_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	if (fstatvfs(node_of(ino)->fd, &sv))
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
}

static void mirror_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* Filter requests are read whole from memory (see handle_filter). */
	conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
			FUSE_CAP_SPLICE_MOVE);
}

static const struct fuse_lowlevel_ops mirror_ops = {
	.init		= mirror_init,
	.lookup		= mirror_lookup,
	.forget		= mirror_forget,
	.forget_multi	= mirror_forget_multi,
	.getattr	= mirror_getattr,
	.readlink	= mirror_readlink,
	.opendir	= mirror_opendir,
	.readdir	= mirror_readdir,
	.releasedir	= mirror_releasedir,
	.statfs		= mirror_statfs,
};

/*
 * Filter requests are fusepass's own opcodes, unknown to libfuse: they
 * are answered here, before libfuse sees the buffer.
 */
static int handle_filter(const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;
	const struct fusepass_filter_in *fin;
	struct fuse_out_header out = { .len = sizeof(out), .unique = in->unique };
	unsigned int op = in->opcode & FUSEPASS_OPCODE_MASK;
	const char *name = "";

	if (!(in->opcode & (FUSEPASS_PREFILTER | FUSEPASS_POSTFILTER)))
		return 0;
	if (buf->size >= sizeof(*in) + sizeof(*fin)) {
		fin = (const void *)(in + 1);
		if (buf->size >= sizeof(*in) + sizeof(*fin) + fin->namelen + 1)
			name = (const char *)(fin + 1);
	}

	if ((in->opcode & FUSEPASS_PREFILTER) && op == FUSE_UNLINK &&
	    mirror.deny_unlink && !fnmatch(mirror.deny_unlink, name, 0))
		out.error = -EPERM;
	if ((in->opcode & FUSEPASS_PREFILTER) && op == FUSE_OPEN &&
	    mirror.open_log) {
		fprintf(mirror.open_log, "open %s (under node %llu, pid %u)\n",
			name, (unsigned long long)in->nodeid, in->pid);
		fflush(mirror.open_log);
	}
	if (write(fuse_session_fd(mirror.se), &out, sizeof(out)) < 0)
		perror("fusepass_mirror: filter reply");
	return 1;
}

static int serve(void)
{
	struct fuse_buf buf = { .mem = NULL };
	int res = 0;

	while (!fuse_session_exited(mirror.se)) {
		res = fuse_session_receive_buf(mirror.se, &buf);
		if (res == -EINTR)
			continue;
		if (res <= 0)
			break;
		if (!handle_filter(&buf))
			fuse_session_process_buf(mirror.se, &buf);
	}
	free(buf.mem);
	return res < 0 ? -res : 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_cmdline_opts opts;
	const char *source = NULL;
	struct stat st;
	int i, ret = 1;

	/* Our options, the source, and the rest for libfuse. */
	fuse_opt_add_arg(&args, argv[0]);
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--deny-unlink=", 14)) {
			mirror.deny_unlink = argv[i] + 14;
		} else if (!strncmp(argv[i], "--log-opens=", 12)) {
			mirror.open_log = fopen(argv[i] + 12, "a");
			if (!mirror.open_log) {
				perror(argv[i] + 12);
				return 1;
			}
		} else if (!source && argv[i][0] != '-') {
			source = argv[i];
		} else {
			fuse_opt_add_arg(&args, argv[i]);
		}
	}
	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 1;
	if (opts.show_help || !source || !opts.mountpoint) {
		printf("usage: %s SOURCE MOUNTPOINT [--deny-unlink=GLOB] [--log-opens=FILE] [options]\n",
		       argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		ret = !opts.show_help;
		goto out_args;
	}

	mirror.root.fd = open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mirror.root.fd < 0 || fstat(mirror.root.fd, &st)) {
		perror(source);
		goto out_args;
	}
	mirror.root.dev = st.st_dev;
	mirror.root.ino = st.st_ino;
	mirror.root.nlookup = 1;

	mirror.se = fuse_session_new(&args, &mirror_ops, sizeof(mirror_ops), NULL);
	if (!mirror.se)
		goto out_args;
	if (fuse_set_signal_handlers(mirror.se) != 0)
		goto out_session;
	if (fuse_session_mount(mirror.se, opts.mountpoint) != 0)
		goto out_signals;
	fuse_daemonize(opts.foreground);
	ret = serve();
	fuse_session_unmount(mirror.se);
out_signals:
	fuse_remove_signal_handlers(mirror.se);
out_session:
	fuse_session_destroy(mirror.se);
out_args:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return ret;
}
