// SPDX-License-Identifier: GPL-2.0
/*
 * fusepass_mirror - an example fusepass daemon: mirrors a directory tree
 * and lets the kernel serve it (fusepass ABI 1.3, extension blocks).
 *
 *   fusepass-run fusepass_mirror SOURCE MOUNTPOINT [--deny-unlink=GLOB]
 *                [--log-opens=FILE] [FUSE options, e.g. -f -d -o allow_other]
 *
 * The daemon serves the root (and any directory it could not register)
 * itself. For each regular file and directory it names there, in a LOOKUP,
 * CREATE, MKNOD or MKDIR reply, it registers the object as a backing
 * id (FUSE_DEV_IOC_BACKING_OPEN; FUSEPASS_BACKING_DIR for directories) and
 * appends a FUSEPASS_EXT_BACKING block to the reply. From then on the
 * kernel serves that inode, and everything below a backed directory, from
 * the backing tree: the daemon sees no GETATTR, READ, WRITE or READDIR for
 * them. Only filters bring requests back:
 *
 *   --deny-unlink=GLOB  names matching GLOB (fnmatch(3)) cannot be unlinked
 *                       (EPERM): a UNLINK pre-filter on backed directories,
 *                       and the daemon's own check in the root
 *   --log-opens=FILE    an OPEN pre-filter on backed objects: each open
 *                       (creating ones too) is appended to FILE as one line
 *
 * Filter requests carry fusepass's own opcodes, which libfuse's dispatcher
 * would answer with ENOSYS: they are answered here, before libfuse sees
 * the buffer (handle_filter()).
 *
 * Backing ids are closed right after the reply that names them: the
 * kernel resolves a reply's ids within the write(2) of the reply and holds
 * the objects from then on (the header's rule), so the daemon keeps none.
 *
 * Needs root (CAP_SYS_ADMIN) for the backing ids. libfuse opens /dev/fuse
 * and mounts type "fuse": run it under fusepass-run, which redirects both.
 * Build: make -C src/examples (libfuse 3 headers, libfuse3-dev).
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 34

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <fuse_lowlevel.h>
#include <limits.h>
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
	int backed;		/* named in a BACKING block */
};

static struct {
	struct node root;
	struct node *nodes;
	char *source;
	char *deny_unlink;
	char *log_opens;
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

/* The node of @st's object; takes @fd, which it keeps or closes. */
static struct node *node_get(int fd, const struct stat *st)
{
	struct node *n;

	if (st->st_dev == mirror.root.dev && st->st_ino == mirror.root.ino) {
		close(fd);
		return &mirror.root;
	}
	for (n = mirror.nodes; n; n = n->next) {
		if (n->dev == st->st_dev && n->ino == st->st_ino) {
			close(fd);
			return n;
		}
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		close(fd);
		return NULL;
	}
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

/* Register @fd as a backing id: the id, or -errno. */
static int backing_open(int fd, int is_dir)
{
	struct fuse_backing_map map = {
		.fd = fd,
		.flags = is_dir ? FUSEPASS_BACKING_DIR : 0,
	};
	int id = ioctl(fuse_session_fd(mirror.se), FUSE_DEV_IOC_BACKING_OPEN, &map);

	return id < 0 ? -errno : id;
}

static void backing_close(int id)
{
	uint32_t arg = id;

	ioctl(fuse_session_fd(mirror.se), FUSE_DEV_IOC_BACKING_CLOSE, &arg);
}

/* The filters every backed object gets, from the command line. */
static void set_filters(struct fusepass_ext_backing *b, int is_dir)
{
	if (mirror.deny_unlink && is_dir)
		b->prefilter |= FUSEPASS_FILTER_BIT(FUSE_UNLINK);
	/*
	 * A directory's filters are inherited by what is below it. Files
	 * created there are opened through OPEN too, after the CREATE.
	 */
	if (mirror.open_log)
		b->prefilter |= FUSEPASS_FILTER_BIT(FUSE_OPEN);
}

/*
 * Reply to a LOOKUP-family request (and to CREATE, with @fi) for @name in
 * @parent, which exists in the source tree: the entry, and for a regular
 * file or a directory its BACKING block.
 */
static void reply_entry(fuse_req_t req, fuse_ino_t parent, const char *name,
			struct fuse_file_info *fi)
{
	char reply[sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out) +
		   sizeof(struct fusepass_ext_backing)];
	struct fuse_entry_out entry = { .nodeid = 0 };
	size_t len = sizeof(entry);
	struct node *n;
	struct stat st;
	int fd, id = 0, is_dir;

