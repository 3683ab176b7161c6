// SPDX-License-Identifier: GPL-2.0
/*
 * range.c - operations on byte ranges of daemon-served files: llseek
 * (LSEEK for SEEK_DATA/SEEK_HOLE), FALLOCATE and COPY_FILE_RANGE, each
 * keeping the page cache and the cached size consistent with what the
 * daemon did. A daemon without one of them (-ENOSYS) is not asked again.
 */
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/splice.h>

#include "fusepass.h"

#define FP_STATX_MODSIZE (STATX_MTIME | STATX_CTIME | STATX_BLOCKS | \
			  STATX_SIZE)

/* ---- llseek ---------------------------------------------------------- */

static loff_t fp_lseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file_inode(file);
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	struct fuse_lseek_out out = {};
	struct fuse_lseek_in in = {};
	struct fp_args args = {};
	int err;

	if (READ_ONCE(conn->no_lseek))
		goto fallback;

	/* Data still in dirty pages is not where the daemon can see it. */
	err = filemap_write_and_wait(inode->i_mapping);
	if (err)
		return err;

	in.fh = ff->fh;
	in.offset = offset;
	in.whence = whence;
	args.opcode = FUSE_LSEEK;
	args.nodeid = ff->nodeid;
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_lseek, true);
		goto fallback;
	}
	if (err)
		return err;
	/* Data or a hole is never before where the search started. */
	if (out.offset > (u64)inode->i_sb->s_maxbytes ||
	    out.offset < (u64)offset)
		return -EIO;
	return vfs_setpos(file, out.offset, inode->i_sb->s_maxbytes);

fallback:
	/* All data up to the size, one hole after it. */
	err = fp_update_attributes(inode, file, STATX_SIZE, 0);
	if (err)
		return err;
	return generic_file_llseek(file, offset, whence);
}

loff_t fp_file_llseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file_inode(file);
	loff_t ret;

	switch (whence) {
	case SEEK_SET:
	case SEEK_CUR:
		return generic_file_llseek(file, offset, whence);
	case SEEK_END:
		inode_lock(inode);
		ret = fp_update_attributes(inode, file, STATX_SIZE, 0);
		if (!ret)
			ret = generic_file_llseek(file, offset, whence);
		inode_unlock(inode);
		return ret;
	case SEEK_DATA:
	case SEEK_HOLE:
		inode_lock(inode);
		ret = fp_lseek(file, offset, whence);
		inode_unlock(inode);
		return ret;
	default:
		return -EINVAL;
	}
}

/* ---- fallocate -------------------------------------------------------- */

long fp_file_fallocate(struct file *file, int mode, loff_t offset,
		       loff_t length)
{
	struct inode *inode = file_inode(file);
	struct fp_inode *fi = fp_inode(inode);
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	bool keep_size = mode & FALLOC_FL_KEEP_SIZE;
	bool drop_cache = mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE);
	struct fuse_fallocate_in in = {};
	struct fp_args args = {};
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
		     FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if (READ_ONCE(conn->no_fallocate))
		return -EOPNOTSUPP;

	inode_lock(inode);
	/* Dirty pages over the range must not land after the daemon's work. */
	if (drop_cache) {
		err = fp_writeback_from(inode, offset);
		if (err)
			goto out_unlock;
	}
	if (!keep_size && offset + length > i_size_read(inode)) {
		err = inode_newsize_ok(inode, offset + length);
		if (err)
			goto out_unlock;
	}
	err = file_modified(file);
	if (err)
		goto out_unlock;
	if (!keep_size)
		set_bit(FP_I_SIZE_UNSTABLE, &fi->state);

	in.fh = ff->fh;
	in.offset = offset;
	in.length = length;
	in.mode = mode;
	args.opcode = FUSE_FALLOCATE;
	args.nodeid = ff->nodeid;
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_fallocate, true);
		err = -EOPNOTSUPP;
	}
	if (err)
		goto out;

	if (!keep_size && fp_write_update_attr(inode, offset + length, length))
		file_update_time(file);
	if (drop_cache)
		truncate_pagecache_range(inode, offset, offset + length - 1);
	fp_invalidate_attr_mask(inode, FP_STATX_MODSIZE);
