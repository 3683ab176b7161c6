// SPDX-License-Identifier: GPL-2.0
/*
 * backed_file.c - open regular files of backed inodes: every operation goes to
 * an open of the backing file made for the calling task.
 *
 * fusepass keeps no page cache of its own for them (see backing_io.c).
 */
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/uio.h>

#include "fusepass.h"

void fp_backed_file_attach(struct file *file, struct file *backing)
{
	file->private_data = backing;
	/* O_DIRECT on ours is possible exactly when it is on the backing. */
	file->f_mode |= backing->f_mode & FMODE_CAN_ODIRECT;
}

/*
 * Open the backing object behind @file (a backed file or directory),
 * between the daemon's OPEN or OPENDIR filters if it set any.
 */
struct file *fp_backed_open(struct inode *inode, struct file *file,
			    u32 opcode)
{
	struct fuse_open_in in = {
		.flags = file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY),
	};
	struct fp_filter_arg extra = { .value = &in, .size = sizeof(in) };
	struct dentry *dentry = file->f_path.dentry;
	struct file *backing;
	int err;

	err = fp_filter_pre(inode, dentry, opcode, &extra);
	if (err)
		return ERR_PTR(err);
	fp_count_backed(inode->i_sb);
	backing = fp_do_open(fp_backing_path(dentry), file->f_flags);
	err = fp_filter_post(inode, dentry, opcode, PTR_ERR_OR_ZERO(backing),
			     &extra);
	if (err && !IS_ERR(backing))
		fput(backing);
	return err ? ERR_PTR(err) : backing;
}

static int fp_backed_file_open(struct inode *inode, struct file *file)
{
	struct file *backing = fp_backed_open(inode, file, FUSE_OPEN);

	if (IS_ERR(backing))
		return PTR_ERR(backing);
	fp_backed_file_attach(file, backing);
	return 0;
}

/* Close-time unlocking for lock owners other than fd holders (OFD). */
static int fp_backed_file_release(struct inode *inode, struct file *file)
{
	struct file *backing = fp_backing_file(file);

	locks_remove_posix(backing, file);
	fput(backing);
	return 0;
}

/*
 * Locks live on the backing inode (see fp_backed_lock), so the close of an
 * fd must drop its owner's locks there; the VFS only looks at ours.
 */
static int fp_backed_file_flush(struct file *file, fl_owner_t id)
{
	struct file *backing = fp_backing_file(file);

	locks_remove_posix(backing, id);
	if (backing->f_op->flush)
		return backing->f_op->flush(backing, id);
	return 0;
}

static ssize_t fp_backed_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	fp_count_backed(iocb->ki_filp->f_inode->i_sb);
	return fp_backing_read_iter(fp_backing_file(iocb->ki_filp), iocb, to);
}

static ssize_t fp_backed_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	ssize_t ret;

	fp_count_backed(file->f_inode->i_sb);
	ret = fp_backing_write_iter(fp_backing_file(file), iocb, from);
	fp_backed_copy_attr(file_inode(file));
	return ret;
}

static int fp_backed_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (file != vma->vm_file)
		return -EIO;
	fp_count_backed(file_inode(file)->i_sb);
	return fp_backing_mmap(fp_backing_file(file), vma);
}

int fp_backed_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	return vfs_fsync_range(fp_backing_file(file), start, end, datasync);
}

static long fp_backed_fallocate(struct file *file, int mode, loff_t offset,
			      loff_t len)
{
	long ret;

	ret = vfs_fallocate(fp_backing_file(file), mode, offset, len);
	fp_backed_copy_attr(file_inode(file));
	return ret;
}

/*
 * Seek the backing file (only it knows SEEK_DATA/SEEK_HOLE, directory
 * cookies and its own limits), starting from and updating our position.
 * Used for directories too.
 */
loff_t fp_backed_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *backing = fp_backing_file(file);
	loff_t ret;

	/* The backing open is ours alone; the VFS serialises f_pos users. */
	backing->f_pos = file->f_pos;
	ret = vfs_llseek(backing, offset, whence);
	if (ret >= 0)
		file->f_pos = backing->f_pos;
	return ret;
}

static ssize_t fp_backed_copy_file_range(struct file *file_in, loff_t pos_in,
				       struct file *file_out, loff_t pos_out,
				       size_t len, unsigned int flags)
{
	ssize_t ret;

	ret = vfs_copy_file_range(fp_backing_file(file_in), pos_in,
				  fp_backing_file(file_out), pos_out, len,
				  flags);
	fp_backed_copy_attr(file_inode(file_out));
	return ret;
}

