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

/*
 * Everything below was changed on the way to 7.x. The bounds are the
 * upstream releases that made each change; the tree is built and tested
 * on 6.1, 6.12 and 7.3. Shims are named compat_* and reached through a
 * #define, so a kernel that got a change earlier than its bound (a
 * distribution backport) sees a harmless override, not a clash.
 */

/*
 * ->d_revalidate() is told the parent inode and a stable name since
 * 6.14. fusepass's callback has that prototype; older kernels call it
 * through an adapter. fusepass takes the parent and the name from the
 * dentry itself, as it always did, so the adapter hands on the dentry's
 * own, which are stable only under the locks the caller holds.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
#define COMPAT_D_REVALIDATE(fn) fn##_compat
#define COMPAT_DEFINE_D_REVALIDATE(fn)					\
static int fn##_compat(struct dentry *dentry, unsigned int flags)	\
{									\
	struct dentry *parent = READ_ONCE(dentry->d_parent);		\
									\
	return fn(d_inode_rcu(parent), &dentry->d_name, dentry, flags);	\
}

/* Ask a backing filesystem to revalidate one of its dentries. */
static inline int compat_call_d_revalidate(struct inode *dir,
					   const struct qstr *name,
					   struct dentry *dentry,
					   unsigned int flags)
{
	return dentry->d_op->d_revalidate(dentry, flags);
}
#else
#define COMPAT_D_REVALIDATE(fn) fn
#define COMPAT_DEFINE_D_REVALIDATE(fn)

static inline int compat_call_d_revalidate(struct inode *dir,
					   const struct qstr *name,
					   struct dentry *dentry,
					   unsigned int flags)
{
	return dentry->d_op->d_revalidate(dir, name, dentry, flags);
}
#endif

