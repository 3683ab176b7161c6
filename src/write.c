// SPDX-License-Identifier: GPL-2.0
/*
 * write.c - buffered writes to daemon-served files. Without a writeback
 * cache they go through the page cache to the daemon at once (the pages
 * stay cached); with FUSE_WRITEBACK_CACHE they only dirty pages, the size
 * is kept by the kernel, and writeback.c sends them later.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/uio.h>
#include <linux/writeback.h>

#include "fusepass.h"

/* ---- write-through: buffered writes that go to the daemon at once -- */

/* Pages a write of @len bytes at @pos touches, at most @max. */
static unsigned int fp_wr_pages(loff_t pos, size_t len, unsigned int max)
{
	return min_t(u64, ((pos + len - 1) >> PAGE_SHIFT) -
			  (pos >> PAGE_SHIFT) + 1, max);
}

/*
 * Copy the next part of @ii into page cache folios for one WRITE. Folios
 * a full page was copied into are uptodate and unlocked at once; one only
 * partly written (and not uptodate) ends the request, still locked, so
 * that nobody reads it half new.
 */
static ssize_t fp_fill_write_pages(struct fp_io_args *ia,
				   struct address_space *mapping,
				   struct iov_iter *ii, loff_t pos,
				   unsigned int max_pages, bool *locked_last)
{
	struct fp_conn *conn = fp_conn_of(mapping->host);
	unsigned int offset = offset_in_page(pos);
	size_t count = 0;
	int err = 0;

	ia->ap.args.in_pages = true;
	do {
		struct folio *folio;
		size_t copied, bytes;

		bytes = min_t(size_t, PAGE_SIZE - offset, iov_iter_count(ii));
		bytes = min_t(size_t, bytes, conn->max_write - count);
again:
		if (fault_in_iov_iter_readable(ii, bytes)) {
			err = -EFAULT;
			break;
		}
		folio = __filemap_get_folio(mapping, pos >> PAGE_SHIFT,
					    FGP_WRITEBEGIN,
					    mapping_gfp_mask(mapping));
		if (IS_ERR(folio)) {
			err = PTR_ERR(folio);
			break;
		}
		if (mapping_writably_mapped(mapping))
			flush_dcache_folio(folio);
		copied = copy_folio_from_iter_atomic(folio, offset, bytes, ii);
		flush_dcache_folio(folio);
		if (!copied) {
			folio_unlock(folio);
			folio_put(folio);
			goto again;
		}

		ia->ap.pages[ia->ap.num_pages] = &folio->page;
		ia->ap.descs[ia->ap.num_pages].offset = offset;
		ia->ap.descs[ia->ap.num_pages].length = copied;
		ia->ap.num_pages++;
		count += copied;
		pos += copied;
		offset += copied;
		if (offset == PAGE_SIZE)
			offset = 0;

		if (copied == PAGE_SIZE)
			folio_mark_uptodate(folio);
		if (!folio_test_uptodate(folio)) {
			*locked_last = true;
			break;
		}
		folio_unlock(folio);
		if (!(conn->init_flags & FUSE_BIG_WRITES))
			break;
	} while (iov_iter_count(ii) && count < conn->max_write &&
		 ia->ap.num_pages < max_pages && offset == 0);

	return count > 0 ? count : err;
}

static int fp_send_write_pages(struct fp_io_args *ia, struct kiocb *iocb,
			       loff_t pos, size_t count, bool locked_last)
{
	struct fp_file *ff = iocb->ki_filp->private_data;
	struct fp_conn *conn = ff->conn;
	unsigned int offset, i;
	bool short_write;
	size_t written;
	int err;

	/* Older writeback WRITEs of these pages must not land after ours. */
	for (i = 0; i < ia->ap.num_pages; i++)
		folio_wait_writeback(page_folio(ia->ap.pages[i]));

	fp_write_args_fill(ia, ff, pos, count);
	ia->write.in.flags = fp_write_flags(iocb);
	if ((conn->init_flags & FUSE_HANDLE_KILLPRIV_V2) && !capable(CAP_FSETID))
		ia->write.in.write_flags |= FUSE_WRITE_KILL_SUIDGID;
	err = fp_simple_request(conn, &ia->ap.args);
	if (!err && ia->write.out.size > count)
		err = -EIO;

	/* Pages the daemon did not take hold data it does not have. */
	short_write = err || ia->write.out.size < count;
	written = err ? 0 : ia->write.out.size;
	offset = ia->ap.descs[0].offset;
	for (i = 0; i < ia->ap.num_pages; i++) {
		struct folio *folio = page_folio(ia->ap.pages[i]);
		size_t in_page = PAGE_SIZE - offset;

		if (written >= in_page) {
			written -= in_page;
		} else {
			if (short_write)
				folio_clear_uptodate(folio);
			written = 0;
		}
		offset = 0;
		if (locked_last && i == ia->ap.num_pages - 1)
			folio_unlock(folio);
		folio_put(folio);
	}
	return err;
}

