// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - extended attributes and POSIX ACLs: of backed inodes, read
 * and written on the backing inode for the calling task; of inodes
 * served by the daemon, asked of it (GETXATTR, SETXATTR, LISTXATTR,
 * REMOVEXATTR), ACLs included.
 *
 * One catch-all handler serves both kinds. A daemon that answers -ENOSYS
 * to one of these requests does not get it again: the operation is then
 * unsupported (-EOPNOTSUPP).
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "fusepass.h"

static int fp_node_xattr_get(struct inode *inode, const char *name,
			     void *value, size_t size);
static int fp_node_xattr_set(struct inode *inode, const char *name,
			     const void *value, size_t size, int flags);

/*
 * Backed inodes: every name goes to the backing inode unchanged; its
 * filesystem decides which namespaces (user, trusted, security, system)
 * it supports. The inode's own backing path is used: @dentry may be NULL
 * here. Daemon-served inodes: the daemon is asked.
 */
static int fp_xattr_get(const struct xattr_handler *handler,
			struct dentry *dentry, struct inode *inode,
			const char *name, void *buffer, size_t size)
{
	if (fp_is_node(inode))
		return fp_node_xattr_get(inode, name, buffer, size);
	return fp_do_getxattr(&fp_inode(inode)->backing, name, buffer, size);
}

static int fp_xattr_set(const struct xattr_handler *handler,
			struct mnt_idmap *idmap, struct dentry *dentry,
			struct inode *inode, const char *name,
			const void *value, size_t size, int flags)
{
	const struct path *backing = &fp_inode(inode)->backing;
	int err;

	if (fp_is_node(inode))
		return fp_node_xattr_set(inode, name, value, size, flags);

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
	.get	= fp_xattr_get,
	.set	= fp_xattr_set,
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

/*
 * GETXATTR, or with @size 0 the size the value would need (bounded as
 * the VFS bounds values).
 */
static ssize_t fp_node_getxattr(struct inode *inode, const char *name,
				void *value, size_t size)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct fuse_getxattr_in in = {};
	struct fuse_getxattr_out out = {};
	struct fp_args args = {};
	ssize_t ret;

	if (READ_ONCE(conn->no_getxattr))
		return -EOPNOTSUPP;
	in.size = size;
	args.opcode = FUSE_GETXATTR;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = strlen(name) + 1;
	args.in_args[1].value = (void *)name;
	args.out_numargs = 1;
	if (size) {
		/* At most @size bytes: dev.c refuses anything longer. */
		args.out_argvar = true;
		args.out_args[0].size = size;
		args.out_args[0].value = value;
	} else {
		args.out_args[0].size = sizeof(out);
		args.out_args[0].value = &out;
	}
	ret = fp_simple_request(conn, &args);
	if (!ret && !size)
		ret = min_t(u32, out.size, XATTR_SIZE_MAX);
	if (ret == -ENOSYS) {
		WRITE_ONCE(conn->no_getxattr, true);
		ret = -EOPNOTSUPP;
	}
	return ret;
}

static int fp_node_setxattr(struct inode *inode, const char *name,
			    const void *value, size_t size, int flags,
			    unsigned int setxattr_flags)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct fuse_setxattr_in in = {};
	struct fp_args args = {};
	int err;

	if (READ_ONCE(conn->no_setxattr))
		return -EOPNOTSUPP;
	in.size = size;
	in.flags = flags;
	in.setxattr_flags = setxattr_flags;
	args.opcode = FUSE_SETXATTR;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 3;
	/* setxattr_flags exist for daemons that agreed to SETXATTR_EXT. */
	args.in_args[0].size = (conn->init_flags & FUSE_SETXATTR_EXT) ?
			       sizeof(in) : FUSE_COMPAT_SETXATTR_IN_SIZE;
	args.in_args[0].value = &in;
	args.in_args[1].size = strlen(name) + 1;
	args.in_args[1].value = (void *)name;
	args.in_args[2].size = size;
	args.in_args[2].value = (void *)value;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_setxattr, true);
		err = -EOPNOTSUPP;
	}
	if (!err)
		fp_update_ctime(inode);
	return err;
}

static int fp_node_removexattr(struct inode *inode, const char *name)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct fp_args args = {};
	int err;

	if (READ_ONCE(conn->no_removexattr))
		return -EOPNOTSUPP;
	args.opcode = FUSE_REMOVEXATTR;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = strlen(name) + 1;
	args.in_args[0].value = (void *)name;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_removexattr, true);
		err = -EOPNOTSUPP;
	}
	if (!err)
		fp_update_ctime(inode);
	return err;
}

