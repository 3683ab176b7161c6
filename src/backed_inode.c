// SPDX-License-Identifier: GPL-2.0
/*
 * backed_inode.c - backed inodes: creation keyed by the backing inode, the
 * attribute mirror, and the inode operations shared by every file type.
 */
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/posix_acl.h>

#include "fusepass.h"

struct fp_backed_inode_key {
	struct inode *backing_inode;
	struct vfsmount *mnt;
};

/*
 * Called under the inode hash lock, also for inodes being evicted: only
 * the key pointers are compared, never dereferenced.
 */
static int fp_backed_inode_test(struct inode *inode, void *data)
{
	const struct fp_backed_inode_key *key = data;
	const struct fp_inode *fi = fp_inode(inode);

	return fi->backing_inode == key->backing_inode && fi->key_mnt == key->mnt;
}

static int fp_backed_inode_set(struct inode *inode, void *data)
{
	const struct fp_backed_inode_key *key = data;
	struct fp_inode *fi = fp_inode(inode);

	fi->backing_inode = key->backing_inode;
	fi->key_mnt = key->mnt;
	return 0;
}

/* Flags of the backing inode that the VFS checks on ours. */
#define FP_COPIED_IFLAGS (S_SYNC | S_APPEND | S_IMMUTABLE | S_DIRSYNC)

/*
 * Refresh the attributes the VFS reads from our inode itself. stat(2)
 * does not use them (getattr asks the backing inode), but permission
 * shortcuts, O_TRUNC/append checks and exec do.
 */
void fp_backed_copy_attr(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);
	struct inode *backing = fi->backing_inode;
	umode_t mode = READ_ONCE(backing->i_mode);
	unsigned int nlink = READ_ONCE(backing->i_nlink);
	unsigned int iflags = READ_ONCE(backing->i_flags) & FP_COPIED_IFLAGS;

	/* A nosuid backing mount stays nosuid when reached through us. */
	if (fi->backing.mnt->mnt_flags & MNT_NOSUID)
		mode &= ~(S_ISUID | S_ISGID);
	inode->i_mode = (inode->i_mode & S_IFMT) | (mode & ~S_IFMT);
	inode->i_uid = backing->i_uid;
	inode->i_gid = backing->i_gid;
	/*
	 * Called on every getattr: the out-of-line setters (one of them an
	 * atomic loop) only when something changed, as it seldom has.
	 */
	if (inode->i_nlink != nlink)
		set_nlink(inode, nlink);
	i_size_write(inode, i_size_read(backing));
	inode->i_blocks = READ_ONCE(backing->i_blocks);
	if ((READ_ONCE(inode->i_flags) & FP_COPIED_IFLAGS) != iflags)
		inode_set_flags(inode, iflags, FP_COPIED_IFLAGS);
}

/*
 * The fusepass inode for @backing (a positive backing path). A new inode
 * takes a reference to @backing.
 */
struct inode *fp_backed_iget(struct super_block *sb, const struct path *backing)
{
	struct inode *backing_inode = d_inode(backing->dentry);
	struct fp_backed_inode_key key = {
		.backing_inode = backing_inode,
		.mnt = backing->mnt,
	};
	struct fp_inode *fi;
	struct inode *inode;
	umode_t mode = backing_inode->i_mode;

	inode = iget5_locked(sb, (unsigned long)backing_inode, fp_backed_inode_test,
			     fp_backed_inode_set, &key);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode_state_read_once(inode) & I_NEW)) {
		fp_backed_copy_attr(inode);
		return inode;
	}

	fi = fp_inode(inode);
	fi->backing = *backing;
	path_get(&fi->backing);

	inode->i_ino = backing_inode->i_ino;
	inode->i_generation = backing_inode->i_generation;
	inode->i_mode = mode & S_IFMT;
	/* Times live in the backing inode; ours are never read or written. */
	inode->i_flags |= S_NOATIME | S_NOCMTIME;
	/* ACLs too: ask the backing inode every time. */
	inode->i_acl = ACL_DONT_CACHE;
	inode->i_default_acl = ACL_DONT_CACHE;

	switch (mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &fp_backed_dir_iops;
		inode->i_fop = &fp_backed_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &fp_backed_file_iops;
		inode->i_fop = &fp_backed_file_fops;
		inode->i_mapping->a_ops = &fp_backed_file_aops;
		break;
	case S_IFLNK:
		inode->i_op = &fp_backed_symlink_iops;
		break;
	default:
		inode->i_op = &fp_backed_special_iops;
		init_special_inode(inode, mode, backing_inode->i_rdev);
		break;
	}
	fp_backed_copy_attr(inode);
	unlock_new_inode(inode);
	return inode;
}

