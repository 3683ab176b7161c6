// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c - symbolic links served by the daemon (READLINK).
 *
 * The target is read into one page, so it is at most PAGE_SIZE - 1 bytes
 * and NUL-terminated by us. With FUSE_CACHE_SYMLINKS that page lives in
 * the inode's page cache until the inode goes or the daemon invalidates
 * it; otherwise every resolution asks the daemon.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "fusepass.h"

/* Read the target of @inode into @page (lowmem), NUL-terminated. */
static int fp_readlink_page(struct inode *inode, struct page *page)
{
	struct fp_page_desc desc = { .length = PAGE_SIZE - 1 };
	struct fp_args_pages ap = {
		.pages = &page,
		.descs = &desc,
		.num_pages = 1,
	};
	char *link;
	ssize_t len;

	ap.args.opcode = FUSE_READLINK;
	ap.args.nodeid = fp_node_id(inode);
	ap.args.out_numargs = 1;
	ap.args.out_args[0].size = desc.length;
	ap.args.out_argvar = true;
	ap.args.out_pages = true;
	ap.args.page_zeroing = true;
	len = fp_simple_request(fp_conn_of(inode), &ap.args);
	fp_invalidate_atime(inode);
	if (len < 0)
		return len;

	link = page_address(page);
	/* dev.c bounds the reply by the descriptor; checked all the same. */
	if (len == 0 || len >= PAGE_SIZE || strnlen(link, len) != len) {
		pr_debug("READLINK of node %llu: unusable target (%zd bytes)\n",
			 fp_node_id(inode), len);
		return -EIO;
	}
	link[len] = '\0';
	return 0;
}

static const char *fp_get_link(struct dentry *dentry, struct inode *inode,
			       struct delayed_call *done)
{
	struct page *page;
	int err;

	if (fp_is_bad(inode))
		return ERR_PTR(-EIO);
	if (fp_conn_of(inode)->init_flags & FUSE_CACHE_SYMLINKS)
		return page_get_link(dentry, inode, done);

	/* Asking the daemon sleeps: not in an RCU walk. */
	if (!dentry)
		return ERR_PTR(-ECHILD);
	page = alloc_page(GFP_KERNEL);
	if (!page)
		return ERR_PTR(-ENOMEM);
	err = fp_readlink_page(inode, page);
	if (err) {
		__free_page(page);
		return ERR_PTR(err);
	}
	set_delayed_call(done, page_put_link, page);
	return page_address(page);
}

/* Fills the page cache for page_get_link(). */
static int fp_symlink_read_folio(struct file *file, struct folio *folio)
{
	int err = fp_readlink_page(folio->mapping->host, folio_page(folio, 0));

	if (!err)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	return err;
}

const struct address_space_operations fp_symlink_aops = {
	.read_folio	= fp_symlink_read_folio,
};

const struct inode_operations fp_symlink_iops = {
	.get_link	= fp_get_link,
	.permission	= fp_node_permission,
	.getattr	= fp_node_getattr,
	.setattr	= fp_node_setattr,
	.listxattr	= fp_node_listxattr,
};
