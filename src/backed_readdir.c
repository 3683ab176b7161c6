// SPDX-License-Identifier: GPL-2.0
/*
 * backed_readdir.c - open backed directories: reading, seeking and
 * syncing them through an open of the backing directory.
 *
 * Entries come from the backing directory unchanged, so d_ino is the
 * backing inode number and positions are the backing filesystem's own
 * (telldir/seekdir cookies round-trip through it; seeking is backed_file.c's).
 */
#include <linux/file.h>
#include <linux/fs.h>

#include "fusepass.h"

static int fp_backed_dir_open(struct inode *inode, struct file *file)
{
	struct file *backing = fp_backed_open(inode, file, FUSE_OPENDIR);

	if (IS_ERR(backing))
		return PTR_ERR(backing);
	file->private_data = backing;
	return 0;
}

static int fp_backed_dir_release(struct inode *inode, struct file *file)
{
	fput(fp_backing_file(file));
	return 0;
}

/* Hands each backing entry to the caller's actor, position and all. */
struct fp_backed_readdir {
	struct dir_context ctx;
	struct dir_context *caller;
};

static bool fp_backed_filldir(struct dir_context *ctx, const char *name, int namelen,
		       loff_t offset, u64 ino, unsigned int d_type)
{
	struct fp_backed_readdir *rd = container_of(ctx, struct fp_backed_readdir, ctx);

	rd->caller->pos = offset;
	return rd->caller->actor(rd->caller, name, namelen, offset, ino,
				 d_type);
}

static int fp_backed_dir_iterate(struct file *file, struct dir_context *ctx)
{
	struct file *backing = fp_backing_file(file);
	struct fp_backed_readdir rd = {
		.ctx.actor = fp_backed_filldir,
		.caller = ctx,
	};
	int err;

	fp_count_backed(file_inode(file)->i_sb);
	/* Our f_pos is the master copy; the VFS holds its lock for us. */
	backing->f_pos = ctx->pos;
	err = iterate_dir(backing, &rd.ctx);
	ctx->pos = backing->f_pos;
	return err;
}

const struct file_operations fp_backed_dir_fops = {
	.open		= fp_backed_dir_open,
	.release	= fp_backed_dir_release,
	.read		= generic_read_dir,
	.iterate_shared	= fp_backed_dir_iterate,
	.llseek		= fp_backed_llseek,
	.fsync		= fp_backed_fsync,
	.unlocked_ioctl	= fp_backed_ioctl,
	.compat_ioctl	= fp_backed_compat_ioctl,
};
