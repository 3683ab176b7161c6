// SPDX-License-Identifier: GPL-2.0
/*
 * notify.c - notifications from the daemon (a write with unique 0, the
 * code in the error field): invalidate an inode's attributes and cached
 * data, invalidate or delete a name, store data in or retrieve it from
 * the page cache, wake pollers.
 *
 * A notification is checked whole (size, name length and termination,
 * offsets) before it acts; anything malformed or unknown is -EINVAL to
 * the writer. It acts only on the superblock of its own connection, and
 * only while that superblock is active: an active reference keeps an
 * unmount from tearing it down underneath.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "fusepass.h"

/* The connection's superblock, held active; NULL once it is going. */
static struct super_block *fp_notify_get_sb(struct fp_conn *conn)
{
	struct super_block *sb = NULL;

	/*
	 * The superblock is not freed before fp_kill_sb() disconnects the
	 * connection, which it does first, under conn->lock.
	 */
	spin_lock(&conn->lock);
	if (conn->connected && conn->sb &&
	    atomic_inc_not_zero(&conn->sb->s_active))
		sb = conn->sb;
	spin_unlock(&conn->lock);
	return sb;
}

static int fp_notify_node_test(struct inode *inode, void *data)
{
	return fp_is_node(inode) && fp_node_id(inode) == *(u64 *)data;
}

/* The inode of @nodeid if it is in the inode cache (referenced). */
static struct inode *fp_notify_ilookup(struct super_block *sb, u64 nodeid)
{
	if (!nodeid)
		return NULL;
	return ilookup5(sb, (unsigned long)nodeid, fp_notify_node_test, &nodeid);
}

/* ---- FUSE_NOTIFY_POLL --------------------------------------------- */

static int fp_notify_poll(struct fp_conn *conn, unsigned int size,
			  struct iov_iter *from)
{
	struct fuse_notify_poll_wakeup_out out;

	if (size != sizeof(out))
		return -EINVAL;
	if (!copy_from_iter_full(&out, sizeof(out), from))
		return -EFAULT;
	fp_poll_wakeup(conn, out.kh);
	return 0;
}

/* ---- FUSE_NOTIFY_INVAL_INODE -------------------------------------- */

/*
 * Attributes (and ACLs) must be asked for again; with @off >= 0, cached
 * pages from @off for @len bytes (to the end if @len <= 0) are dropped.
 */
static int fp_notify_inval_inode(struct fp_conn *conn, unsigned int size,
				 struct iov_iter *from)
{
	struct fuse_notify_inval_inode_out out;
	struct super_block *sb;
	struct fp_inode *fi;
	struct inode *inode;
	int err = -ENOENT;

	if (size != sizeof(out))
		return -EINVAL;
	if (!copy_from_iter_full(&out, sizeof(out), from))
		return -EFAULT;

	sb = fp_notify_get_sb(conn);
	if (!sb)
		return -ENOENT;
	inode = fp_notify_ilookup(sb, out.ino);
	if (!inode)
		goto out_sb;

	fi = fp_inode(inode);
	spin_lock(&fi->lock);
	fi->attr_version = atomic64_inc_return(&conn->attr_version);
	spin_unlock(&fi->lock);
	fp_invalidate_attr(inode);
	forget_all_cached_acls(inode);
	if (out.off >= 0) {
		pgoff_t start = out.off >> PAGE_SHIFT;
		pgoff_t end = -1;

		if (out.len > 0 && out.off <= LLONG_MAX - out.len)
			end = (out.off + out.len - 1) >> PAGE_SHIFT;
		invalidate_inode_pages2_range(inode->i_mapping, start, end);
	}
	iput(inode);
	err = 0;
out_sb:
	deactivate_super(sb);
	return err;
}

/* ---- FUSE_NOTIFY_INVAL_ENTRY, FUSE_NOTIFY_DELETE ------------------ */

/*
 * The name @name in directory @parent_id is stale: it is looked up again
 * at its next use (at once, unless only expired: FUSE_EXPIRE_ONLY). With
 * @child_id, the daemon deleted the name, which named that node: the
 * dentry goes as if unlinked here, unless it is in use as a mount point
 * or a non-empty directory.
 */
