/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference fusepass depends on.
 *
 * Force-included (see Kbuild) into every object. The .c files are written
 * against the newest kernel API; this header supplies that API on older
 * kernels in terms of what they have. Where a shim is impossible the
 * guard is named after the missing feature (COMPAT_...), never a version.
 */
#ifndef FUSEPASS_COMPAT_H
#define FUSEPASS_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include <linux/splice.h>
#include <linux/xattr.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/fileattr.h>
#include <linux/pagemap.h>
#include <linux/writeback.h>

/*
 * Mount idmappings (6.3): inode operations and vfs_* helpers take a
 * struct mnt_idmap; before that they took the mount's user namespace,
 * which plays the same role for every caller fusepass has. Renaming the
 * type keeps every prototype in the .c files identical on both sides.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define mnt_idmap user_namespace
#define nop_mnt_idmap init_user_ns
#define old_mnt_idmap old_mnt_userns
#define new_mnt_idmap new_mnt_userns
/* Reached through the rename above: mnt_idmap(mnt) -> user_namespace(mnt). */
static inline struct user_namespace *user_namespace(struct vfsmount *mnt)
{
	return mnt_user_ns(mnt);
}
#endif

/* follow_down() gained a lookup-flags argument in 6.6. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define follow_down(path, flags) follow_down(path)
#endif

/* O_TMPFILE opens for in-kernel users were renamed in 6.4. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define kernel_tmpfile_open vfs_tmpfile_open
#endif

/* Splicing through ->read_iter: generic_file_splice_read became this in 6.5. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define copy_splice_read generic_file_splice_read
#endif

/*
 * POSIX ACLs (6.2): the inode-based getter became ->get_inode_acl and
 * ACL xattrs are served by dentry-based ->get_acl/->set_acl instead of
 * xattr handlers. Before 6.2 the catch-all xattr handler forwards the
 * ACL xattrs like any other, so only the inode getter is needed.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define get_inode_acl get_acl
#else
#define COMPAT_HAVE_DENTRY_ACL_OPS
#endif

/*
 * File locks (6.9) moved their owner/file/flags into struct
 * file_lock_core, embedded as fl->c. Older kernels keep them in
 * struct file_lock under fl_-prefixed names.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
#define file_lock_core file_lock
#define flc_file fl_file
#define flc_owner fl_owner
#define flc_flags fl_flags
static inline struct file_lock_core *fp_file_lock_core(struct file_lock *fl)
{
	return fl;
}
#else
#include <linux/filelock.h>
static inline struct file_lock_core *fp_file_lock_core(struct file_lock *fl)
{
	return &fl->c;
}
#endif

/*
 * vfs_iter_write() takes the backing filesystem's freeze protection
 * itself since 6.7; before, its caller had to.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
static inline ssize_t compat_vfs_iter_write(struct file *file,
					    struct iov_iter *iter,
					    loff_t *ppos, rwf_t flags)
{
	ssize_t ret;

	file_start_write(file);
	ret = vfs_iter_write(file, iter, ppos, flags);
	file_end_write(file);
	return ret;
}
#define vfs_iter_write compat_vfs_iter_write
#endif

/*
 * 6.7 marks getattr calls that skip the LSM check; passing the flag on to
 * vfs_getattr() is a bug there. Older kernels never set it.
 */
#ifndef AT_GETATTR_NOSEC
#define AT_GETATTR_NOSEC 0
#endif

