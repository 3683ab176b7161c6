// SPDX-License-Identifier: GPL-2.0
/*
 * readdir.c - directories served by the daemon: READDIR, READDIRPLUS,
 * FSYNCDIR and seeking (OPENDIR and RELEASEDIR are file.c's).
 *
 * Each read asks the daemon for one page of entries from the file
 * position. Positions are the daemon's own cookies (each entry's d_off),
 * so telldir()/seekdir() hand them back unchanged. Nothing is cached:
 * every read of a directory goes to the daemon.
 *
 * Replies are untrusted. A record that does not fit the reply, an empty
 * or overlong name, or a name with '/' or NUL in it makes the read fail
 * with -EIO. READDIRPLUS entries also count a lookup each (but "." and
 * ".."): every one is either kept in a dentry and inode or FORGOTten.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/posix_acl.h>
#include <linux/slab.h>

#include "fusepass.h"

void fp_advise_use_readdirplus(struct inode *dir)
{
	set_bit(FP_I_ADVISE_RDPLUS, &fp_inode(dir)->state);
}

/*
 * READDIRPLUS if the daemon wants it: always, or (READDIRPLUS_AUTO) when
 * reading from the start or when lookups of this directory's entries
 * suggested that attributes would have been worth having.
 */
static bool fp_use_readdirplus(struct inode *dir, struct dir_context *ctx)
{
	struct fp_conn *conn = fp_conn_of(dir);

	if (!(conn->init_flags & FUSE_DO_READDIRPLUS) ||
	    READ_ONCE(conn->no_readdirplus))
		return false;
	if (!(conn->init_flags & FUSE_READDIRPLUS_AUTO))
		return true;
	if (test_and_clear_bit(FP_I_ADVISE_RDPLUS, &fp_inode(dir)->state))
		return true;
	return ctx->pos == 0;
}

/* Give back one lookup of @nodeid; never fails. */
static void fp_forget_one(struct fp_conn *conn, u64 nodeid)
{
	struct fp_forget *forget;

	forget = kzalloc(sizeof(*forget), GFP_KERNEL | __GFP_NOFAIL);
	fp_queue_forget(conn, forget, nodeid, 1);
}

/*
 * Check the frame of the record at @dirent, @avail bytes from the end of
 * the reply. Returns the bytes it takes (its padding may be missing at
 * the very end), or -EIO.
 */
static int fp_dirent_len(const struct fuse_dirent *dirent, size_t avail)
{
	size_t len;

	if (avail < FUSE_NAME_OFFSET)
		return -EIO;
	if (!dirent->namelen || dirent->namelen > FP_NAME_MAX)
		return -EIO;
	len = FUSE_NAME_OFFSET + dirent->namelen;
	if (len > avail)
		return -EIO;
	return min_t(size_t, FUSE_DIRENT_ALIGN(len), avail);
}

/* A name one may put in a directory. */
static bool fp_dirent_name_ok(const struct fuse_dirent *dirent)
{
	return !memchr(dirent->name, '/', dirent->namelen) &&
	       !memchr(dirent->name, '\0', dirent->namelen);
}

static bool fp_is_dot_or_dotdot(const struct fuse_dirent *dirent)
{
	return dirent->name[0] == '.' &&
	       (dirent->namelen == 1 ||
		(dirent->namelen == 2 && dirent->name[1] == '.'));
}

static bool fp_emit(struct dir_context *ctx, const struct fuse_dirent *dirent)
{
	unsigned int type = dirent->type < DT_MAX ? dirent->type : DT_UNKNOWN;

	return dir_emit(ctx, dirent->name, dirent->namelen, dirent->ino, type);
}

static int fp_parse_dirfile(char *buf, size_t nbytes, struct dir_context *ctx)
{
	while (nbytes) {
		struct fuse_dirent *dirent = (struct fuse_dirent *)buf;
		int reclen = fp_dirent_len(dirent, nbytes);

		if (reclen < 0 || !fp_dirent_name_ok(dirent))
			return -EIO;
		if (!fp_emit(ctx, dirent))
			break;
		ctx->pos = dirent->off;
		buf += reclen;
		nbytes -= reclen;
	}
	return 0;
}

/*
 * Make the dcache know a READDIRPLUS entry, as a LOOKUP reply would.
 * Consumes the lookup the entry counted, in every case.
 */