static ssize_t fp_perform_write(struct kiocb *iocb, struct iov_iter *ii)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct fp_inode *fi = fp_inode(inode);
	struct fp_conn *conn = fp_conn_of(inode);
	loff_t pos = iocb->ki_pos;
	ssize_t res = 0;
	int err = 0;

	if (inode->i_size < pos + iov_iter_count(ii))
		set_bit(FP_I_SIZE_UNSTABLE, &fi->state);

	do {
		unsigned int nr = fp_wr_pages(pos, iov_iter_count(ii),
					      conn->max_pages);
		bool locked_last = false;
		struct fp_io_args *ia;
		ssize_t count;

		ia = fp_io_alloc(nr, GFP_KERNEL);
		if (!ia) {
			err = -ENOMEM;
			break;
		}
		count = fp_fill_write_pages(ia, inode->i_mapping, ii, pos, nr,
					    &locked_last);
		if (count <= 0) {
			err = count;
		} else {
			err = fp_send_write_pages(ia, iocb, pos, count,
						  locked_last);
			if (!err) {
				size_t n = ia->write.out.size;

				res += n;
				pos += n;
				/* A short write ends the loop. */
				if (n != count) {
					iov_iter_revert(ii, count - n);
					err = -EIO;
				}
			}
		}
		fp_io_free(ia);
	} while (!err && iov_iter_count(ii));

	fp_write_update_attr(inode, pos, res);
	clear_bit(FP_I_SIZE_UNSTABLE, &fi->state);
	if (!res)
		return err;
	iocb->ki_pos += res;
	return res;
}

/* ---- the writeback cache: buffered writes dirty pages ---------------- */

/*
 * Make a locked folio ready for @len bytes at @pos: nothing to do if it is
 * uptodate or written whole, zeroes past the end of file, else READ.
 */
static int fp_wb_prepare_folio(struct file *file, struct folio *folio,
			       loff_t pos, size_t len)
{
	struct inode *inode = folio->mapping->host;
	size_t off = offset_in_folio(folio, pos);
	int err;

	if (folio_test_uptodate(folio) || len == PAGE_SIZE)
		return 0;
	folio_wait_writeback(folio);
	if (i_size_read(inode) <= folio_pos(folio)) {
		folio_zero_segments(folio, 0, off, off + len, PAGE_SIZE);
		folio_mark_uptodate(folio);
		return 0;
	}
	err = fp_read_folio_sync(file, folio);
	if (!err)
		folio_mark_uptodate(folio);
	return err;
}

static void fp_wb_extend_size(struct inode *inode, loff_t size)
{
	struct fp_inode *fi = fp_inode(inode);

	spin_lock(&fi->lock);
	if (size > inode->i_size) {
		fi->attr_version =
			atomic64_inc_return(&fp_conn_of(inode)->attr_version);
		i_size_write(inode, size);
	}
	spin_unlock(&fi->lock);
}

/* Copy @i into the page cache and dirty it. Inode locked. */
static ssize_t fp_wb_perform_write(struct kiocb *iocb, struct iov_iter *i)
{
	struct file *file = iocb->ki_filp;
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	loff_t pos = iocb->ki_pos;
	ssize_t written = 0;
	int err = 0;

	do {
		size_t offset = offset_in_page(pos);
		size_t bytes = min_t(size_t, PAGE_SIZE - offset,
				     iov_iter_count(i));
		struct folio *folio;
		size_t copied;

		if (fault_in_iov_iter_readable(i, bytes) == bytes) {
			err = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		folio = __filemap_get_folio(mapping, pos >> PAGE_SHIFT,
					    FGP_WRITEBEGIN,
					    mapping_gfp_mask(mapping));
		if (IS_ERR(folio)) {
			err = PTR_ERR(folio);
			break;
		}
		err = fp_wb_prepare_folio(file, folio, pos, bytes);
		if (err) {
			folio_unlock(folio);
			folio_put(folio);
			break;
		}
		if (mapping_writably_mapped(mapping))
			flush_dcache_folio(folio);
		copied = copy_folio_from_iter_atomic(folio, offset, bytes, i);
		flush_dcache_folio(folio);

		/* A whole page was to be written but only part came: retry. */
		if (!folio_test_uptodate(folio)) {
			if (copied < bytes) {
				iov_iter_revert(i, copied);
				copied = 0;
			} else {
				folio_mark_uptodate(folio);
			}
		}
		if (copied) {
			fp_wb_extend_size(inode, pos + copied);
			folio_mark_dirty(folio);
		}
		folio_unlock(folio);
		folio_put(folio);

		pos += copied;
		written += copied;
		balance_dirty_pages_ratelimited(mapping);
	} while (iov_iter_count(i));

	if (!written)
		return err;
	iocb->ki_pos = pos;
	return written;
}

ssize_t fp_cache_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct fp_conn *conn = fp_conn_of(inode);
	bool wb = fp_wb_cache(inode);
	ssize_t written = 0;
	ssize_t err;

	if (wb) {
		/* The mode decides whether privileges must be dropped. */
		err = fp_update_attributes(inode, file, STATX_SIZE | STATX_MODE,
					   0);
		if (err)
			return err;
		/* The daemon drops them with the data, so no caching. */
		if ((conn->init_flags & FUSE_HANDLE_KILLPRIV_V2) &&
		    setattr_should_drop_suidgid(&nop_mnt_idmap, inode))
			wb = false;
	}

	inode_lock(inode);
	if (!wb && (iocb->ki_flags & IOCB_APPEND)) {
		/* Appending needs the daemon's size, not an old one. */
		err = fp_update_attributes(inode, file, STATX_SIZE, 0);
		if (err)
			goto out;
	}
	err = generic_write_checks(iocb, from);
	if (err <= 0)
		goto out;
	err = file_remove_privs(file);
	if (err)
		goto out;
	err = file_update_time(file);
	if (err)
		goto out;
	written = wb ? fp_wb_perform_write(iocb, from) :
		       fp_perform_write(iocb, from);
out:
	inode_unlock(inode);
	if (written > 0)
		written = generic_write_sync(iocb, written);
	return written ? written : err;
}