static int fp_reverse_inval_entry(struct super_block *sb, u64 parent_id,
				  u64 child_id, struct qstr *name, u32 flags)
{
	struct dentry *dir, *entry;
	struct inode *parent, *inode;
	int err;

	parent = fp_notify_ilookup(sb, parent_id);
	if (!parent)
		return -ENOENT;

	inode_lock_nested(parent, I_MUTEX_PARENT);
	err = -ENOTDIR;
	if (!S_ISDIR(parent->i_mode))
		goto out_unlock;
	err = -ENOENT;
	dir = d_find_alias(parent);
	if (!dir)
		goto out_unlock;
	name->hash = full_name_hash(dir, name->name, name->len);
	entry = d_lookup(dir, name);
	dput(dir);
	if (!entry)
		goto out_unlock;

	fp_dir_changed(parent);
	if (!(flags & FUSE_EXPIRE_ONLY)) {
		/*
		 * The daemon dropped the name: once unused, the inode goes
		 * too (not into the inode cache), so its FORGET follows, as
		 * the daemon expects from FUSE.
		 */
		if (d_really_is_positive(entry))
			d_mark_dontcache(d_inode(entry));
		d_invalidate(entry);
	}
	fp_invalidate_entry_cache(entry);

	err = 0;
	inode = d_inode(entry);
	if (child_id && inode) {
		inode_lock(inode);
		if (fp_node_id(inode) != child_id) {
			err = -ENOENT;
		} else if (d_mountpoint(entry)) {
			err = -EBUSY;
		} else if (d_is_dir(entry)) {
			shrink_dcache_parent(entry);
			if (!simple_empty(entry))
				err = -ENOTEMPTY;
			else
				inode->i_flags |= S_DEAD;
		}
		if (!err) {
			dont_mount(entry);
			clear_nlink(inode);
		}
		inode_unlock(inode);
		if (!err)
			d_delete(entry);
	}
	dput(entry);
out_unlock:
	inode_unlock(parent);
	iput(parent);
	return err;
}

/*
 * Read the name following a notification's fixed part: @namelen bytes
 * and a NUL, exactly filling what is left of the message, with no '/'
 * or NUL inside. Returns a buffer to kfree().
 */
static char *fp_notify_read_name(unsigned int namelen, unsigned int left,
				 struct iov_iter *from)
{
	char *buf;