static void fp_direntplus_link(struct file *file,
			       const struct fuse_direntplus *dp,
			       u64 attr_version)
{
	const struct fuse_entry_out *o = &dp->entry_out;
	struct dentry *parent = file->f_path.dentry;
	struct inode *dir = d_inode(parent);
	struct fp_conn *conn = fp_conn_of(dir);
	struct qstr name = QSTR_INIT(dp->dirent.name, dp->dirent.namelen);
	struct dentry *dentry, *alias;
	struct inode *inode;

	if (fp_valid_entry(o, false) || o->nodeid == FUSE_ROOT_ID) {
		pr_debug("READDIRPLUS entry '%.*s': node %llu refused\n",
			 name.len, name.name, o->nodeid);
		fp_forget_one(conn, o->nodeid);
		return;
	}

	name.hash = full_name_hash(parent, name.name, name.len);
	dentry = d_lookup(parent, &name);
	if (!dentry) {
retry:
		dentry = d_alloc_parallel(parent, &name);
		if (IS_ERR(dentry)) {
			fp_forget_one(conn, o->nodeid);
			return;
		}
	}

	if (!d_in_lookup(dentry)) {
		struct fp_inode *fi;

		inode = d_inode(dentry);
		/* Backed by the daemon's choice: the lookup's reply stands. */
		if (inode && !fp_is_node(inode)) {
			dput(dentry);
			fp_forget_one(conn, o->nodeid);
			return;
		}
		if (!inode || fp_node_id(inode) != o->nodeid ||
		    inode_wrong_type(inode, o->attr.mode) ||
		    inode->i_generation != o->generation) {
			/* The name means something else now. */
			if (inode && fp_node_id(inode) == o->nodeid)
				fp_make_bad(inode);
			d_invalidate(dentry);
			dput(dentry);
			goto retry;
		}
		if (fp_is_bad(inode)) {
			dput(dentry);
			fp_forget_one(conn, o->nodeid);
			return;
		}
		fi = fp_inode(inode);
		spin_lock(&fi->lock);
		fi->nlookup++;
		spin_unlock(&fi->lock);
		forget_all_cached_acls(inode);
		fp_change_attributes(inode, &o->attr, fp_entry_attr_timeout(o),
				     attr_version);
	} else {
		inode = fp_iget_node(dir->i_sb, o->nodeid, o->generation,
				     &o->attr, fp_entry_attr_timeout(o),
				     attr_version);
		if (!inode) {
			d_lookup_done(dentry);
			dput(dentry);
			fp_forget_one(conn, o->nodeid);
			return;
		}
		/*
		 * On error (a directory that is its own ancestor) this drops
		 * the inode, and with it the lookup, FORGOTten at eviction.
		 */
		alias = d_splice_alias(inode, dentry);
		d_lookup_done(dentry);
		if (alias) {
			dput(dentry);
			if (IS_ERR(alias))
				return;
			dentry = alias;
		}
	}
	if (conn->init_flags & FUSE_READDIRPLUS_AUTO)
		set_bit(FP_I_INIT_RDPLUS, &fp_inode(inode)->state);
	fp_change_entry_timeout(dentry, o);
	dput(dentry);
}

static int fp_parse_dirplusfile(char *buf, size_t nbytes, struct file *file,
				struct dir_context *ctx, u64 attr_version)
{
	struct fp_conn *conn = fp_conn_of(file_inode(file));
	bool over = false;
	int err = 0;

	while (nbytes) {
		struct fuse_direntplus *dp = (struct fuse_direntplus *)buf;
		struct fuse_dirent *dirent = &dp->dirent;
		int reclen;

		/*
		 * A broken frame hides where the records after it start:
		 * their lookups are lost to us, as they are to the daemon.
		 */
		if (nbytes < FUSE_NAME_OFFSET_DIRENTPLUS)
			return -EIO;
		reclen = fp_dirent_len(dirent, nbytes - offsetof(
					struct fuse_direntplus, dirent));
		if (reclen < 0)
			return -EIO;
		reclen += offsetof(struct fuse_direntplus, dirent);
		buf += reclen;
		nbytes -= reclen;

		if (!fp_dirent_name_ok(dirent)) {
			/* Stop reading here, but settle every lookup. */
			err = -EIO;
			over = true;
			if (dp->entry_out.nodeid)
				fp_forget_one(conn, dp->entry_out.nodeid);
			continue;
		}
		/*
		 * Entries that do not fit the caller's buffer are still
		 * linked: the daemon counted their lookups.
		 */
		if (!over) {
			over = !fp_emit(ctx, dirent);
			if (!over)
				ctx->pos = dirent->off;
		}
		/* No attributes given, or "." and "..": no lookup counted. */
		if (!dp->entry_out.nodeid || fp_is_dot_or_dotdot(dirent))
			continue;
		fp_direntplus_link(file, dp, attr_version);
	}
	return err;
}