	fd = openat(node_of(parent)->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		fuse_reply_err(req, err);
		return;
	}
	is_dir = S_ISDIR(st.st_mode);
	if (S_ISREG(st.st_mode) || is_dir) {
		id = backing_open(fd, is_dir);
		/*
		 * A directory the kernel refuses (say, one on a fusepass
		 * mount: ELOOP) is served by the daemon instead; a file
		 * cannot be, as this daemon does no I/O.
		 */
		if (id < 0 && !is_dir) {
			close(fd);
			fuse_reply_err(req, -id);
			return;
		}
	}
	n = node_get(fd, &st);
	if (!n) {
		if (id > 0)
			backing_close(id);
		fuse_reply_err(req, ENOMEM);
		return;
	}

	entry.nodeid = ino_of(n);
	entry.entry_valid = (uint64_t)mirror.timeout;
	entry.attr_valid = (uint64_t)mirror.timeout;
	fill_attr(&entry.attr, &st);
	memcpy(reply, &entry, sizeof(entry));
	if (fi) {
		struct fuse_open_out open = { .fh = fi->fh };

		memcpy(reply + len, &open, sizeof(open));
		len += sizeof(open);
	}
	if (id > 0) {
		struct fusepass_ext_backing b = {
			.h = { .size = sizeof(b), .type = FUSEPASS_EXT_BACKING },
			.backing_id = id,
		};

		set_filters(&b, is_dir);
		memcpy(reply + len, &b, sizeof(b));
		len += sizeof(b);
		n->backed = 1;
	}

	if (fuse_reply_buf(req, reply, len) == 0)
		n->nlookup++;
	else if (!n->nlookup)
		node_forget(n, 0);
	/* The kernel took the backing object within the write: close. */
	if (id > 0)
		backing_close(id);
}

static void mirror_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	reply_entry(req, parent, name, NULL);
}

/* Creations in daemon-served directories: do it, then reply as LOOKUP. */
static void mirror_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode)
{
	if (mkdirat(node_of(parent)->fd, name, mode))
		fuse_reply_err(req, errno);
	else
		reply_entry(req, parent, name, NULL);
}

static void mirror_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode, dev_t rdev)
{
	if (mknodat(node_of(parent)->fd, name, mode, rdev))
		fuse_reply_err(req, errno);
	else
		reply_entry(req, parent, name, NULL);
}

static void mirror_symlink(fuse_req_t req, const char *target,
			   fuse_ino_t parent, const char *name)
{
	if (symlinkat(target, node_of(parent)->fd, name))
		fuse_reply_err(req, errno);
	else
		reply_entry(req, parent, name, NULL);
}

/*
 * CREATE: the file is made here; the kernel opens it from the backing
 * block itself and gives the daemon's open file (fh 0: none) back at once
 * with a RELEASE, which libfuse answers.
 */
static void mirror_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			  mode_t mode, struct fuse_file_info *fi)
{
	int fd = openat(node_of(parent)->fd, name,
			(fi->flags | O_CREAT | O_CLOEXEC) & ~O_NOFOLLOW, mode);

	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	close(fd);
	fi->fh = 0;
	reply_entry(req, parent, name, fi);
}

static void mirror_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	/* The kernel asks the UNLINK pre-filter for backed directories only. */
	if (mirror.deny_unlink && !fnmatch(mirror.deny_unlink, name, 0))
		fuse_reply_err(req, EPERM);
	else
		fuse_reply_err(req, unlinkat(node_of(parent)->fd, name, 0) ? errno : 0);
}

static void mirror_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, unlinkat(node_of(parent)->fd, name, AT_REMOVEDIR) ?
		       errno : 0);
}

static void mirror_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			  fuse_ino_t newparent, const char *newname,
			  unsigned int flags)
{
	fuse_reply_err(req, renameat2(node_of(parent)->fd, name,
				      node_of(newparent)->fd, newname, flags) ?
		       errno : 0);
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

/* Attributes: only of daemon-served objects (the root, symlinks, ...). */
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
	/* Requests must arrive in memory for handle_filter() to read. */
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
	.mknod		= mirror_mknod,
	.mkdir		= mirror_mkdir,
	.symlink	= mirror_symlink,
	.unlink		= mirror_unlink,
	.rmdir		= mirror_rmdir,
	.rename		= mirror_rename,
	.create		= mirror_create,
	.opendir	= mirror_opendir,
	.readdir	= mirror_readdir,
	.releasedir	= mirror_releasedir,
	.statfs		= mirror_statfs,
};

