// SPDX-License-Identifier: GPL-2.0
/*
 * writeback.c - dirty pages of daemon-served files and the WRITEs that
 * clean them: writepages, laundering, shared writable mmap, the times a
 * writeback cache keeps, and the "no write" windows of truncation.
 *
 * A writeback WRITE (FUSE_WRITE_CACHE) carries the page cache folios
 * themselves; they stay under writeback until the daemon answers or the
 * connection dies, so nothing waits forever for a dead daemon. WRITEs are
 * queued per inode and sent from the queue unless a size change is in
 * flight (fp_io_set_nowrite()); when sent they are cut at the size of the
 * moment, so that a WRITE never extends a file someone truncated.
 */
#include <linux/backing-dev.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/writeback.h>

#include "fusepass.h"

/*
 * Writeback accounting stays the kernel's (the folios themselves are
 * under writeback); a daemon that stalls may hold at most a small share
 * of the dirty memory, as with FUSE.
 */
void fp_io_init_bdi(struct super_block *sb)
{
	sb->s_bdi->capabilities |= BDI_CAP_STRICTLIMIT;
	bdi_set_max_ratio(sb->s_bdi, 1);
}

/* ---- open files usable for writeback ------------------------------- */

/*
 * @file may be used to write back pages of its inode (until release).
 * Opens with O_DIRECT go last: the daemon may well have opened its own
 * file O_DIRECT for them, where whole cached pages cut at the end of
 * the file cannot be written.
 */
void fp_link_write_file(struct file *file)
{
	struct fp_file *ff = file->private_data;
	struct fp_inode *fi = fp_inode(file_inode(file));

	spin_lock(&fi->lock);
	if (list_empty(&ff->write_entry)) {
		if (file->f_flags & O_DIRECT)
			list_add_tail(&ff->write_entry, &fi->write_files);
		else
			list_add(&ff->write_entry, &fi->write_files);
	}
	spin_unlock(&fi->lock);
}

void fp_unlink_write_file(struct file *file)
{
	struct fp_file *ff = file->private_data;
	struct fp_inode *fi = fp_inode(file_inode(file));

	spin_lock(&fi->lock);
	list_del_init(&ff->write_entry);
	spin_unlock(&fi->lock);
}

struct fp_file *fp_write_file_get(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);
	struct fp_file *ff;

	spin_lock(&fi->lock);
	ff = list_first_entry_or_null(&fi->write_files, struct fp_file,
				      write_entry);
	if (ff)
		fp_file_get(ff);
	spin_unlock(&fi->lock);
	return ff;
}

/* ---- sending queued WRITEs ------------------------------------------ */

/* Done with a writeback WRITE: its folios are clean (or failed). */
static void fp_wb_finish(struct fp_io_args *ia)
{
	unsigned int i;

	for (i = 0; i < ia->ap.num_pages; i++) {
		struct folio *folio = page_folio(ia->ap.pages[i]);

		folio_end_writeback(folio);
		folio_put(folio);
	}
	fp_file_put(ia->ff, false);
	fp_io_free(ia);
}

/*
 * One WRITE fewer in flight. The WRITE's folios are still under
 * writeback, which keeps the inode from being evicted meanwhile.
 */
static void fp_wb_done(struct inode *inode, int err)
{
	struct fp_inode *fi = fp_inode(inode);

	if (err)
		mapping_set_error(inode->i_mapping, err);
	spin_lock(&fi->lock);
	fi->writectr--;
	spin_unlock(&fi->lock);
	wake_up(&fi->page_waitq);
}

/*
 * Send what is queued unless a size change holds it back. Whoever calls
 * this keeps the inode alive: writepages (the inode is under writeback),
 * a nowrite holder (holds it), or a WRITE's end (its folios).
 */
static void fp_flush_writes(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);
	struct fp_conn *conn = fp_conn_of(inode);

	for (;;) {
		struct fp_io_args *ia;
		loff_t size;
		u32 len;
		int err;

		spin_lock(&fi->lock);
		if (fi->nowrite || list_empty(&fi->queued_writes)) {
			spin_unlock(&fi->lock);
			return;
		}
		ia = list_first_entry(&fi->queued_writes, struct fp_io_args,
				      queue_entry);
		list_del_init(&ia->queue_entry);
		size = i_size_read(inode);
		if (ia->write.in.offset >= size) {
			/* Truncated away meanwhile: nothing to write. */
			spin_unlock(&fi->lock);
			fp_wb_finish(ia);
			continue;
		}
		len = ia->write.in.size;
		if (ia->write.in.offset + len > size)
			len = size - ia->write.in.offset;
		ia->write.in.size = len;
		ia->ap.args.in_args[1].size = len;
		fi->writectr++;
		spin_unlock(&fi->lock);

		err = fp_background_request(conn, &ia->ap.args,
					    GFP_NOFS | __GFP_NOFAIL);
		if (err) {
			fp_wb_done(inode, err);
			fp_wb_finish(ia);
		}
	}
}