static int fp_readdir_uncached(struct file *file, struct dir_context *ctx)
{
	struct inode *inode = file_inode(file);
	struct fp_conn *conn = fp_conn_of(inode);
	struct fp_file *ff = file->private_data;
	struct fp_page_desc desc;
	struct fuse_read_in in;
	struct fp_args_pages ap;
	struct page *page;
	u64 attr_version = 0;
	ssize_t res;
	bool plus;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	plus = fp_use_readdirplus(inode, ctx);
again:
	memset(&in, 0, sizeof(in));
	in.fh = ff->fh;
	in.offset = ctx->pos;
	in.size = PAGE_SIZE;
	in.flags = file->f_flags;
	desc = (struct fp_page_desc){ .length = PAGE_SIZE };
	memset(&ap, 0, sizeof(ap));
	ap.pages = &page;
	ap.descs = &desc;
	ap.num_pages = 1;
	ap.args.opcode = plus ? FUSE_READDIRPLUS : FUSE_READDIR;
	ap.args.nodeid = fp_node_id(inode);
	ap.args.in_numargs = 1;
	ap.args.in_args[0].size = sizeof(in);
	ap.args.in_args[0].value = &in;
	ap.args.out_numargs = 1;
	ap.args.out_args[0].size = PAGE_SIZE;
	ap.args.out_argvar = true;
	ap.args.out_pages = true;
	if (plus)
		attr_version = atomic64_read(&conn->attr_version);
	res = fp_simple_request(conn, &ap.args);
	if (res == -ENOSYS && plus) {
		/* Offered, agreed, then not implemented: plain READDIR. */
		WRITE_ONCE(conn->no_readdirplus, true);
		plus = false;
		goto again;
	}
	if (res > 0) {
		if (plus)
			res = fp_parse_dirplusfile(page_address(page), res, file,
						   ctx, attr_version);
		else
			res = fp_parse_dirfile(page_address(page), res, ctx);
	}
	__free_page(page);
	fp_invalidate_atime(inode);
	return res;
}

static int fp_readdir(struct file *file, struct dir_context *ctx)
{
	struct fp_file *ff = file->private_data;
	int err;

	if (fp_is_bad(file_inode(file)))
		return -EIO;
	mutex_lock(&ff->readdir.lock);
	err = fp_readdir_uncached(file, ctx);
	mutex_unlock(&ff->readdir.lock);
	return err;
}

/*
 * Positions are the daemon's cookies, any 64-bit value: SEEK_SET takes
 * one back as it is, SEEK_CUR tells the current one. There is no end.
 */
static loff_t fp_dir_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t pos;

	switch (whence) {
	case SEEK_SET:
		pos = offset;
		break;
	case SEEK_CUR:
		if (check_add_overflow(file->f_pos, offset, &pos))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	/* The VFS holds f_pos_lock for directories. */
	file->f_pos = pos;
	return pos;
}

static int fp_dir_fsync(struct file *file, loff_t start, loff_t end,
			int datasync)
{
	struct inode *inode = file_inode(file);
	struct fp_conn *conn = fp_conn_of(inode);
	struct fp_file *ff = file->private_data;
	struct fuse_fsync_in in = {};
	struct fp_args args = {};
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	if (READ_ONCE(conn->no_fsyncdir))
		return 0;

	in.fh = ff->fh;
	in.fsync_flags = datasync ? FUSE_FSYNC_FDATASYNC : 0;
	args.opcode = FUSE_FSYNCDIR;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	inode_lock(inode);
	err = fp_simple_request(conn, &args);
	inode_unlock(inode);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_fsyncdir, true);
		err = 0;
	}
	return err;
}

static int fp_dir_open(struct inode *inode, struct file *file)
{
	return fp_open_common(inode, file, true);
}

static int fp_dir_release(struct inode *inode, struct file *file)
{
	fp_release_common(inode, file, true);
	return 0;
}

const struct file_operations fp_dir_fops = {
	.open		= fp_dir_open,
	.release	= fp_dir_release,
	.llseek		= fp_dir_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= fp_readdir,
	.fsync		= fp_dir_fsync,
};