out:
	if (!keep_size)
		clear_bit(FP_I_SIZE_UNSTABLE, &fi->state);
out_unlock:
	inode_unlock(inode);
	return err;
}

/* ---- copy_file_range ------------------------------------------------- */

static ssize_t fp_copy_range(struct file *file_in, loff_t pos_in,
			     struct file *file_out, loff_t pos_out,
			     size_t len, unsigned int flags)
{
	struct fp_file *ff_in = file_in->private_data;
	struct fp_file *ff_out = file_out->private_data;
	struct inode *inode_in = file_inode(file_in);
	struct inode *inode_out = file_inode(file_out);
	struct fp_inode *fi_out = fp_inode(inode_out);
	struct fp_conn *conn = ff_in->conn;
	struct fuse_copy_file_range_in in = {};
	struct fuse_write_out out = {};
	struct fp_args args = {};
	bool is_unstable;
	ssize_t err;

	if (file_in->f_op != file_out->f_op ||
	    inode_in->i_sb != inode_out->i_sb)
		return -EXDEV;
	if (READ_ONCE(conn->no_copy_file_range))
		return -EOPNOTSUPP;
	if (fp_is_bad(inode_in) || fp_is_bad(inode_out))
		return -EIO;

	/* What is dirty in the source must be at the daemon to be copied. */
	inode_lock(inode_in);
	err = fp_writeback_from(inode_in, pos_in);
	inode_unlock(inode_in);
	if (err)
		return err;

	inode_lock(inode_out);
	err = file_modified(file_out);
	if (err)
		goto out;
	/*
	 * Dirty pages of the target are written first; after the copy the
	 * cached pages it covered are dropped, being stale.
	 */
	err = fp_writeback_from(inode_out, pos_out);
	if (err)
		goto out;
	is_unstable = !(conn->init_flags & FUSE_WRITEBACK_CACHE) &&
		      pos_out + len > i_size_read(inode_out);
	if (is_unstable)
		set_bit(FP_I_SIZE_UNSTABLE, &fi_out->state);

	in.fh_in = ff_in->fh;
	in.off_in = pos_in;
	in.nodeid_out = ff_out->nodeid;
	in.fh_out = ff_out->fh;
	in.off_out = pos_out;
	in.len = len;
	in.flags = flags;
	args.opcode = FUSE_COPY_FILE_RANGE;
	args.nodeid = ff_in->nodeid;
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_copy_file_range, true);
		err = -EOPNOTSUPP;
	}
	if (!err && out.size > len)
		err = -EIO;
	if (!err) {
		truncate_inode_pages_range(inode_out->i_mapping,
					   ALIGN_DOWN(pos_out, PAGE_SIZE),
					   ALIGN(pos_out + out.size, PAGE_SIZE) - 1);
		file_update_time(file_out);
		fp_write_update_attr(inode_out, pos_out + out.size, out.size);
		err = out.size;
	}
	if (is_unstable)
		clear_bit(FP_I_SIZE_UNSTABLE, &fi_out->state);
out:
	inode_unlock(inode_out);
	file_accessed(file_in);
	return err;
}

/*
 * Copies the daemon cannot do (no COPY_FILE_RANGE, or across
 * filesystems) are done by the kernel through the page cache.
 */
ssize_t fp_copy_file_range(struct file *file_in, loff_t pos_in,
			   struct file *file_out, loff_t pos_out, size_t len,
			   unsigned int flags)
{
	ssize_t ret;

	ret = fp_copy_range(file_in, pos_in, file_out, pos_out, len, flags);
	if (ret == -EOPNOTSUPP || ret == -EXDEV)
		ret = splice_copy_file_range(file_in, pos_in, file_out, pos_out,
					     len);
	return ret;
}
