// SPDX-License-Identifier: GPL-2.0
/*
 * backing.c - every call fusepass makes into a backing filesystem.
 *
 * Stacked operations run as the calling task (no credential override):
 * a caller can do through fusepass exactly what it could do on the
 * backing tree itself, as with a bind mount. The idmapping passed down is
 * the backing mount's, and each modification holds write access to the
 * backing mount, so a read-only backing mount stays read-only.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/xattr.h>

#include "fusepass.h"

/*
 * May a fusepass superblock reach into @backing_sb? Never into itself,
 * and only downwards in stacking depth, so that a chain of stacked
 * objects is bounded however mounts are arranged.
 */
int fp_backing_check_depth(const struct super_block *sb,
			   const struct super_block *backing_sb)
{
	if (backing_sb == sb || backing_sb->s_stack_depth >= sb->s_stack_depth) {
		pr_warn_ratelimited("lookup refused: backing filesystem %s is stacked %d deep, this mount %d (a mount stacked on itself?)\n",
				    backing_sb->s_type->name,
				    backing_sb->s_stack_depth, sb->s_stack_depth);
		return -ELOOP;
	}
	return 0;
}

/*
 * Backing lookups check search permission on the backing directory
 * without the mount's idmapping (nop_mnt_idmap), as they always have;
 * the operations themselves go through the mount's idmapping.
 */

/*
 * Look up @name in the backing directory @parent and follow whatever is
 * mounted on the result, as a path walk through a recursive bind mount
 * would. Fills @out (references held) on success.
 */
int fp_do_lookup(struct super_block *sb, const struct path *parent,
		 const struct qstr *name, struct fp_dentry *out)
{
	struct qstr this = QSTR_INIT(name->name, name->len);
	struct dentry *found;
	struct path path;
	int err;

	found = lookup_one_unlocked(&nop_mnt_idmap, &this, parent->dentry);
	pr_debug("lookup %pd/%.*s -> %ld\n", parent->dentry, name->len,
		 name->name, IS_ERR(found) ? PTR_ERR(found) : 0L);
	if (IS_ERR(found))
		return PTR_ERR(found);

	path.mnt = mntget(parent->mnt);
	path.dentry = dget(found);
	if (d_managed(found)) {
		err = follow_down(&path, 0);
		if (err)
			goto err_put;
		if (path.mnt != parent->mnt) {
			err = fp_backing_check_depth(sb, path.mnt->mnt_sb);
			if (err)
				goto err_put;
		}
	}
	out->backing = path;
	out->lookup = found;
	return 0;

err_put:
	path_put(&path);
	dput(found);
	return err;
}

/* Look up @name in @parent, whose inode the caller holds locked. */
struct dentry *fp_do_lookup_locked(struct dentry *parent,
				   const struct qstr *name)
{
	struct qstr this = QSTR_INIT(name->name, name->len);

	return lookup_one(&nop_mnt_idmap, &this, parent);
}

/*
 * Lock the backing directory @parent for a new name and look @name up:
 * a dentry, negative or not, to end with fp_do_end_change().
 */
struct dentry *fp_do_start_creating(const struct path *parent,
				    const struct qstr *name)
{
	struct qstr this = QSTR_INIT(name->name, name->len);

	return start_creating(&nop_mnt_idmap, parent->dentry, &this);
}

/* The same for removing @name: -ENOENT if there is nothing to remove. */
struct dentry *fp_do_start_removing(const struct path *parent,
				    const struct qstr *name)
{
	struct qstr this = QSTR_INIT(name->name, name->len);

	return start_removing(&nop_mnt_idmap, parent->dentry, &this);
}

/* Unlock and drop what fp_do_start_creating/removing() returned. */
void fp_do_end_change(struct dentry *dentry)
{
	end_creating(dentry);
}

/*
 * The VFS leaves the umask to a filesystem with POSIX ACLs (fusepass
 * claims them so ACL inheritance works below it); where the backing
 * directory has none, apply the umask here as the VFS would have.
 */