/* generic_fillattr() learned the statx request mask in 6.6. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define generic_fillattr(idmap, request_mask, inode, stat) \
	generic_fillattr(idmap, inode, stat)
#endif

/*
 * Inode timestamps moved behind accessors (ctime 6.6, atime/mtime 6.7).
 * Defined under our own names and aliased, so a distribution kernel that
 * backported some of them (Debian's 6.1 has the ctime ones) still builds.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
static inline struct timespec64 compat_inode_get_atime(const struct inode *inode)
{
	return inode->i_atime;
}

static inline struct timespec64 compat_inode_get_mtime(const struct inode *inode)
{
	return inode->i_mtime;
}

static inline struct timespec64 compat_inode_set_atime_to_ts(struct inode *inode,
							     struct timespec64 ts)
{
	inode->i_atime = ts;
	return ts;
}

static inline struct timespec64 compat_inode_set_mtime_to_ts(struct inode *inode,
							     struct timespec64 ts)
{
	inode->i_mtime = ts;
	return ts;
}
#define inode_get_atime compat_inode_get_atime
#define inode_get_mtime compat_inode_get_mtime
#define inode_set_atime_to_ts compat_inode_set_atime_to_ts
#define inode_set_mtime_to_ts compat_inode_set_mtime_to_ts
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
static inline struct timespec64 compat_inode_get_ctime(const struct inode *inode)
{
	return inode->i_ctime;
}

static inline struct timespec64 compat_inode_set_ctime_to_ts(struct inode *inode,
							     struct timespec64 ts)
{
	inode->i_ctime = ts;
	return ts;
}
#define inode_get_ctime compat_inode_get_ctime
#define inode_set_ctime_to_ts compat_inode_set_ctime_to_ts
#endif

/*
 * File locks: the type and pid moved into struct file_lock_core (6.9)
 * as flc_type/flc_pid; reached through fp_file_lock_core() everywhere.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
#define flc_type fl_type
#define flc_pid fl_pid
#endif

/*
 * __filemap_get_folio() returns an ERR_PTR on failure since 6.3; before,
 * NULL. FGP_WRITEBEGIN (6.3) names the flags a buffered write uses.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline struct folio *compat_filemap_get_folio(struct address_space *mapping,
						     pgoff_t index, int fgp_flags,
						     gfp_t gfp)
{
	struct folio *folio = __filemap_get_folio(mapping, index, fgp_flags, gfp);

	if (!folio)
		return ERR_PTR(fgp_flags & FGP_CREAT ? -ENOMEM : -ENOENT);
	return folio;
}
#define __filemap_get_folio compat_filemap_get_folio
#define FGP_WRITEBEGIN (FGP_LOCK | FGP_WRITE | FGP_CREAT | FGP_STABLE)
#endif

/*
 * write_cache_pages() hands its callback a folio since 6.3; before, a
 * page. The callback is written for folios and adapted here.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
typedef int (*compat_writepage_folio_t)(struct folio *folio,
					struct writeback_control *wbc,
					void *data);

struct compat_write_cache_pages_ctx {
	compat_writepage_folio_t fn;
	void *data;
};

static inline int compat_write_cache_pages_page(struct page *page,
						struct writeback_control *wbc,
						void *data)
{
	struct compat_write_cache_pages_ctx *ctx = data;

	return ctx->fn(page_folio(page), wbc, ctx->data);
}

static inline int compat_write_cache_pages(struct address_space *mapping,
					   struct writeback_control *wbc,
					   compat_writepage_folio_t fn,
					   void *data)
{
	struct compat_write_cache_pages_ctx ctx = { .fn = fn, .data = data };

	return write_cache_pages(mapping, wbc, compat_write_cache_pages_page,
				 &ctx);
}
#define write_cache_pages compat_write_cache_pages
#endif

/*
 * The page-cache copy fallback of copy_file_range() for filesystems that
 * have their own method: splice_copy_file_range() since 6.8, before that
 * generic_copy_file_range() (with a flags argument that must be 0).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define splice_copy_file_range(in, pos_in, out, pos_out, len) \
	generic_copy_file_range(in, pos_in, out, pos_out, len, 0)
#endif

/* generic_drop_inode() was renamed inode_generic_drop() in 6.18. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 18, 0)
#define inode_generic_drop generic_drop_inode
#endif

#endif /* FUSEPASS_COMPAT_H */