/*
 * ->mkdir() returns the dentry it used since 6.15: NULL for the one it
 * was given, another one it spliced in instead, or an ERR_PTR. Older
 * kernels call it through an adapter that keeps the given dentry.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0)
#define COMPAT_MKDIR(fn) fn##_compat
#define COMPAT_DEFINE_MKDIR(fn)						\
static int fn##_compat(struct mnt_idmap *idmap, struct inode *dir,	\
		       struct dentry *dentry, umode_t mode)		\
{									\
	struct dentry *res = fn(idmap, dir, dentry, mode);		\
									\
	if (IS_ERR(res))						\
		return PTR_ERR(res);					\
	dput(res);							\
	return 0;							\
}
#else
#define COMPAT_MKDIR(fn) fn
#define COMPAT_DEFINE_MKDIR(fn)
#endif

/*
 * ->create() lost its `excl` argument in 6.19: only NFS ever looked at
 * it. Older kernels call the new prototype through an adapter.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 19, 0)
#define COMPAT_CREATE(fn) fn##_compat
#define COMPAT_DEFINE_CREATE(fn)					\
static int fn##_compat(struct mnt_idmap *idmap, struct inode *dir,	\
		       struct dentry *dentry, umode_t mode, bool excl)	\
{									\
	return fn(idmap, dir, dentry, mode);				\
}
#else
#define COMPAT_CREATE(fn) fn
#define COMPAT_DEFINE_CREATE(fn)
#endif

/* struct fileattr became struct file_kattr in 6.17. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
#define file_kattr fileattr
#endif

/* The superblock's default dentry operations are set by a helper (6.17). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
static inline void compat_set_default_d_op(struct super_block *sb,
					   const struct dentry_operations *ops)
{
	sb->s_d_op = ops;
}
#define set_default_d_op compat_set_default_d_op
#endif

/*
 * call_mmap() became vfs_mmap() in 6.17, which also maps files that
 * have ->mmap_prepare instead of ->mmap; can_mmap_file() asks for either.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
#define vfs_mmap call_mmap
static inline bool compat_can_mmap_file(struct file *file)
{
	return file->f_op->mmap;
}
#define can_mmap_file compat_can_mmap_file
#endif

/* Name lookups take a struct qstr since 6.16. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
#define lookup_one(idmap, qname, base) \
	lookup_one(idmap, (qname)->name, base, (qname)->len)
#define lookup_one_unlocked(idmap, qname, base) \
	lookup_one_unlocked(idmap, (qname)->name, base, (qname)->len)
#endif

/* inode->i_state is read through accessors since 6.19. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 19, 0)
static inline unsigned long compat_inode_state_read_once(struct inode *inode)
{
	return READ_ONCE(inode->i_state);
}
#define inode_state_read_once compat_inode_state_read_once
#endif

/*
 * posix_acl_to_xattr() allocates the buffer itself (kmalloc) since 6.19;
 * before, the caller passed one of posix_acl_xattr_size().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 19, 0)
static inline void *compat_posix_acl_to_xattr(struct user_namespace *user_ns,
					      const struct posix_acl *acl,
					      size_t *sizep, gfp_t gfp)
{
	size_t size = posix_acl_xattr_size(acl->a_count);
	void *value = kmalloc(size, gfp);

	if (!value)
		return NULL;
	if (posix_acl_to_xattr(user_ns, acl, value, size) < 0) {
		kfree(value);
		return NULL;
	}
	*sizep = size;
	return value;
}
#define posix_acl_to_xattr compat_posix_acl_to_xattr
#endif

/* Copying into a folio from an iov_iter: a folio helper since 6.6. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
static inline size_t compat_copy_folio_from_iter_atomic(struct folio *folio,
							size_t offset,
							size_t bytes,
							struct iov_iter *i)
{
	return copy_page_from_iter_atomic(&folio->page, offset, bytes, i);
}
#define copy_folio_from_iter_atomic compat_copy_folio_from_iter_atomic
#endif

/*
 * d_alloc_parallel() keeps its own wait queues since 7.0; before, the
 * caller passed one that lived until d_lookup_done(). One shared queue
 * does: a woken waiter rechecks its own dentry and sleeps again.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
static inline struct dentry *compat_d_alloc_parallel(struct dentry *parent,
						     const struct qstr *name)
{
	static DECLARE_WAIT_QUEUE_HEAD(wq);

	return d_alloc_parallel(parent, name, &wq);
}
#define d_alloc_parallel compat_d_alloc_parallel
#endif

/*
 * Leases (7.0): a file without ->setlease refuses them; before, it got
 * generic_setlease() and refusing took simple_nosetlease(). Setting
 * COMPAT_NO_SETLEASE refuses leases on every kernel.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#define COMPAT_NO_SETLEASE simple_nosetlease
#else
#define COMPAT_NO_SETLEASE NULL
#endif

/*
 * write_cache_pages() is gone in 6.18: writeback_iter() is the walker.
 * That cannot be supplied on 6.1, so the callback walk stays fusepass's
 * interface and is built here from writeback_iter() where it is gone,
 * the way the kernel built it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
static inline int compat_write_cache_pages_iter(struct address_space *mapping,
						struct writeback_control *wbc,
						int (*fn)(struct folio *folio,
							  struct writeback_control *wbc,
							  void *data),
						void *data)
{
	struct folio *folio = NULL;
	int err;

	while ((folio = writeback_iter(mapping, wbc, folio, &err))) {
		err = fn(folio, wbc, data);
		if (err == AOP_WRITEPAGE_ACTIVATE) {
			folio_unlock(folio);
			err = 0;
		}
	}
	return err;
}
#define write_cache_pages compat_write_cache_pages_iter
#endif

/*
 * Creating, removing and renaming names (6.19): start_creating(),
 * start_removing() and start_renaming() look the names up and lock for
 * the change; end_*() unlock and drop. The vfs_* calls take a
 * delegation argument, vfs_create() finds the directory from the
 * dentry, and vfs_mkdir() returns the dentry it made (since 6.15), or
 * an error after unlocking the parent and dropping the dentry.
 * struct renamedata names its parents by dentry and carries one idmap
 * (6.17). Older kernels get all of it from lock_rename(), lookup_one()
 * and their own vfs_* calls, with the same errors: -ENOENT for a missing
 * name to remove or rename, -EEXIST for RENAME_NOREPLACE onto a name,
 * and the loop checks of rename.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 19, 0)
static inline struct dentry *compat_start_dirop(struct mnt_idmap *idmap,
						struct dentry *parent,
						struct qstr *name, bool remove)
{
	struct dentry *dentry;

	inode_lock_nested(d_inode(parent), I_MUTEX_PARENT);
	dentry = lookup_one(idmap, name, parent);
	if (!IS_ERR(dentry) && remove && d_is_negative(dentry)) {
		dput(dentry);
		dentry = ERR_PTR(-ENOENT);
	}
	if (IS_ERR(dentry))
		inode_unlock(d_inode(parent));
	return dentry;
}

static inline struct dentry *compat_start_creating(struct mnt_idmap *idmap,
						   struct dentry *parent,
						   struct qstr *name)
{
	return compat_start_dirop(idmap, parent, name, false);
}
#define start_creating compat_start_creating

static inline struct dentry *compat_start_removing(struct mnt_idmap *idmap,
						   struct dentry *parent,
						   struct qstr *name)
{
	return compat_start_dirop(idmap, parent, name, true);
}
#define start_removing compat_start_removing

static inline void compat_end_dirop(struct dentry *dentry)
{
	if (!IS_ERR(dentry)) {
		inode_unlock(d_inode(dentry->d_parent));
		dput(dentry);
	}
}
#define end_creating compat_end_dirop
#define end_removing compat_end_dirop

#define vfs_create(idmap, dentry, mode, di) \
	vfs_create(idmap, d_inode((dentry)->d_parent), dentry, mode, true)
#define vfs_mknod(idmap, dir, dentry, mode, dev, di) \
	vfs_mknod(idmap, dir, dentry, mode, dev)
#define vfs_symlink(idmap, dir, dentry, target, di) \
	vfs_symlink(idmap, dir, dentry, target)
#define vfs_rmdir(idmap, dir, dentry, di) vfs_rmdir(idmap, dir, dentry)

static inline struct dentry *compat_vfs_mkdir(struct mnt_idmap *idmap,
					      struct inode *dir,
					      struct dentry *dentry,
					      umode_t mode, void *di)
{
	int err = vfs_mkdir(idmap, dir, dentry, mode);

	if (err) {
		compat_end_dirop(dentry);
		return ERR_PTR(err);
	}
	return dentry;
}
#define vfs_mkdir compat_vfs_mkdir

struct compat_renamedata {
	struct mnt_idmap *mnt_idmap;
	struct dentry *old_parent;
	struct dentry *old_dentry;
	struct dentry *new_parent;
	struct dentry *new_dentry;
	struct inode **delegated_inode;
	unsigned int flags;
};

static inline int compat_vfs_rename(struct compat_renamedata *rd)
{
	struct renamedata krd = {
		.old_mnt_idmap		= rd->mnt_idmap,
		.old_dir		= d_inode(rd->old_parent),
		.old_dentry		= rd->old_dentry,
		.new_mnt_idmap		= rd->mnt_idmap,
		.new_dir		= d_inode(rd->new_parent),
		.new_dentry		= rd->new_dentry,
		.delegated_inode	= rd->delegated_inode,
		.flags			= rd->flags,
	};

	return vfs_rename(&krd);
}

static inline int compat_start_renaming(struct compat_renamedata *rd,
					int lookup_flags,
					struct qstr *old_last,
					struct qstr *new_last)
{
	struct dentry *trap, *old, *new;
	int err;

	trap = lock_rename(rd->old_parent, rd->new_parent);
	if (IS_ERR(trap))
		return PTR_ERR(trap);
	old = lookup_one(rd->mnt_idmap, old_last, rd->old_parent);
	err = PTR_ERR(old);
	if (IS_ERR(old))
		goto err_unlock;
	new = lookup_one(rd->mnt_idmap, new_last, rd->new_parent);
	err = PTR_ERR(new);
	if (IS_ERR(new))
		goto err_put_old;

	err = -ENOENT;
	if (d_is_negative(old))
		goto err_put_new;
	if ((rd->flags & RENAME_EXCHANGE) && d_is_negative(new))
		goto err_put_new;
	err = -EEXIST;
	if ((rd->flags & RENAME_NOREPLACE) && d_is_positive(new))
		goto err_put_new;
	/* The source must not be an ancestor of the target ... */
	err = -EINVAL;
	if (old == trap)
		goto err_put_new;
	/* ... nor the target one of the source. */
	if (new == trap) {
		err = (rd->flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
		goto err_put_new;
	}
	rd->old_dentry = old;
	rd->new_dentry = new;
	return 0;

err_put_new:
	dput(new);
err_put_old:
	dput(old);
err_unlock:
	unlock_rename(rd->old_parent, rd->new_parent);
	return err;
}

static inline void compat_end_renaming(struct compat_renamedata *rd)
{
	unlock_rename(rd->old_parent, rd->new_parent);
	dput(rd->old_dentry);
	dput(rd->new_dentry);
}

#define renamedata compat_renamedata
#define vfs_rename compat_vfs_rename
#define start_renaming compat_start_renaming
#define end_renaming compat_end_renaming
#endif

#endif /* FUSEPASS_COMPAT_H */
