// SPDX-License-Identifier: GPL-2.0
/*
 * io.c - the data of daemon-served files: READs into the page cache
 * (read_folio, readahead), direct I/O that bypasses it, and what opening
 * and closing a file does to the cache.
 *
 * A READ reply may be short (end of file) but never longer than asked
 * (dev.c refuses that); a WRITE reply claiming more than was sent is an
 * I/O error. Buffered writes are write.c's; dirty pages and the WRITEs
 * that clean them are writeback.c's.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/writeback.h>

#include "fusepass.h"

/* Attributes a write changes behind the kernel's back. */
#define FP_STATX_MODIFY (STATX_MTIME | STATX_CTIME | STATX_BLOCKS)

struct fp_io_args *fp_io_alloc(unsigned int npages, gfp_t gfp)
{
	struct fp_io_args *ia;
	size_t size = sizeof(*ia) + npages * (sizeof(struct page *) +
					      sizeof(struct fp_page_desc));

	ia = kzalloc(size, gfp);
	if (!ia)
		return NULL;
	ia->ap.pages = (struct page **)(ia + 1);
	ia->ap.descs = (struct fp_page_desc *)(ia->ap.pages + npages);
	INIT_LIST_HEAD(&ia->queue_entry);
	return ia;
}

void fp_io_free(struct fp_io_args *ia)
{
	kfree(ia);
}

static void fp_read_args_fill(struct fp_io_args *ia, struct file *file,
			      loff_t pos, size_t count)
{
	struct fp_file *ff = file->private_data;
	struct fp_args *args = &ia->ap.args;

	ia->read.in.fh = ff->fh;
	ia->read.in.offset = pos;
	ia->read.in.size = count;
	ia->read.in.flags = file->f_flags;
	args->opcode = FUSE_READ;
	args->nodeid = ff->nodeid;
	args->in_numargs = 1;
	args->in_args[0].size = sizeof(ia->read.in);
	args->in_args[0].value = &ia->read.in;
	args->out_numargs = 1;
	args->out_argvar = true;
	args->out_args[0].size = count;
}

void fp_write_args_fill(struct fp_io_args *ia, struct fp_file *ff, loff_t pos,
			size_t count)
{
	struct fp_args *args = &ia->ap.args;

	ia->write.in.fh = ff->fh;
	ia->write.in.offset = pos;
	ia->write.in.size = count;
	args->opcode = FUSE_WRITE;
	args->nodeid = ff->nodeid;
	args->in_numargs = 2;
	args->in_args[0].size = ff->conn->minor < 9 ?
				FUSE_COMPAT_WRITE_IN_SIZE : sizeof(ia->write.in);
	args->in_args[0].value = &ia->write.in;
	args->in_args[1].size = count;
	args->out_numargs = 1;
	args->out_args[0].size = sizeof(ia->write.out);
	args->out_args[0].value = &ia->write.out;
}

/* open(2) flags of a write, with the kiocb's sync wishes. */
u32 fp_write_flags(const struct kiocb *iocb)
{
	u32 flags = iocb->ki_filp->f_flags;

	if (iocb->ki_flags & IOCB_DSYNC)
		flags |= O_DSYNC;
	if (iocb->ki_flags & IOCB_SYNC)
		flags |= O_SYNC;
	return flags;
}

/*
 * After a write reached the daemon: a size it extended, and attributes it
 * changed there. Returns whether the size grew.
 */
bool fp_write_update_attr(struct inode *inode, loff_t pos, ssize_t written)
{
	struct fp_inode *fi = fp_inode(inode);
	bool grew = false;

	spin_lock(&fi->lock);
	fi->attr_version = atomic64_inc_return(&fp_conn_of(inode)->attr_version);
	if (written > 0 && pos > inode->i_size) {
		i_size_write(inode, pos);
		grew = true;
	}
	spin_unlock(&fi->lock);
	fp_invalidate_attr_mask(inode, FP_STATX_MODIFY);
	return grew;
}

/*
 * A READ came back short at @size: the file ends there, unless attributes
 * newer than the read or a size change in flight say otherwise. With a
 * writeback cache the kernel's size wins (the rest was zeroed).
 */
static void fp_short_read(struct inode *inode, u64 attr_ver, loff_t size)
{
	struct fp_inode *fi = fp_inode(inode);

	if (fp_wb_cache(inode))
		return;
	spin_lock(&fi->lock);
	if (attr_ver >= fi->attr_version && size < inode->i_size &&
	    !test_bit(FP_I_SIZE_UNSTABLE, &fi->state)) {
		fi->attr_version =
			atomic64_inc_return(&fp_conn_of(inode)->attr_version);
		i_size_write(inode, size);
	}
	spin_unlock(&fi->lock);
}