static void fp_writepage_end(struct fp_conn *conn, struct fp_args *args,
			     int err)
{
	struct fp_io_args *ia = container_of(args, struct fp_io_args, ap.args);
	struct inode *inode = ia->inode;

	/* The daemon must take all of it: a page is clean or not. */
	if (!err && ia->write.out.size != ia->write.in.size)
		err = -EIO;
	fp_invalidate_attr_mask(inode, STATX_BLOCKS | STATX_MTIME |
			       STATX_CTIME);
	fp_wb_done(inode, err);
	fp_flush_writes(inode);
	/* Last: ending writeback lets the inode go. */
	fp_wb_finish(ia);
}

static void fp_wb_queue(struct inode *inode, struct fp_io_args *ia)
{
	struct fp_inode *fi = fp_inode(inode);

	spin_lock(&fi->lock);
	list_add_tail(&ia->queue_entry, &fi->queued_writes);
	spin_unlock(&fi->lock);
	fp_flush_writes(inode);
}

/* A writeback WRITE through @ff starting at @pos, no pages yet. */
static struct fp_io_args *fp_wb_args_new(struct inode *inode,
					 struct fp_file *ff, loff_t pos,
					 unsigned int max_pages)
{
	struct fp_io_args *ia = fp_io_alloc(max_pages, GFP_NOFS);

	if (!ia)
		return NULL;
	fp_write_args_fill(ia, ff, pos, 0);
	ia->ap.args.in_pages = true;
	ia->ap.args.force = true;
	ia->ap.args.nocreds = true;
	ia->ap.args.end = fp_writepage_end;
	ia->write.in.write_flags |= FUSE_WRITE_CACHE;
	ia->ff = fp_file_get(ff);
	ia->inode = inode;
	return ia;
}

/* Add a locked folio whose dirty bit was just cleared for I/O. */
static void fp_wb_add_folio(struct fp_io_args *ia, struct folio *folio)
{
	unsigned int n = ia->ap.num_pages++;

	folio_get(folio);
	folio_start_writeback(folio);
	ia->ap.pages[n] = &folio->page;
	ia->ap.descs[n].offset = 0;
	ia->ap.descs[n].length = PAGE_SIZE;
	ia->write.in.size += PAGE_SIZE;
}

/* ---- writepages and launder ----------------------------------------- */

struct fp_wb_data {
	struct inode *inode;
	struct fp_file *ff;
	struct fp_io_args *ia;
	unsigned int max_pages;
};

static void fp_wb_data_send(struct fp_wb_data *data)
{
	struct fp_io_args *ia = data->ia;

	data->ia = NULL;
	fp_wb_queue(data->inode, ia);
}

/* write_cache_pages() callback: the folio is locked, its dirty bit gone. */
static int fp_writepages_fill(struct folio *folio,
			      struct writeback_control *wbc, void *arg)
{
	struct fp_wb_data *data = arg;
	struct fp_io_args *ia = data->ia;

	if (!data->ff) {
		data->ff = fp_write_file_get(data->inode);
		if (!data->ff)
			goto err_redirty;
	}
	/* Contiguous pages up to the request size go together. */
	if (ia && (ia->ap.num_pages == data->max_pages ||
		   page_folio(ia->ap.pages[ia->ap.num_pages - 1])->index + 1 !=
		   folio->index)) {
		fp_wb_data_send(data);
		ia = NULL;
	}
	if (!ia) {
		ia = fp_wb_args_new(data->inode, data->ff, folio_pos(folio),
				    data->max_pages);
		if (!ia)
			goto err_redirty;
		data->ia = ia;
	}
	fp_wb_add_folio(ia, folio);
	folio_unlock(folio);
	return 0;

err_redirty:
	/* No open file to write through (or no memory): stays dirty. */
	folio_redirty_for_writepage(wbc, folio);
	folio_unlock(folio);
	return data->ff ? -ENOMEM : -EIO;
}

int fp_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct fp_conn *conn = fp_conn_of(inode);
	struct fp_wb_data data = { .inode = inode };
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	data.max_pages = clamp_t(unsigned int, conn->max_write >> PAGE_SHIFT,
				 1, conn->max_pages);
	err = write_cache_pages(mapping, wbc, fp_writepages_fill, &data);
	if (data.ia)
		fp_wb_data_send(&data);
	if (data.ff)
		fp_file_put(data.ff, false);
	return err;
}

/*
 * Write one dirty folio before the page cache drops it (page cache
 * invalidation). It stays locked; we wait for the daemon's answer.
 */
