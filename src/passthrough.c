// SPDX-License-Identifier: GPL-2.0
/*
 * passthrough.c - per-open passthrough, the FUSE ABI of Linux 6.9: an
 * OPEN or CREATE reply with FOPEN_PASSTHROUGH names a backing id, and
 * read, write, splice and mmap of that open file go to the backing file
 * with the credentials of the task that registered the id. The daemon
 * still sees the open, flush, fsync, release and attribute requests.
 *
 * I/O modes, as upstream defines them: all opens of an inode use the
 * page cache (cached mode), or all pass through to one backing file. The
 * first open decides; a conflicting open fails with EIO, a mistake the
 * daemon has to fix. An FOPEN_DIRECT_IO open without passthrough takes
 * neither side until it is mapped shared.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uio.h>

#include "fusepass.h"

/* What FOPEN_PASSTHROUGH may come with in an open reply. */
#define FP_FOPEN_PASSTHROUGH_MASK (FOPEN_PASSTHROUGH | FOPEN_DIRECT_IO | \
				   FOPEN_PARALLEL_DIRECT_WRITES | FOPEN_NOFLUSH)

/* Put @ff's inode in cached mode, unless it passes through. */
int fp_iomode_cached_start(struct inode *inode, struct fp_file *ff)
{
	struct fp_inode *fi = fp_inode(inode);
	int err = 0;

	spin_lock(&fi->lock);
	if (ff->iomode == FP_IOM_CACHED)
		;
	else if (fi->iocachectr < 0)
		err = -ETXTBSY;
	else {
		fi->iocachectr++;
		ff->iomode = FP_IOM_CACHED;
	}
	spin_unlock(&fi->lock);
	return err;
}

/*
 * Count @ff as a passthrough open of its inode on @fb. The inode holds
 * one reference to its backing for as long as passthrough opens exist.
 */
static int fp_iomode_passthrough_start(struct inode *inode, struct fp_file *ff,
				       struct fp_backing *fb)
{
	struct fp_inode *fi = fp_inode(inode);
	int err = 0;

	spin_lock(&fi->lock);
	if (fi->iocachectr > 0) {
		err = -ETXTBSY;
	} else if (fi->passthrough && fi->passthrough != fb) {
		err = -EBUSY;
	} else {
		if (!fi->passthrough)
			fi->passthrough = fp_backing_get(fb);
		fi->iocachectr--;
		ff->iomode = FP_IOM_PASSTHROUGH;
	}
	spin_unlock(&fi->lock);
	return err;
}

/* An open of @inode ends: it no longer counts towards the I/O mode. */
static void fp_iomode_end(struct inode *inode, struct fp_file *ff)
{
	struct fp_inode *fi = fp_inode(inode);
	struct fp_backing *put = NULL;

	spin_lock(&fi->lock);
	if (ff->iomode == FP_IOM_CACHED) {
		fi->iocachectr--;
	} else if (ff->iomode == FP_IOM_PASSTHROUGH) {
		if (++fi->iocachectr == 0) {
			put = fi->passthrough;
			fi->passthrough = NULL;
		}
	}
	ff->iomode = FP_IOM_NONE;
	spin_unlock(&fi->lock);
	if (put)
		fp_backing_put(put);
}

/* Open the backing file of @ff's backing id for @file's passthrough I/O. */
static int fp_passthrough_open(struct inode *inode, struct file *file,
			       struct fp_file *ff)
{
	struct fp_conn *conn = ff->conn;
	struct fp_backing *fb;
	struct file *backing;
	int err;

	if (!conn->passthrough || (ff->open_flags & ~FP_FOPEN_PASSTHROUGH_MASK))
		return -EINVAL;
	fb = fp_backing_lookup(conn, ff->backing_id);
	if (!fb)
		return -ENOENT;
	err = -EINVAL;
	if (!d_is_reg(fb->file->f_path.dentry))
		goto out_put;