umode_t fp_backing_create_mode(const struct inode *backing_dir, umode_t mode)
{
	if (!IS_POSIXACL(backing_dir))
		mode &= ~current_umask();
	return mode;
}

int fp_do_create(const struct path *parent, struct dentry *dentry,
		 umode_t mode)
{
	struct inode *dir = d_inode(parent->dentry);
	int err;

	mode = fp_backing_create_mode(dir, mode);
	err = vfs_create(mnt_idmap(parent->mnt), dentry, mode, NULL);
	pr_debug("create %pd mode %o -> %d\n", dentry, mode, err);
	return err;
}

/*
 * The directory made may sit at another dentry than @dentry, which is
 * then gone; on error the parent is unlocked and @dentry gone too.
 */
struct dentry *fp_do_mkdir(const struct path *parent, struct dentry *dentry,
			   umode_t mode)
{
	struct inode *dir = d_inode(parent->dentry);
	struct dentry *made;

	mode = fp_backing_create_mode(dir, mode);
	pr_debug("mkdir %pd mode %o\n", dentry, mode);
	made = vfs_mkdir(mnt_idmap(parent->mnt), dir, dentry, mode, NULL);
	pr_debug("mkdir -> %d\n", PTR_ERR_OR_ZERO(made));
	return made;
}

int fp_do_mknod(const struct path *parent, struct dentry *dentry,
		umode_t mode, dev_t rdev)
{
	struct inode *dir = d_inode(parent->dentry);
	int err;

	mode = fp_backing_create_mode(dir, mode);
	err = vfs_mknod(mnt_idmap(parent->mnt), dir, dentry, mode, rdev, NULL);
	pr_debug("mknod %pd mode %o -> %d\n", dentry, mode, err);
	return err;
}

int fp_do_symlink(const struct path *parent, struct dentry *dentry,
		  const char *target)
{
	int err;

	err = vfs_symlink(mnt_idmap(parent->mnt), d_inode(parent->dentry),
			  dentry, target, NULL);
	pr_debug("symlink %pd -> %d\n", dentry, err);
	return err;
}

int fp_do_link(const struct path *old, const struct path *parent,
	       struct dentry *dentry)
{
	int err;

	err = vfs_link(old->dentry, mnt_idmap(parent->mnt),
		       d_inode(parent->dentry), dentry, NULL);
	pr_debug("link %pd -> %pd: %d\n", old->dentry, dentry, err);
	return err;
}

int fp_do_unlink(const struct path *parent, struct dentry *dentry)
{
	int err;

	err = vfs_unlink(mnt_idmap(parent->mnt), d_inode(parent->dentry),
			 dentry, NULL);
	pr_debug("unlink %pd -> %d\n", dentry, err);
	return err;
}

int fp_do_rmdir(const struct path *parent, struct dentry *dentry)
{
	int err;

	err = vfs_rmdir(mnt_idmap(parent->mnt), d_inode(parent->dentry),
			dentry, NULL);
	pr_debug("rmdir %pd -> %d\n", dentry, err);
	return err;
}

/*
 * Lock the backing parents (both on one mount) for a rename and look up
 * both names: @rd then holds the dentries, until fp_do_end_renaming().
 * Fails as rename(2) would for a missing source, RENAME_NOREPLACE onto
 * an existing name, or a loop.
 */
int fp_do_start_renaming(struct renamedata *rd, const struct path *old_parent,
			 const struct qstr *old_name,
			 const struct path *new_parent,
			 const struct qstr *new_name, unsigned int flags)
{
	struct qstr old_this = QSTR_INIT(old_name->name, old_name->len);
	struct qstr new_this = QSTR_INIT(new_name->name, new_name->len);

	*rd = (struct renamedata) {
		.mnt_idmap	= &nop_mnt_idmap,
		.old_parent	= old_parent->dentry,
		.new_parent	= new_parent->dentry,
		.flags		= flags,
	};
	return start_renaming(rd, 0, &old_this, &new_this);
}

