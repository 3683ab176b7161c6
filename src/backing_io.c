// SPDX-License-Identifier: GPL-2.0
/*
 * backing_io.c - reads, writes and mappings done on a backing file for
 * one of our open files: shared by backed inodes (the caller's own open
 * of the backing file) and per-open passthrough (an open made with the
 * daemon's credentials).
 *
 * No page cache of ours is involved: data moves between the caller and
 * the backing file, and mmap maps the backing file itself, so a shared
 * mapping and the backing file see the same pages.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/uio.h>

#include "fusepass.h"

/* Flags fcntl(F_SETFL) may change on our file after open. */
#define FP_SETFL_MASK (O_APPEND | O_NONBLOCK | O_NDELAY | O_DIRECT | O_NOATIME)

/* Carry F_SETFL changes made on our file over to the backing open. */
static int fp_backing_sync_flags(struct file *file, struct file *backing)
{
	unsigned int flags = READ_ONCE(file->f_flags) & FP_SETFL_MASK;
	int err;

	if (flags == (READ_ONCE(backing->f_flags) & FP_SETFL_MASK))
		return 0;
	if (((flags ^ backing->f_flags) & O_APPEND) &&
	    IS_APPEND(file_inode(backing)))
		return -EPERM;
	if (backing->f_op->check_flags) {
		err = backing->f_op->check_flags(flags);
		if (err)
			return err;
	}
	spin_lock(&backing->f_lock);
	backing->f_flags = (backing->f_flags & ~FP_SETFL_MASK) | flags;
	spin_unlock(&backing->f_lock);
	return 0;
}

/* The per-call flags of our request, for the backing one. */
static rwf_t fp_iocb_rwf(const struct kiocb *iocb)
{
	return (__force rwf_t)(iocb->ki_flags &
			       (IOCB_HIPRI | IOCB_DSYNC | IOCB_SYNC));
}

ssize_t fp_backing_read_iter(struct file *backing, struct kiocb *iocb,
			     struct iov_iter *to)
{
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	ret = fp_backing_sync_flags(iocb->ki_filp, backing);
	if (ret)
		return ret;
	return vfs_iter_read(backing, to, &iocb->ki_pos, fp_iocb_rwf(iocb));
}

ssize_t fp_backing_write_iter(struct file *backing, struct kiocb *iocb,
			      struct iov_iter *from)
{
	ssize_t ret;

	if (!iov_iter_count(from))
		return 0;
	ret = fp_backing_sync_flags(iocb->ki_filp, backing);
	if (ret)
		return ret;
	return vfs_iter_write(backing, from, &iocb->ki_pos, fp_iocb_rwf(iocb));
}

/* Map @backing in place of our file @vma was being set up for. */
int fp_backing_mmap(struct file *backing, struct vm_area_struct *vma)
{
	if (!can_mmap_file(backing))
		return -ENODEV;
	/* A noexec backing mount stays noexec through us. */
	if ((vma->vm_flags & VM_EXEC) &&
	    ((backing->f_path.mnt->mnt_flags & MNT_NOEXEC) ||
	     (backing->f_path.mnt->mnt_sb->s_iflags & SB_I_NOEXEC)))
		return -EPERM;
	vma_set_file(vma, backing);
	return vfs_mmap(backing, vma);
}