/* A list of names must be NUL-terminated names, none of them empty. */
static ssize_t fp_verify_xattr_list(const char *list, size_t size)
{
	size_t left = size;

	while (left) {
		size_t len = strnlen(list, left);

		if (!len || len == left)
			return -EIO;
		list += len + 1;
		left -= len + 1;
	}
	return size;
}

ssize_t fp_node_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct inode *inode = d_inode(dentry);
	struct fp_conn *conn = fp_conn_of(inode);
	struct fuse_getxattr_in in = {};
	struct fuse_getxattr_out out = {};
	struct fp_args args = {};
	ssize_t ret;

	if (fp_is_bad(inode))
		return -EIO;
	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	if (READ_ONCE(conn->no_listxattr))
		return -EOPNOTSUPP;
	in.size = size;
	args.opcode = FUSE_LISTXATTR;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	if (size) {
		args.out_argvar = true;
		args.out_args[0].size = size;
		args.out_args[0].value = list;
	} else {
		args.out_args[0].size = sizeof(out);
		args.out_args[0].value = &out;
	}
	ret = fp_simple_request(conn, &args);
	if (!ret && !size)
		ret = min_t(u32, out.size, XATTR_LIST_MAX);
	if (ret > 0 && size)
		ret = fp_verify_xattr_list(list, ret);
	if (ret == -ENOSYS) {
		WRITE_ONCE(conn->no_listxattr, true);
		ret = -EOPNOTSUPP;
	}
	return ret;
}

/* ---- POSIX ACLs of daemon-served inodes --------------------------- */

static int fp_acl_type(const char *name)
{
	if (strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS) == 0)
		return ACL_TYPE_ACCESS;
	if (strcmp(name, XATTR_NAME_POSIX_ACL_DEFAULT) == 0)
		return ACL_TYPE_DEFAULT;
	return -1;
}

static const char *fp_acl_name(int type)
{
	return type == ACL_TYPE_ACCESS ? XATTR_NAME_POSIX_ACL_ACCESS :
					 XATTR_NAME_POSIX_ACL_DEFAULT;
}

/*
 * Does the daemon use ACLs for permission checks (FUSE_POSIX_ACL)? Then
 * ACLs are cached, checked by the kernel, and their changes may kill
 * the setgid bit.
 */
static bool fp_posix_acl(const struct fp_conn *conn)
{
	return conn->init_flags & FUSE_POSIX_ACL;
}

/*
 * Without FUSE_POSIX_ACL, ACL xattrs pass through unused, as they always
 * did for FUSE daemons; but not in a user namespace the daemon's ids
 * were never translated for.
 */
static bool fp_no_acl(const struct fp_conn *conn, const struct inode *inode)
{
	return !fp_posix_acl(conn) && i_user_ns(inode) != &init_user_ns;
}

static struct posix_acl *fp_node_read_acl(struct inode *inode, int type,
					  bool rcu)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct posix_acl *acl;
	void *value;
	ssize_t size;

	if (rcu)
		return ERR_PTR(-ECHILD);
	if (fp_is_bad(inode))
		return ERR_PTR(-EIO);
	if (READ_ONCE(conn->no_getxattr))
		return NULL;
	if (type != ACL_TYPE_ACCESS && type != ACL_TYPE_DEFAULT)
		return ERR_PTR(-EOPNOTSUPP);

	value = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!value)
		return ERR_PTR(-ENOMEM);
	size = fp_node_getxattr(inode, fp_acl_name(type), value, PAGE_SIZE);
	if (size > 0)
		acl = posix_acl_from_xattr(conn->user_ns, value, size);
	else if (size == 0 || size == -ENODATA ||
		 (size == -EOPNOTSUPP && READ_ONCE(conn->no_getxattr)))
		acl = NULL;
	else if (size == -ERANGE)
		acl = ERR_PTR(-E2BIG);
	else
		acl = ERR_PTR(size);
	kfree(value);
	return acl;
}

/* For permission checks: only ACLs the daemon said it uses. */
struct posix_acl *fp_node_get_inode_acl(struct inode *inode, int type,
					bool rcu)
{
	if (!fp_posix_acl(fp_conn_of(inode)))
		return NULL;
	return fp_node_read_acl(inode, type, rcu);
}

/*
 * Set (or with @acl NULL remove) an ACL of @inode, already checked as
 * the VFS checks it. With FUSE_POSIX_ACL, the daemon updates the mode
 * itself, and is told to kill the setgid bit when the caller could not
 * have kept it by chmod.
 */