/*
 * A filter request: fuse_in_header (opcode | FUSEPASS_PREFILTER or
 * _POSTFILTER), fusepass_filter_in, the name and a NUL, the operation's
 * input. Answered here with 0 (go on, keep the result) or an error.
 * Returns 0 if @buf is no filter request, for libfuse to dispatch.
 */
static int handle_filter(const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;
	const struct fusepass_filter_in *fin = (const void *)(in + 1);
	struct fuse_out_header out = { .len = sizeof(out), .unique = in->unique };
	unsigned int op = in->opcode & FUSEPASS_OPCODE_MASK;
	size_t head = sizeof(*in) + sizeof(*fin);
	const char *name;

	if (!(in->opcode & (FUSEPASS_PREFILTER | FUSEPASS_POSTFILTER)))
		return 0;
	if (buf->size < head || buf->size < head + fin->namelen + 1) {
		out.error = -EINVAL;	/* cannot happen with a sane kernel */
		goto reply;
	}
	name = (const char *)(fin + 1);

	if ((in->opcode & FUSEPASS_PREFILTER) && op == FUSE_UNLINK &&
	    mirror.deny_unlink && !fnmatch(mirror.deny_unlink, name, 0))
		out.error = -EPERM;
	if ((in->opcode & FUSEPASS_PREFILTER) && op == FUSE_OPEN &&
	    mirror.open_log) {
		const struct fuse_open_in *arg = (const void *)(name + fin->namelen + 1);
		unsigned int flags = 0;

		if (buf->size >= head + fin->namelen + 1 + sizeof(*arg))
			flags = arg->flags;
		fprintf(mirror.open_log, "open %s flags=0%o pid=%u uid=%u node=%llu\n",
			name, flags, in->pid, in->uid,
			(unsigned long long)in->nodeid);
		fflush(mirror.open_log);
	}
reply:
	if (write(fuse_session_fd(mirror.se), &out, sizeof(out)) < 0 &&
	    errno != ENOENT)	/* ENOENT: the caller was interrupted */
		perror("fusepass_mirror: filter reply");
	return 1;
}

/*
 * The kernel serves backed nodes itself: a request naming one (other than
 * FORGET, filters, and the RELEASE of a CREATE reply's open file) means it
 * did not. Said on stderr, as an error, and answered all the same.
 */
static void check_not_backed(const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;

	switch (in->opcode) {
	case FUSE_INIT:
	case FUSE_DESTROY:
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
	case FUSE_RELEASE:
		return;
	}
	if (in->nodeid && node_of(in->nodeid)->backed)
		fprintf(stderr, "fusepass_mirror: error: request %u for backed node %llu\n",
			in->opcode, (unsigned long long)in->nodeid);
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
		if (handle_filter(&buf))
			continue;
		check_not_backed(&buf);
		fuse_session_process_buf(mirror.se, &buf);
	}
	free(buf.mem);
	return res < 0 ? 1 : 0;
}

static const struct fuse_opt mirror_opts[] = {
	{ "--deny-unlink=%s", offsetof(typeof(mirror), deny_unlink), 0 },
	{ "--log-opens=%s", offsetof(typeof(mirror), log_opens), 0 },
	FUSE_OPT_END
};

/* The first non-option argument is SOURCE; the rest go to libfuse. */
static int mirror_opt_proc(void *data, const char *arg, int key,
			   struct fuse_args *outargs)
{
	(void)data;
	(void)outargs;
	if (key == FUSE_OPT_KEY_NONOPT && !mirror.source) {
		mirror.source = strdup(arg);
		return 0;
	}
	return 1;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { .mountpoint = NULL };
	struct stat st;
	int ret = 1;

	if (fuse_opt_parse(&args, &mirror, mirror_opts, mirror_opt_proc) != 0 ||
	    fuse_parse_cmdline(&args, &opts) != 0)
		return 1;
	if (opts.show_help || !mirror.source || !opts.mountpoint) {
		printf("usage: %s SOURCE MOUNTPOINT [--deny-unlink=GLOB] [--log-opens=FILE] [options]\n",
		       argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		ret = !opts.show_help;
		goto out_args;
	}
	if (mirror.log_opens) {
		mirror.open_log = fopen(mirror.log_opens, "a");
		if (!mirror.open_log) {
			perror(mirror.log_opens);
			goto out_args;
		}
	}

	mirror.root.fd = open(mirror.source, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mirror.root.fd < 0 || fstat(mirror.root.fd, &st)) {
		perror(mirror.source);
		goto out_args;
	}
	mirror.root.dev = st.st_dev;
	mirror.root.ino = st.st_ino;
	mirror.root.nlookup = 1;
	/* The kernel applied the caller's umask already. */
	umask(0);

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