	if (namelen > FP_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	if (!namelen || left != namelen + 1)
		return ERR_PTR(-EINVAL);
	buf = kmalloc(namelen + 1, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (!copy_from_iter_full(buf, namelen + 1, from)) {
		kfree(buf);
		return ERR_PTR(-EFAULT);
	}
	if (buf[namelen] || memchr(buf, '\0', namelen) ||
	    memchr(buf, '/', namelen)) {
		kfree(buf);
		return ERR_PTR(-EINVAL);
	}
	return buf;
}

static int fp_notify_entry(struct fp_conn *conn, u64 parent_id, u64 child_id,
			   unsigned int namelen, u32 flags, unsigned int left,
			   struct iov_iter *from)
{
	struct super_block *sb;
	struct qstr name;
	char *buf;
	int err;

	buf = fp_notify_read_name(namelen, left, from);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	name = (struct qstr)QSTR_INIT(buf, namelen);
	err = -ENOENT;
	sb = fp_notify_get_sb(conn);
	if (sb) {
		err = fp_reverse_inval_entry(sb, parent_id, child_id, &name,
					     flags);
		deactivate_super(sb);
	}
	kfree(buf);
	return err;
}

static int fp_notify_inval_entry(struct fp_conn *conn, unsigned int size,
				 struct iov_iter *from)
{
	struct fuse_notify_inval_entry_out out;

	if (size < sizeof(out))
		return -EINVAL;
	if (!copy_from_iter_full(&out, sizeof(out), from))
		return -EFAULT;
	if (out.flags & ~FUSE_EXPIRE_ONLY)
		return -EINVAL;
	return fp_notify_entry(conn, out.parent, 0, out.namelen, out.flags,
			       size - sizeof(out), from);
}

static int fp_notify_delete(struct fp_conn *conn, unsigned int size,
			    struct iov_iter *from)
{
	struct fuse_notify_delete_out out;

	if (size < sizeof(out))
		return -EINVAL;
	if (!copy_from_iter_full(&out, sizeof(out), from))
		return -EFAULT;
	/* A delete names the node that went; 0 names none. */
	if (!out.child)
		return -EINVAL;
	return fp_notify_entry(conn, out.parent, out.child, out.namelen, 0,
			       size - sizeof(out), from);
}

/* ---- FUSE_NOTIFY_STORE -------------------------------------------- */

/*
 * Put data into a regular file's page cache, as if read from the daemon,
 * extending the cached size if it ends beyond it. Pages are marked
 * up to date only where the data covers them (or reaches the new end).
 */
static int fp_notify_store(struct fp_conn *conn, unsigned int size,
			   struct iov_iter *from)
{
	struct fuse_notify_store_out out;
	struct address_space *mapping;
	struct super_block *sb;
	unsigned int num, offset;
	struct inode *inode;
	loff_t end, file_size;
	pgoff_t index;
	void *bounce;
	int err;

	if (size < sizeof(out))
		return -EINVAL;
	if (!copy_from_iter_full(&out, sizeof(out), from))
		return -EFAULT;
	if (size - sizeof(out) != out.size)
		return -EINVAL;
	if (out.offset > MAX_LFS_FILESIZE ||
	    out.size > MAX_LFS_FILESIZE - out.offset)
		return -EINVAL;

	sb = fp_notify_get_sb(conn);
	if (!sb)
		return -ENOENT;
	err = -ENOENT;
	inode = fp_notify_ilookup(sb, out.nodeid);
	if (!inode)
		goto out_sb;
	err = -EINVAL;
	if (!S_ISREG(inode->i_mode))
		goto out_iput;
	/*
	 * The data comes from the writer's memory, which could be a mapping
	 * of this very file: copy it out before any page is locked.
	 */
	err = -ENOMEM;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		goto out_iput;

	mapping = inode->i_mapping;
	end = out.offset + out.size;
	file_size = i_size_read(inode);
	if (end > file_size) {
		struct fp_inode *fi = fp_inode(inode);

		file_size = end;
		spin_lock(&fi->lock);
		fi->attr_version = atomic64_inc_return(&conn->attr_version);
		if (end > inode->i_size)
			i_size_write(inode, end);
		spin_unlock(&fi->lock);
		fp_invalidate_attr_mask(inode, STATX_SIZE | STATX_MTIME |
					STATX_CTIME | STATX_BLOCKS);
	}

	index = out.offset >> PAGE_SHIFT;
	offset = out.offset & ~PAGE_MASK;
	num = out.size;
	err = 0;
	while (num) {
		unsigned int this_num = min_t(unsigned int, num,
					      PAGE_SIZE - offset);
		struct folio *folio;
		struct page *page;

		if (!copy_from_iter_full(bounce, this_num, from)) {
			err = -EFAULT;
			break;
		}
		page = find_or_create_page(mapping, index,
					   mapping_gfp_mask(mapping));
		if (!page) {
			err = -ENOMEM;
			break;
		}
		folio = page_folio(page);
		memcpy_to_page(page, offset, bounce, this_num);
		if (!folio_test_uptodate(folio) && !folio_test_large(folio) &&
		    offset == 0 && (this_num == PAGE_SIZE || file_size == end)) {
			zero_user_segment(page, this_num, PAGE_SIZE);
			folio_mark_uptodate(folio);
		}
		unlock_page(page);
		put_page(page);

		num -= this_num;
		offset = 0;
		index++;
	}
	kfree(bounce);
out_iput:
	iput(inode);
out_sb:
	deactivate_super(sb);
	return err;
}

/* ---- FUSE_NOTIFY_RETRIEVE ----------------------------------------- */

/* A NOTIFY_REPLY and the page references it carries. */
struct fp_retrieve_args {
	struct fp_args_pages ap;
	struct fuse_notify_retrieve_in in;
};

static void fp_retrieve_end(struct fp_conn *conn, struct fp_args *args,
			    int error)
{
	struct fp_retrieve_args *ra =
		container_of(args, struct fp_retrieve_args, ap.args);
	unsigned int i;

	for (i = 0; i < ra->ap.num_pages; i++)
		put_page(ra->ap.pages[i]);
	kfree(ra);
}

/*
 * Send the daemon what the page cache holds of @inode from the offset
 * asked for: the cached pages from there on, up to the first one not
 * cached, at most max_write bytes and never beyond the cached size.
 */
static int fp_retrieve(struct fp_conn *conn, struct inode *inode,
		       const struct fuse_notify_retrieve_out *out)
{
	struct address_space *mapping = inode->i_mapping;
	unsigned int num, num_pages, offset, total = 0;
	struct fp_retrieve_args *ra;
	loff_t file_size;
	pgoff_t index;
	int err;

	file_size = i_size_read(inode);
	num = min(out->size, conn->max_write);
	if (out->offset > file_size)
		num = 0;
	else if (num > file_size - out->offset)
		num = file_size - out->offset;
	offset = out->offset & ~PAGE_MASK;
	num_pages = DIV_ROUND_UP(num + offset, PAGE_SIZE);
	num_pages = min(num_pages, conn->max_pages);

	ra = kzalloc(sizeof(*ra) + num_pages * (sizeof(struct page *) +
						sizeof(struct fp_page_desc)),
		     GFP_KERNEL);
	if (!ra)
		return -ENOMEM;
	ra->ap.pages = (struct page **)(ra + 1);
	ra->ap.descs = (struct fp_page_desc *)(ra->ap.pages + num_pages);

	index = out->offset >> PAGE_SHIFT;
	while (num && ra->ap.num_pages < num_pages) {
		unsigned int this_num = min_t(unsigned int, num,
					      PAGE_SIZE - offset);
		struct page *page = find_get_page(mapping, index);

		if (!page)
			break;
		ra->ap.pages[ra->ap.num_pages] = page;
		ra->ap.descs[ra->ap.num_pages].offset = offset;
		ra->ap.descs[ra->ap.num_pages].length = this_num;
		ra->ap.num_pages++;
		offset = 0;
		num -= this_num;
		total += this_num;
		index++;
	}

	ra->in.offset = out->offset;
	ra->in.size = total;
	ra->ap.args.opcode = FUSE_NOTIFY_REPLY;
	ra->ap.args.nodeid = out->nodeid;
	ra->ap.args.fixed_unique = true;
	ra->ap.args.unique = out->notify_unique;
	ra->ap.args.noreply = true;
	ra->ap.args.nocreds = true;
	/* Not held back by INIT: the daemon writing this is past it. */
	ra->ap.args.force = true;
	ra->ap.args.in_numargs = 2;
	ra->ap.args.in_args[0].size = sizeof(ra->in);
	ra->ap.args.in_args[0].value = &ra->in;
	ra->ap.args.in_args[1].size = total;
	ra->ap.args.in_pages = true;
	ra->ap.args.end = fp_retrieve_end;
	err = fp_background_request(conn, &ra->ap.args, GFP_KERNEL);
	if (err)
		fp_retrieve_end(conn, &ra->ap.args, err);
	return err;
}

static int fp_notify_retrieve(struct fp_conn *conn, unsigned int size,
			      struct iov_iter *from)
{
	struct fuse_notify_retrieve_out out;
	struct super_block *sb;
	struct inode *inode;
	int err = -ENOENT;

	if (size != sizeof(out))
		return -EINVAL;
	if (!copy_from_iter_full(&out, sizeof(out), from))
		return -EFAULT;
	if (out.offset > MAX_LFS_FILESIZE)
		return -EINVAL;

	sb = fp_notify_get_sb(conn);
	if (!sb)
		return -ENOENT;
	inode = fp_notify_ilookup(sb, out.nodeid);
	if (inode) {
		err = fp_retrieve(conn, inode, &out);
		iput(inode);
	}
	deactivate_super(sb);
	return err;
}

/* ---- dispatch ----------------------------------------------------- */

int fp_notify(struct fp_conn *conn, int code, unsigned int size,
	      struct iov_iter *from)
{
	switch (code) {
	case FUSE_NOTIFY_POLL:
		return fp_notify_poll(conn, size, from);
	case FUSE_NOTIFY_INVAL_INODE:
		return fp_notify_inval_inode(conn, size, from);
	case FUSE_NOTIFY_INVAL_ENTRY:
		return fp_notify_inval_entry(conn, size, from);
	case FUSE_NOTIFY_STORE:
		return fp_notify_store(conn, size, from);
	case FUSE_NOTIFY_RETRIEVE:
		return fp_notify_retrieve(conn, size, from);
	case FUSE_NOTIFY_DELETE:
		return fp_notify_delete(conn, size, from);
	default:
		/* RESEND among them: FUSE_HAS_RESEND is not offered. */
		return -EINVAL;
	}
}