static int fp_node_write_acl(struct inode *inode, struct posix_acl *acl,
			     int type)
{
	struct fp_conn *conn = fp_conn_of(inode);
	const char *name;
	int err;

	if (type != ACL_TYPE_ACCESS && type != ACL_TYPE_DEFAULT)
		return -EINVAL;
	name = fp_acl_name(type);
	if (acl) {
		size_t size = posix_acl_xattr_size(acl->a_count);
		unsigned int setxattr_flags = 0;
		void *value;

		if (size > PAGE_SIZE)
			return -E2BIG;
		value = posix_acl_to_xattr(conn->user_ns, acl, &size,
					   GFP_KERNEL);
		if (!value)
			return -ENOMEM;
		if (fp_posix_acl(conn) &&
		    !vfsgid_in_group_p(i_gid_into_vfsgid(&nop_mnt_idmap, inode)) &&
		    !capable_wrt_inode_uidgid(&nop_mnt_idmap, inode, CAP_FSETID))
			setxattr_flags |= FUSE_SETXATTR_ACL_KILL_SGID;
		err = fp_node_setxattr(inode, name, value, size, 0,
				       setxattr_flags);
		kfree(value);
	} else {
		err = fp_node_removexattr(inode, name);
	}
	/*
	 * The VFS caches what ->get_acl() returned, used or not. With
	 * FUSE_POSIX_ACL the daemon may have changed the mode as well.
	 */
	forget_all_cached_acls(inode);
	if (fp_posix_acl(conn))
		fp_invalidate_attr(inode);
	return err;
}

#ifdef COMPAT_HAVE_DENTRY_ACL_OPS
struct posix_acl *fp_node_get_acl(struct mnt_idmap *idmap,
				  struct dentry *dentry, int type)
{
	struct inode *inode = d_inode(dentry);

	if (fp_no_acl(fp_conn_of(inode), inode))
		return ERR_PTR(-EOPNOTSUPP);
	return fp_node_read_acl(inode, type, false);
}

int fp_node_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct posix_acl *acl, int type)
{
	struct inode *inode = d_inode(dentry);
	struct fp_conn *conn = fp_conn_of(inode);

	if (fp_is_bad(inode))
		return -EIO;
	if (READ_ONCE(conn->no_setxattr) || fp_no_acl(conn, inode))
		return -EOPNOTSUPP;
	return fp_node_write_acl(inode, acl, type);
}
#endif

/*
 * An ACL xattr that came through the xattr handler (every ACL change on
 * kernels without ->set_acl for dentries): checked and converted as the
 * VFS does for ->set_acl, then written as such.
 */
static int fp_node_set_acl_xattr(struct inode *inode, int type,
				 const void *value, size_t size)
{
	struct posix_acl *acl = NULL;
	int err;

	if (type == ACL_TYPE_DEFAULT && !S_ISDIR(inode->i_mode))
		return value ? -EACCES : 0;
	if (!inode_owner_or_capable(&nop_mnt_idmap, inode))
		return -EPERM;
	if (value) {
		acl = posix_acl_from_xattr(&init_user_ns, value, size);
		if (IS_ERR(acl))
			return PTR_ERR(acl);
		if (acl) {
			err = posix_acl_valid(inode->i_sb->s_user_ns, acl);
			if (err)
				goto out;
		}
	}
	err = fp_node_write_acl(inode, acl, type);
out:
	posix_acl_release(acl);
	return err;
}

static int fp_node_xattr_get(struct inode *inode, const char *name,
			     void *value, size_t size)
{
	if (fp_is_bad(inode))
		return -EIO;
	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	if (fp_acl_type(name) >= 0 && fp_no_acl(fp_conn_of(inode), inode))
		return -EOPNOTSUPP;
	return fp_node_getxattr(inode, name, value, size);
}

static int fp_node_xattr_set(struct inode *inode, const char *name,
			     const void *value, size_t size, int flags)
{
	struct fp_conn *conn = fp_conn_of(inode);
	int type = fp_acl_type(name);

	if (fp_is_bad(inode))
		return -EIO;
	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	if (type >= 0) {
		if (READ_ONCE(conn->no_setxattr) || fp_no_acl(conn, inode))
			return -EOPNOTSUPP;
		if (fp_posix_acl(conn))
			return fp_node_set_acl_xattr(inode, type, value, size);
		/* Not used by anyone here: passed through as it comes. */
	}
	if (!value)
		return fp_node_removexattr(inode, name);
	return fp_node_setxattr(inode, name, value, size, flags, 0);
}