	/* The caller's open flags, on the daemon's file, as the daemon. */
	backing = dentry_open(&fb->file->f_path, file->f_flags &
			      ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC),
			      fb->cred);
	err = PTR_ERR(backing);
	if (IS_ERR(backing))
		goto out_put;
	err = fp_iomode_passthrough_start(inode, ff, fb);
	if (err) {
		fput(backing);
		goto out_put;
	}
	ff->passthrough = backing;
	ff->passthrough_fb = fb;
	return 0;

out_put:
	fp_backing_put(fb);
	return err;
}

/*
 * The I/O mode an open of @inode asks for, from the daemon's FOPEN_*
 * flags. A daemon that breaks the rules gets EIO for the open, and the
 * log says why.
 */
int fp_iomode_open(struct inode *inode, struct file *file)
{
	struct fp_file *ff = file->private_data;
	struct fp_inode *fi = fp_inode(inode);
	const char *why;
	int err;

	/* No OPEN, no modes: the daemon has no files to pass through. */
	if (!S_ISREG(inode->i_mode) || !ff->release_args)
		return 0;
	if (!(ff->open_flags & FOPEN_DIRECT_IO))
		ff->open_flags &= ~FOPEN_PARALLEL_DIRECT_WRITES;

	if (ff->open_flags & FOPEN_PASSTHROUGH) {
		err = fp_passthrough_open(inode, file, ff);
		why = "FOPEN_PASSTHROUGH open refused";
	} else if (READ_ONCE(fi->passthrough)) {
		/* Every open of a passthrough inode must pass through. */
		err = -EINVAL;
		why = "open without FOPEN_PASSTHROUGH of an inode open in passthrough mode";
	} else if (ff->open_flags & FOPEN_DIRECT_IO) {
		return 0;
	} else {
		err = fp_iomode_cached_start(inode, ff);
		why = "cached open of an inode open in passthrough mode";
	}
	if (!err)
		return 0;
	pr_warn_ratelimited("node %llu: %s (backing id %d, open flags %#x): %d\n",
			    fp_node_id(inode), why, ff->backing_id,
			    ff->open_flags, err);
	return -EIO;
}

/* The last close of an open file: its I/O mode and backing file go. */
void fp_iomode_release(struct inode *inode, struct fp_file *ff)
{
	fp_iomode_end(inode, ff);
	if (ff->passthrough) {
		fput(ff->passthrough);
		ff->passthrough = NULL;
	}
	if (ff->passthrough_fb) {
		fp_backing_put(ff->passthrough_fb);
		ff->passthrough_fb = NULL;
	}
}

ssize_t fp_passthrough_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct fp_file *ff = file->private_data;
	const struct cred *old_cred;
	ssize_t ret;

	atomic64_inc(&ff->conn->stats.passthrough_read);
	old_cred = override_creds(ff->passthrough_fb->cred);
	ret = fp_backing_read_iter(ff->passthrough, iocb, to);
	revert_creds(old_cred);
	fp_invalidate_atime(file_inode(file));
	return ret;
}

ssize_t fp_passthrough_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct fp_file *ff = file->private_data;
	struct inode *inode = file_inode(file);
	const struct cred *old_cred;
	ssize_t ret;

	atomic64_inc(&ff->conn->stats.passthrough_write);
	/* Size changes (truncate through the daemon) wait for us. */
	inode_lock(inode);
	old_cred = override_creds(ff->passthrough_fb->cred);
	ret = fp_backing_write_iter(ff->passthrough, iocb, from);
	revert_creds(old_cred);
	fp_write_update_attr(inode, iocb->ki_pos, ret);
	inode_unlock(inode);
	return ret;
}

int fp_passthrough_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct fp_file *ff = file->private_data;
	const struct cred *old_cred;
	int ret;

	atomic64_inc(&ff->conn->stats.passthrough_mmap);
	old_cred = override_creds(ff->passthrough_fb->cred);
	ret = fp_backing_mmap(ff->passthrough, vma);
	revert_creds(old_cred);
	fp_invalidate_atime(file_inode(file));
	return ret;
}