/* Offsets past LLONG_MAX cannot be sent: trim a range ending there. */
static size_t fp_clip_count(loff_t pos, size_t count)
{
	if ((u64)pos + count > (u64)LLONG_MAX)
		count = LLONG_MAX - pos;
	return count;
}

/* ---- page cache reads ------------------------------------------------ */

/* READ one locked folio through @file; the caller marks it uptodate. */
int fp_read_folio_sync(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct fp_conn *conn = fp_conn_of(inode);
	struct page *page = &folio->page;
	struct fp_page_desc desc = {};
	struct fp_io_args ia = {
		.ap.args.out_pages = true,
		.ap.args.page_zeroing = true,
		.ap.pages = &page,
		.ap.descs = &desc,
		.ap.num_pages = 1,
	};
	loff_t pos = folio_pos(folio);
	u64 attr_ver;
	ssize_t res;

	/* An older WRITE of this page still in flight lands first. */
	folio_wait_writeback(folio);
	desc.length = fp_clip_count(pos, PAGE_SIZE);
	attr_ver = atomic64_read(&conn->attr_version);
	fp_read_args_fill(&ia, file, pos, desc.length);
	res = fp_simple_request(conn, &ia.ap.args);
	if (res < 0)
		return res;
	if (res < desc.length)
		fp_short_read(inode, attr_ver, pos + res);
	return 0;
}

static int fp_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	int err = -EIO;

	/* Only reads through an open file know a file handle. */
	if (file && !fp_is_bad(inode))
		err = fp_read_folio_sync(file, folio);
	if (!err)
		folio_mark_uptodate(folio);
	fp_invalidate_atime(inode);
	folio_unlock(folio);
	return err;
}

/* The end of a readahead READ, sent in the background or not. */
static void fp_readpages_end(struct fp_conn *conn, struct fp_args *args,
			     int err)
{
	struct fp_io_args *ia = container_of(args, struct fp_io_args, ap.args);
	struct inode *inode = ia->inode;
	size_t num_read = args->out_args[0].size;
	unsigned int i;

	/* The locked folios keep the inode alive until unlocked below. */
	if (!err && num_read < ia->read.in.size)
		fp_short_read(inode, ia->read.attr_ver,
			      ia->read.in.offset + num_read);
	fp_invalidate_atime(inode);
	for (i = 0; i < ia->ap.num_pages; i++) {
		struct folio *folio = page_folio(ia->ap.pages[i]);

		if (!err)
			folio_mark_uptodate(folio);
		folio_unlock(folio);
		folio_put(folio);
	}
	if (ia->ff)
		fp_file_put(ia->ff, false);
	fp_io_free(ia);
}

static void fp_send_readpages(struct fp_io_args *ia, struct file *file)
{
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	unsigned int last = ia->ap.num_pages - 1;
	loff_t pos = folio_pos(page_folio(ia->ap.pages[0]));
	size_t count = (size_t)ia->ap.num_pages << PAGE_SHIFT;
	size_t clipped = fp_clip_count(pos, count);
	ssize_t res;
	int err;

	ia->ap.descs[last].length -= count - clipped;
	ia->ap.args.out_pages = true;
	ia->ap.args.page_zeroing = true;
	fp_read_args_fill(ia, file, pos, clipped);
	ia->read.attr_ver = atomic64_read(&conn->attr_version);
	ia->inode = file_inode(file);

	if (conn->init_flags & FUSE_ASYNC_READ) {
		ia->ff = fp_file_get(ff);
		ia->ap.args.end = fp_readpages_end;
		err = fp_background_request(conn, &ia->ap.args, GFP_KERNEL);
		if (!err)
			return;
	} else {
		res = fp_simple_request(conn, &ia->ap.args);
		err = res < 0 ? res : 0;
	}
	fp_readpages_end(conn, &ia->ap.args, err);
}

static void fp_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	struct fp_conn *conn = fp_conn_of(inode);
	unsigned int max_pages, nr, i;

	if (!rac->file || fp_is_bad(inode))
		return;
	max_pages = min_t(unsigned int, conn->max_pages,
			  max_t(unsigned int, conn->max_read, PAGE_SIZE) >>
			  PAGE_SHIFT);

	for (;;) {
		struct fp_io_args *ia;

		nr = readahead_count(rac);
		if (!nr)
			return;
		/* Congested and only the speculative part left: skip it. */
		if (READ_ONCE(conn->num_background) >=
		    READ_ONCE(conn->congestion_threshold) &&
		    rac->ra && rac->ra->async_size >= nr)
			return;
		nr = min(nr, max_pages);
		ia = fp_io_alloc(nr, GFP_KERNEL);
		if (!ia)
			return;
		for (i = 0; i < nr; i++) {
			struct folio *folio = readahead_folio(rac);

			if (!folio)
				break;
			/* Locked until the reply; referenced until then too. */
			folio_get(folio);
			ia->ap.pages[i] = &folio->page;
			ia->ap.descs[i].length = PAGE_SIZE;
		}
		ia->ap.num_pages = i;
		if (!i) {
			fp_io_free(ia);
			return;
		}
		fp_send_readpages(ia, rac->file);
	}
}