static bool fp_backed_path_noexec(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) ||
	       (path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/*
 * Permission is the backing inode's, checked for the calling task, plus
 * the backing mount's nodev/noexec as a bind mount would keep them.
 * Called in RCU walk too (MAY_NOT_BLOCK), which inode_permission honours.
 */
int fp_backed_permission(struct mnt_idmap *idmap, struct inode *inode, int mask)
{
	struct fp_inode *fi = fp_inode(inode);

	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	if ((mask & MAY_OPEN) && (S_ISCHR(inode->i_mode) || S_ISBLK(inode->i_mode)) &&
	    (fi->backing.mnt->mnt_flags & MNT_NODEV))
		return -EACCES;
	if ((mask & MAY_EXEC) && S_ISREG(inode->i_mode) &&
	    fp_backed_path_noexec(&fi->backing))
		return -EACCES;
	return inode_permission(mnt_idmap(fi->backing.mnt), fi->backing_inode,
				mask);
}

int fp_backed_getattr(struct mnt_idmap *idmap, const struct path *path,
	       struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct dentry *dentry = path->dentry;
	struct inode *inode = d_inode(dentry);
	int err;

	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	err = fp_filter_pre(inode, dentry, FUSE_GETATTR, NULL);
	if (err)
		return err;
	fp_count_backed(inode->i_sb);
	err = fp_do_getattr(fp_backing_path(dentry), stat, request_mask, flags);
	if (!err) {
		/* st_ino is the backing inode's; st_dev is ours. */
		stat->dev = inode->i_sb->s_dev;
		fp_backed_copy_attr(inode);
	}
	return fp_filter_post(inode, dentry, FUSE_GETATTR, err, NULL);
}

int fp_backed_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
	       struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct fuse_setattr_in in = {};
	struct fp_filter_arg extra = { .value = &in, .size = sizeof(in) };
	struct iattr battr = *attr;
	int err;

	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	if (fp_filtered(inode, FUSE_SETATTR, false) ||
	    fp_filtered(inode, FUSE_SETATTR, true))
		fp_iattr_to_fattr(fp_sb(inode->i_sb)->conn, attr, &in, false);
	err = fp_filter_pre(inode, dentry, FUSE_SETATTR, &extra);
	if (err)
		return err;
	fp_count_backed(inode->i_sb);
	/*
	 * ia_file is our file, not one the backing filesystem knows; and
	 * O_TRUNC is not passed to the backing open, so this is a plain
	 * truncate to it, not part of an open.
	 */
	battr.ia_valid &= ~(ATTR_FILE | ATTR_OPEN);
	/*
	 * The VFS turned a privilege drop into an ATTR_MODE change for us;
	 * the backing notify_change() redoes that itself and refuses both.
	 */
	if (battr.ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID))
		battr.ia_valid &= ~ATTR_MODE;

	err = fp_do_notify_change(fp_backing_path(dentry), &battr);
	fp_backed_copy_attr(inode);
	return fp_filter_post(inode, dentry, FUSE_SETATTR, err, &extra);
}

int fp_backed_fileattr_get(struct dentry *dentry, struct file_kattr *fa)
{
	return vfs_fileattr_get(fp_backing_path(dentry)->dentry, fa);
}

int fp_backed_fileattr_set(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct file_kattr *fa)
{
	const struct path *backing = fp_backing_path(dentry);
	int err;

	err = mnt_want_write(backing->mnt);
	if (err)
		return err;
	err = vfs_fileattr_set(mnt_idmap(backing->mnt), backing->dentry, fa);
	mnt_drop_write(backing->mnt);
	fp_backed_copy_attr(d_inode(dentry));
	return err;
}

static int fp_backed_fiemap(struct inode *inode, struct fiemap_extent_info *fieinfo,
		     u64 start, u64 len)
{
	struct inode *backing = fp_backing_inode(inode);

	if (!backing->i_op->fiemap)
		return -EOPNOTSUPP;
	return backing->i_op->fiemap(backing, fieinfo, start, len);
}

static const char *fp_backed_get_link(struct dentry *dentry, struct inode *inode,
			       struct delayed_call *done)
{
	/* The backing filesystem may sleep; no RCU-walk shortcut. */
	if (!dentry)
		return ERR_PTR(-ECHILD);
	return vfs_get_link(fp_backing_path(dentry)->dentry, done);
}

const struct inode_operations fp_backed_file_iops = {
	.permission	= fp_backed_permission,
	.getattr	= fp_backed_getattr,
	.setattr	= fp_backed_setattr,
	.listxattr	= fp_backed_listxattr,
	.fileattr_get	= fp_backed_fileattr_get,
	.fileattr_set	= fp_backed_fileattr_set,
	.fiemap		= fp_backed_fiemap,
	FP_ACL_IOPS,
};

const struct inode_operations fp_backed_symlink_iops = {
	.get_link	= fp_backed_get_link,
	.permission	= fp_backed_permission,
	.getattr	= fp_backed_getattr,
	.setattr	= fp_backed_setattr,
	.listxattr	= fp_backed_listxattr,
	FP_ACL_IOPS,
};

const struct inode_operations fp_backed_special_iops = {
	.permission	= fp_backed_permission,
	.getattr	= fp_backed_getattr,
	.setattr	= fp_backed_setattr,
	.listxattr	= fp_backed_listxattr,
	FP_ACL_IOPS,
};