void fp_do_end_renaming(struct renamedata *rd)
{
	end_renaming(rd);
}

/* @rd comes from fp_do_start_renaming() on @parent's mount. */
int fp_do_rename(struct renamedata *rd, const struct path *parent)
{
	int err;

	rd->mnt_idmap = mnt_idmap(parent->mnt);
	err = vfs_rename(rd);
	pr_debug("rename %pd -> %pd flags %x: %d\n", rd->old_dentry,
		 rd->new_dentry, rd->flags, err);
	return err;
}

/*
 * Ask the backing filesystem whether its @dentry is still valid (not in
 * RCU walk). 1 valid, 0 invalid, or an error.
 */
int fp_do_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct name_snapshot name;
	struct dentry *parent;
	int ret;

	parent = dget_parent(dentry);
	take_dentry_name_snapshot(&name, dentry);
	ret = compat_call_d_revalidate(d_inode(parent), &name.name, dentry,
				       flags);
	release_dentry_name_snapshot(&name);
	dput(parent);
	return ret;
}

int fp_do_notify_change(const struct path *path, struct iattr *attr)
{
	struct inode *inode = d_inode(path->dentry);
	int err;

	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	inode_lock(inode);
	err = notify_change(mnt_idmap(path->mnt), path->dentry, attr, NULL);
	inode_unlock(inode);
	mnt_drop_write(path->mnt);
	pr_debug("setattr %pd valid %x -> %d\n", path->dentry, attr->ia_valid,
		 err);
	return err;
}

/*
 * Open the backing file for an open of ours. Creation and truncation
 * were already done through our inode operations; the open itself is
 * checked against the backing inode for the calling task.
 */
struct file *fp_do_open(const struct path *path, int flags)
{
	struct file *file;

	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
	file = dentry_open(path, flags, current_cred());
	pr_debug("open %pd flags %o -> %ld\n", path->dentry, flags,
		 IS_ERR(file) ? PTR_ERR(file) : 0L);
	return file;
}

struct file *fp_do_tmpfile_open(const struct path *parent, umode_t mode,
				int flags)
{
	struct file *file;
	int err;

	err = mnt_want_write(parent->mnt);
	if (err)
		return ERR_PTR(err);
	mode = fp_backing_create_mode(d_inode(parent->dentry), mode);
	file = kernel_tmpfile_open(mnt_idmap(parent->mnt), parent, mode, flags,
				   current_cred());
	mnt_drop_write(parent->mnt);
	pr_debug("tmpfile in %pd mode %o -> %ld\n", parent->dentry, mode,
		 IS_ERR(file) ? PTR_ERR(file) : 0L);
	return file;
}

int fp_do_getattr(const struct path *path, struct kstat *stat,
		  u32 request_mask, unsigned int flags)
{
	/* A caller that skipped the LSM check above skips it below too. */
	if (flags & AT_GETATTR_NOSEC)
		return vfs_getattr_nosec(path, stat, request_mask, flags);
	return vfs_getattr(path, stat, request_mask, flags);
}

ssize_t fp_do_getxattr(const struct path *path, const char *name,
		       void *value, size_t size)
{
	return vfs_getxattr(mnt_idmap(path->mnt), path->dentry, name, value,
			    size);
}

int fp_do_setxattr(const struct path *path, const char *name,
		   const void *value, size_t size, int flags)
{
	int err;

	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	err = vfs_setxattr(mnt_idmap(path->mnt), path->dentry, name, value,
			   size, flags);
	mnt_drop_write(path->mnt);
	pr_debug("setxattr %pd %s -> %d\n", path->dentry, name, err);
	return err;
}

int fp_do_removexattr(const struct path *path, const char *name)
{
	int err;

	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	err = vfs_removexattr(mnt_idmap(path->mnt), path->dentry, name);
	mnt_drop_write(path->mnt);
	pr_debug("removexattr %pd %s -> %d\n", path->dentry, name, err);
	return err;
}
