// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - extended attributes and POSIX ACLs of backed inodes, read
 * and written on the backing inode for the calling task.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/xattr.h>

#include "fusepass.h"

/*
 * Every name goes to the backing inode unchanged; its filesystem decides
 * which namespaces (user, trusted, security, system) it supports. The
 * inode's own backing path is used: @dentry may be NULL here.
 */
static int fp_backed_xattr_get(const struct xattr_handler *handler,
			struct dentry *dentry, struct inode *inode,
			const char *name, void *buffer, size_t size)
{
	return fp_do_getxattr(&fp_inode(inode)->backing, name, buffer, size);
}

static int fp_backed_xattr_set(const struct xattr_handler *handler,
			struct mnt_idmap *idmap, struct dentry *dentry,
			struct inode *inode, const char *name,
			const void *value, size_t size, int flags)
{
	const struct path *backing = &fp_inode(inode)->backing;
	int err;

	/* The VFS removes an attribute by setting it to NULL. */
	if (!value)
		err = fp_do_removexattr(backing, name);
	else
		err = fp_do_setxattr(backing, name, value, size, flags);
	fp_backed_copy_attr(inode);
	return err;
}

static const struct xattr_handler fp_xattr_any_handler = {
	.prefix	= "",	/* matches every name */
	.get	= fp_backed_xattr_get,
	.set	= fp_backed_xattr_set,
};

const struct xattr_handler *fp_xattr_handlers[] = {
	&fp_xattr_any_handler,
	NULL
};

ssize_t fp_backed_listxattr(struct dentry *dentry, char *list, size_t size)
{
	return vfs_listxattr(fp_backing_path(dentry)->dentry, list, size);
}

/* For permission checks that want the ACL itself (never cached by us). */
struct posix_acl *fp_backed_get_inode_acl(struct inode *inode, int type, bool rcu)
{
	if (rcu)
		return ERR_PTR(-ECHILD);
	return get_inode_acl(fp_backing_inode(inode), type);
}

#ifdef COMPAT_HAVE_DENTRY_ACL_OPS
struct posix_acl *fp_backed_get_acl(struct mnt_idmap *idmap, struct dentry *dentry,
			     int type)
{
	const struct path *backing = fp_backing_path(dentry);
	struct posix_acl *acl;

	acl = vfs_get_acl(mnt_idmap(backing->mnt), backing->dentry,
			  posix_acl_xattr_name(type));
	/* "No ACL" is -ENODATA from vfs_get_acl() but NULL from ->get_acl. */
	if (acl == ERR_PTR(-ENODATA))
		return NULL;
	return acl;
}

int fp_backed_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
	       struct posix_acl *acl, int type)
{
	const struct path *backing = fp_backing_path(dentry);
	const char *name = posix_acl_xattr_name(type);
	int err;

	err = mnt_want_write(backing->mnt);
	if (err)
		return err;
	if (acl)
		err = vfs_set_acl(mnt_idmap(backing->mnt), backing->dentry,
				  name, acl);
	else
		err = vfs_remove_acl(mnt_idmap(backing->mnt), backing->dentry,
				     name);
	mnt_drop_write(backing->mnt);
	fp_backed_copy_attr(d_inode(dentry));
	return err;
}
#endif

/* ---- daemon-served inodes ----------------------------------------- */

ssize_t fp_node_listxattr(struct dentry *dentry, char *list, size_t size)
{
	return -EOPNOTSUPP;
}

struct posix_acl *fp_node_get_inode_acl(struct inode *inode, int type,
					bool rcu)
{
	return NULL;
}

#ifdef COMPAT_HAVE_DENTRY_ACL_OPS
struct posix_acl *fp_node_get_acl(struct mnt_idmap *idmap,
				  struct dentry *dentry, int type)
{
	return NULL;
}

int fp_node_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct posix_acl *acl, int type)
{
	return -EOPNOTSUPP;
}
#endif