/* ---- direct I/O ------------------------------------------------------ */

/*
 * READ or WRITE straight between @iter and the daemon, in requests of at
 * most max_read/max_write bytes through a kernel buffer (so any kind of
 * iterator works, and the daemon never sees the caller's pages). Dirty
 * cached pages are written back first; after a write, the cached pages
 * of the range are dropped.
 */
static ssize_t fp_direct_io(struct kiocb *iocb, struct iov_iter *iter,
			    bool write)
{
	struct file *file = iocb->ki_filp;
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	struct address_space *mapping = file->f_mapping;
	size_t count = iov_iter_count(iter);
	size_t max, done = 0;
	loff_t pos = iocb->ki_pos;
	ssize_t err = 0;
	void *buf;

	if (!count)
		return 0;
	max = write ? conn->max_write :
		      clamp_t(size_t, conn->max_read, PAGE_SIZE,
			      (size_t)conn->max_pages << PAGE_SHIFT);
	count = fp_clip_count(pos, count);
	if (!count)
		return write ? -EFBIG : 0;

	/* To the end of the file: see fp_writeback_from(). */
	if (mapping->nrpages) {
		err = fp_writeback_from(file_inode(file), pos);
		if (err)
			return err;
	}
	buf = kvmalloc(min(count, max), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	while (count) {
		struct fp_io_args ia = {};
		size_t n = min(count, max), got;

		if (write) {
			n = copy_from_iter(buf, n, iter);
			if (!n) {
				err = -EFAULT;
				break;
			}
			fp_write_args_fill(&ia, ff, pos, n);
			ia.ap.args.in_args[1].value = buf;
			ia.write.in.flags = fp_write_flags(iocb);
			ia.write.in.write_flags |= FUSE_WRITE_LOCKOWNER;
			ia.write.in.lock_owner = fp_lock_owner_id(conn,
							current->files);
			if (!capable(CAP_FSETID))
				ia.write.in.write_flags |= FUSE_WRITE_KILL_SUIDGID;
			err = fp_simple_request(conn, &ia.ap.args);
			got = ia.write.out.size;
			if (!err && got > n)
				err = -EIO;
			if (err) {
				iov_iter_revert(iter, n);
				break;
			}
			iov_iter_revert(iter, n - got);
		} else {
			fp_read_args_fill(&ia, file, pos, n);
			ia.ap.args.out_args[0].value = buf;
			ia.read.in.read_flags |= FUSE_READ_LOCKOWNER;
			ia.read.in.lock_owner = fp_lock_owner_id(conn,
							current->files);
			err = fp_simple_request(conn, &ia.ap.args);
			if (err < 0)
				break;
			/* dev.c never lets a reply be longer than asked. */
			got = err;
			err = 0;
			if (copy_to_iter(buf, got, iter) != got) {
				err = -EFAULT;
				break;
			}
		}
		done += got;
		pos += got;
		count -= got;
		/* Short: end of file, or the daemon took what it could. */
		if (got < n)
			break;
	}
	kvfree(buf);

	if (write && done && mapping->nrpages)
		invalidate_inode_pages2_range(mapping,
					      iocb->ki_pos >> PAGE_SHIFT,
					      (iocb->ki_pos + done - 1) >>
					      PAGE_SHIFT);
	if (!done)
		return err;
	iocb->ki_pos += done;
	return done;
}

static ssize_t fp_direct_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t res = fp_direct_io(iocb, to, false);

	fp_invalidate_atime(file_inode(iocb->ki_filp));
	return res;
}

/*
 * Direct writes to FOPEN_PARALLEL_DIRECT_WRITES files share the inode
 * lock, unless one could change the size or the mode (append, past EOF,
 * privileges to drop).
 */
static bool fp_dio_exclusive(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct fp_file *ff = file->private_data;
	struct inode *inode = file_inode(file);

	return (iocb->ki_flags & IOCB_APPEND) ||
	       !(ff->open_flags & FOPEN_DIRECT_IO) ||
	       !(ff->open_flags & FOPEN_PARALLEL_DIRECT_WRITES) ||
	       iocb->ki_pos + iov_iter_count(from) > i_size_read(inode) ||
	       setattr_should_drop_suidgid(&nop_mnt_idmap, inode);
}