static loff_t fp_backed_remap_file_range(struct file *file_in, loff_t pos_in,
				       struct file *file_out, loff_t pos_out,
				       loff_t len, unsigned int remap_flags)
{
	struct file *in = fp_backing_file(file_in);
	struct file *out = fp_backing_file(file_out);
	loff_t ret;

	if (remap_flags & ~(REMAP_FILE_DEDUP | REMAP_FILE_ADVISORY))
		return -EINVAL;
	if (remap_flags & REMAP_FILE_DEDUP)
		ret = vfs_dedupe_file_range_one(in, pos_in, out, pos_out, len,
						remap_flags);
	else
		ret = vfs_clone_file_range(in, pos_in, out, pos_out, len,
					   remap_flags);
	fp_backed_copy_attr(file_inode(file_out));
	return ret;
}

/*
 * POSIX and OFD locks are taken on the backing file, so they conflict
 * with locks taken on the backing file directly, as through a bind mount.
 * The request is re-pointed at the backing open for the call.
 */
static int fp_backed_lock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *backing = fp_backing_file(file);
	struct file_lock_core *flc = fp_file_lock_core(fl);
	int err;

	flc->flc_file = backing;
	if (IS_GETLK(cmd))
		err = vfs_test_lock(backing, fl);
	else
		err = vfs_lock_file(backing, cmd, fl, NULL);
	flc->flc_file = file;
	return err;
}

/*
 * flock() locks belong to an open file description; ours is represented
 * below by its backing open, which is released with it.
 */
static int fp_backed_flock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *backing = fp_backing_file(file);
	struct file_lock_core *flc = fp_file_lock_core(fl);
	int err;

	flc->flc_file = backing;
	flc->flc_owner = backing;
	if (backing->f_op->flock)
		err = backing->f_op->flock(backing, cmd, fl);
	else
		err = locks_lock_inode_wait(file_inode(backing), fl);
	flc->flc_file = file;
	flc->flc_owner = file;
	return err;
}

/*
 * Other ioctls are the backing file's: they act on the backing open with
 * its access mode, for the calling task, as on the backing file itself.
 */
long fp_backed_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct file *backing = fp_backing_file(file);

	if (!backing->f_op->unlocked_ioctl)
		return -ENOTTY;
	return backing->f_op->unlocked_ioctl(backing, cmd, arg);
}

long fp_backed_compat_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct file *backing = fp_backing_file(file);

	if (!backing->f_op->compat_ioctl)
		return -ENOIOCTLCMD;
	return backing->f_op->compat_ioctl(backing, cmd, arg);
}

/*
 * A backed file has no page cache of its own: the caller's advice
 * (RANDOM, WILLNEED, DONTNEED...) concerns the backing file's.
 */
static int fp_backed_fadvise(struct file *file, loff_t offset, loff_t len,
			     int advice)
{
	return vfs_fadvise(fp_backing_file(file), offset, len, advice);
}

const struct file_operations fp_backed_file_fops = {
	.open			= fp_backed_file_open,
	.release		= fp_backed_file_release,
	.flush			= fp_backed_file_flush,
	.read_iter		= fp_backed_read_iter,
	.write_iter		= fp_backed_write_iter,
	.splice_read		= copy_splice_read,
	.splice_write		= iter_file_splice_write,
	.mmap			= fp_backed_mmap,
	.fsync			= fp_backed_fsync,
	.fallocate		= fp_backed_fallocate,
	.llseek			= fp_backed_llseek,
	.copy_file_range	= fp_backed_copy_file_range,
	.remap_file_range	= fp_backed_remap_file_range,
	.lock			= fp_backed_lock,
	.flock			= fp_backed_flock,
	.setlease		= COMPAT_NO_SETLEASE,
	.unlocked_ioctl		= fp_backed_ioctl,
	.compat_ioctl		= fp_backed_compat_ioctl,
	.fadvise		= fp_backed_fadvise,
};

/*
 * Never used for I/O (there is no page cache of ours); its direct_IO
 * entry tells older kernels that O_DIRECT opens are allowed.
 */
const struct address_space_operations fp_backed_file_aops = {
	.direct_IO	= noop_direct_IO,
};