int fp_launder_folio(struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct fp_io_args *ia;
	struct fp_file *ff;

	if (!folio_clear_dirty_for_io(folio))
		return 0;
	folio_wait_writeback(folio);
	ff = fp_write_file_get(inode);
	if (!ff) {
		folio_mark_dirty(folio);
		return -EIO;
	}
	ia = fp_wb_args_new(inode, ff, folio_pos(folio), 1);
	fp_file_put(ff, false);
	if (!ia) {
		folio_mark_dirty(folio);
		return -ENOMEM;
	}
	fp_wb_add_folio(ia, folio);
	fp_wb_queue(inode, ia);
	folio_wait_writeback(folio);
	return 0;
}

/* ---- truncation windows --------------------------------------------- */

/*
 * Hold back writeback WRITEs and wait for those in flight: the caller is
 * about to change the size at the daemon. Nests; released in order.
 */
void fp_io_set_nowrite(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);

	spin_lock(&fi->lock);
	fi->nowrite++;
	spin_unlock(&fi->lock);
	wait_event(fi->page_waitq, READ_ONCE(fi->writectr) == 0);
}

void fp_io_release_nowrite(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);
	bool flush;

	spin_lock(&fi->lock);
	flush = fi->nowrite && --fi->nowrite == 0;
	spin_unlock(&fi->lock);
	if (flush)
		fp_flush_writes(inode);
}

/* ---- mmap ----------------------------------------------------------- */

/* A shared mapping goes away: what it dirtied goes to the daemon now. */
static void fp_vma_close(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	int err;

	err = write_inode_now(mapping->host, 1);
	mapping_set_error(mapping, err);
}

static vm_fault_t fp_page_mkwrite(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);
	struct inode *inode = file_inode(vmf->vma->vm_file);

	file_update_time(vmf->vma->vm_file);
	folio_lock(folio);
	if (folio->mapping != inode->i_mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	/* The daemon has the page as it was; changes redirty it after. */
	folio_wait_writeback(folio);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct fp_file_vm_ops = {
	.close		= fp_vma_close,
	.fault		= filemap_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= fp_page_mkwrite,
};

int fp_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct fp_file *ff = file->private_data;
	struct inode *inode = file_inode(file);
	struct fp_conn *conn = ff->conn;
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	/*
	 * A passthrough open maps its backing file (even with direct I/O);
	 * other opens of an inode in passthrough mode have no cache to map.
	 */
	if (ff->iomode == FP_IOM_PASSTHROUGH)
		return fp_passthrough_mmap(file, vma);
	if (READ_ONCE(fp_inode(inode)->passthrough))
		return -ENODEV;
	if (ff->open_flags & FOPEN_DIRECT_IO) {
		/*
		 * Direct I/O bypasses the cache a shared mapping would use:
		 * only a daemon that allows it gets them, as with FUSE.
		 */
		if ((vma->vm_flags & VM_MAYSHARE) &&
		    !(conn->init_flags & FUSE_DIRECT_IO_ALLOW_MMAP))
			return -ENODEV;
		invalidate_inode_pages2(file->f_mapping);
		if (!(vma->vm_flags & VM_MAYSHARE))
			return generic_file_mmap(file, vma);
		/* A shared mapping uses the cache: so does the inode now. */
		err = fp_iomode_cached_start(inode, ff);
		if (err)
			return err;
	}
	if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_MAYWRITE))
		fp_link_write_file(file);
	file_accessed(file);
	vma->vm_ops = &fp_file_vm_ops;
	return 0;
}

/* ---- times kept by a writeback cache -------------------------------- */

/*
 * With a writeback cache the kernel keeps mtime/ctime of regular files;
 * writing the inode tells the daemon (SETATTR), as FUSE does.
 */
int fp_io_write_inode(struct inode *inode, struct writeback_control *wbc)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct fuse_setattr_in in = {};
	struct fuse_attr_out out = {};
	struct fp_args args = {};
	struct timespec64 ts;
	struct fp_file *ff;
	int err;

	if (!conn || !fp_is_node(inode) || !S_ISREG(inode->i_mode) ||
	    !(conn->init_flags & FUSE_WRITEBACK_CACHE) || fp_is_bad(inode))
		return 0;

	ts = inode_get_mtime(inode);
	in.valid = FATTR_MTIME;
	in.mtime = ts.tv_sec;
	in.mtimensec = ts.tv_nsec;
	if (conn->minor >= 23) {
		ts = inode_get_ctime(inode);
		in.valid |= FATTR_CTIME;
		in.ctime = ts.tv_sec;
		in.ctimensec = ts.tv_nsec;
	}
	ff = fp_write_file_get(inode);
	if (ff) {
		in.valid |= FATTR_FH;
		in.fh = ff->fh;
	}
	args.opcode = FUSE_SETATTR;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (ff)
		fp_file_put(ff, false);
	/* A daemon that is gone has nothing more to be told. */
	return err == -ENOTCONN ? 0 : err;
}