static ssize_t fp_direct_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	bool exclusive = fp_dio_exclusive(iocb, from);
	ssize_t res;

	if (exclusive) {
		inode_lock(inode);
	} else {
		inode_lock_shared(inode);
		/* It may have changed before we got the lock. */
		if (fp_dio_exclusive(iocb, from)) {
			inode_unlock_shared(inode);
			inode_lock(inode);
			exclusive = true;
		}
	}
	res = generic_write_checks(iocb, from);
	if (res > 0 && exclusive)
		res = file_remove_privs(file) ?: res;
	if (res > 0) {
		res = fp_direct_io(iocb, from, true);
		fp_write_update_attr(inode, iocb->ki_pos, res);
	}
	if (exclusive)
		inode_unlock(inode);
	else
		inode_unlock_shared(inode);
	if (res > 0)
		res = generic_write_sync(iocb, res);
	return res;
}

/* ---- read_iter / write_iter ------------------------------------------ */

ssize_t fp_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct fp_file *ff = file->private_data;
	struct inode *inode = file_inode(file);
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	if (!iov_iter_count(to))
		return 0;
	if (fp_file_passthrough_io(ff))
		return fp_passthrough_read_iter(iocb, to);
	if ((ff->open_flags & FOPEN_DIRECT_IO) ||
	    (iocb->ki_flags & IOCB_DIRECT))
		return fp_direct_read_iter(iocb, to);

	/*
	 * With auto invalidation, attributes are checked at every read (the
	 * daemon's mtime tells whether the cache is stale); otherwise only
	 * when reading past the cached size.
	 */
	if ((ff->conn->init_flags & FUSE_AUTO_INVAL_DATA) ||
	    iocb->ki_pos + iov_iter_count(to) > i_size_read(inode)) {
		err = fp_update_attributes(inode, file, STATX_SIZE, 0);
		if (err)
			return err;
	}
	return generic_file_read_iter(iocb, to);
}

ssize_t fp_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct fp_file *ff = file->private_data;

	if (fp_is_bad(file_inode(file)))
		return -EIO;
	if (fp_file_passthrough_io(ff))
		return fp_passthrough_write_iter(iocb, from);
	if ((ff->open_flags & FOPEN_DIRECT_IO) ||
	    (iocb->ki_flags & IOCB_DIRECT))
		return fp_direct_write_iter(iocb, from);
	return fp_cache_write_iter(iocb, from);
}

/* ---- open and close ------------------------------------------------- */

/* open(O_TRUNC) truncated the file in OPEN: so does the kernel's size. */
void fp_io_truncate_size(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);

	spin_lock(&fi->lock);
	fi->attr_version = atomic64_inc_return(&fp_conn_of(inode)->attr_version);
	i_size_write(inode, 0);
	spin_unlock(&fi->lock);
}

/*
 * What an open does to the page cache: an atomic O_TRUNC empties it, and
 * without FOPEN_KEEP_CACHE whatever is cached may be stale.
 */
void fp_io_finish_open(struct inode *inode, struct file *file)
{
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;

	if (!S_ISREG(inode->i_mode))
		return;
	if ((file->f_flags & O_TRUNC) &&
	    (conn->init_flags & FUSE_ATOMIC_O_TRUNC)) {
		fp_io_truncate_size(inode);
		truncate_pagecache(inode, 0);
		file_update_time(file);
		fp_invalidate_attr_mask(inode, FP_STATX_MODIFY | STATX_SIZE);
	} else if (!(ff->open_flags & FOPEN_KEEP_CACHE)) {
		invalidate_inode_pages2(inode->i_mapping);
	}
	if ((file->f_mode & FMODE_WRITE) && fp_wb_cache(inode))
		fp_link_write_file(file);
}

/* The last close of an open file: its dirty pages go to the daemon. */
void fp_io_release(struct inode *inode, struct file *file)
{
	struct fp_file *ff = file->private_data;

	fp_poll_release(ff);
	if (!S_ISREG(inode->i_mode))
		return;
	if (fp_wb_cache(inode) ||
	    mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY))
		write_inode_now(inode, 1);
	fp_unlink_write_file(file);
}

/*
 * Dirty pages from @start on written and acknowledged, up to the end of
 * the file: with a writeback cache the daemon's file may end before a
 * range the caller is about to have the daemon work on, while dirty
 * pages further on make it longer in the kernel.
 */
int fp_writeback_from(struct inode *inode, loff_t start)
{
	return filemap_write_and_wait_range(inode->i_mapping, start, LLONG_MAX);
}

const struct address_space_operations fp_file_aops = {
	.read_folio	= fp_read_folio,
	.readahead	= fp_readahead,
	.writepages	= fp_writepages,
	.dirty_folio	= filemap_dirty_folio,
	.launder_folio	= fp_launder_folio,
	.migrate_folio	= filemap_migrate_folio,
	/* O_DIRECT is served by read_iter/write_iter themselves. */
	.direct_IO	= noop_direct_IO,
};
