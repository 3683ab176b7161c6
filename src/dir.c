// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - names served by the daemon: LOOKUP, entry timeouts and
 * revalidation, and the dentry operations every fusepass dentry uses
 * (dispatching to backed_dir.c for backed ones).
 *
 * A name may be used without asking the daemon until its entry timeout;
 * after that it is looked up again and must still be the same node.
 */
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "fusepass.h"

/* Longest name sent to a daemon, as FUSE. */
#define FP_NAME_MAX 1024

static u64 fp_dentry_time(const struct dentry *dentry)
{
	return READ_ONCE(fp_dentry(dentry)->time);
}

void fp_dentry_settime(struct dentry *dentry, u64 time)
{
	WRITE_ONCE(fp_dentry(dentry)->time, time);
}

/* The name must be asked for again at its next use. */
void fp_invalidate_entry_cache(struct dentry *dentry)
{
	fp_dentry_settime(dentry, 0);
}

void fp_change_entry_timeout(struct dentry *dentry,
			     const struct fuse_entry_out *out)
{
	fp_dentry_settime(dentry, fp_time_to_jiffies(out->entry_valid,
						     out->entry_valid_nsec));
}

u64 fp_entry_attr_timeout(const struct fuse_entry_out *out)
{
	return fp_time_to_jiffies(out->attr_valid, out->attr_valid_nsec);
}

/*
 * Check an entry reply: a node id (0 only where a negative entry is a
 * valid answer) and attributes an inode can have.
 */
int fp_valid_entry(const struct fuse_entry_out *out, bool negative_ok)
{
	if (!out->nodeid)
		return negative_ok ? 0 : -EIO;
	if (fp_invalid_attr(&out->attr))
		return -EIO;
	return 0;
}

void fp_fill_lookup_args(struct fp_args *args, u64 nodeid,
			 const struct qstr *name, struct fuse_entry_out *out)
{
	memset(out, 0, sizeof(*out));
	args->opcode = FUSE_LOOKUP;
	args->nodeid = nodeid;
	args->in_numargs = 1;
	/* The name with its terminating NUL, as the daemon expects. */
	args->in_args[0].size = name->len + 1;
	args->in_args[0].value = (void *)name->name;
	args->out_numargs = 1;
	args->out_args[0].size = sizeof(*out);
	args->out_args[0].value = out;
}

/*
 * Look @name up in directory @nodeid. On success *inode is the inode, or
 * NULL for a negative entry the daemon lets us cache.
 */
int fp_lookup_name(struct super_block *sb, u64 nodeid, const struct qstr *name,
		   struct fuse_entry_out *out, struct inode **inode)
{
	struct fp_conn *conn = fp_sb(sb)->conn;
	struct fp_forget *forget;
	struct fp_args args = {};
	u64 attr_version;
	int err;

	*inode = NULL;
	if (name->len > FP_NAME_MAX)
		return -ENAMETOOLONG;
	forget = fp_forget_alloc();
	if (!forget)
		return -ENOMEM;

	attr_version = atomic64_read(&conn->attr_version);
	fp_fill_lookup_args(&args, nodeid, name, out);
	err = fp_simple_request(conn, &args);
	if (err || !out->nodeid)
		goto out_free;

	err = fp_valid_entry(out, false);
	if (err)
		goto out_forget;
	/* The root is never anyone's child. */
	if (out->nodeid == FUSE_ROOT_ID) {
		err = -EIO;
		goto out_forget;
	}
	*inode = fp_iget_node(sb, out->nodeid, out->generation, &out->attr,
			      fp_entry_attr_timeout(out), attr_version);
	if (!*inode) {
		err = -ENOMEM;
		goto out_forget;
	}
	return 0;

out_forget:
	/* The daemon counted a lookup we will never use. */
	fp_queue_forget(conn, forget, out->nodeid, 1);
	return err;
out_free:
	kfree(forget);
	return err;
}

static struct dentry *fp_node_lookup(struct inode *dir, struct dentry *entry,
				     unsigned int flags)
{
	struct fuse_entry_out out;
	struct dentry *newent;
	struct inode *inode;
	bool valid = true;
	int err;

	if (fp_is_bad(dir))
		return ERR_PTR(-EIO);
	err = fp_lookup_name(dir->i_sb, fp_node_id(dir), &entry->d_name, &out,
			     &inode);
	if (err == -ENOENT) {
		valid = false;
		err = 0;
	}
	if (err)
		return ERR_PTR(err);

	newent = d_splice_alias(inode, entry);
	if (IS_ERR(newent))
		return newent;
	entry = newent ? newent : entry;
	if (valid)
		fp_change_entry_timeout(entry, &out);
	else
		fp_invalidate_entry_cache(entry);
	if (inode)
		fp_advise_use_readdirplus(dir);
	return newent;
}

/*
 * Is the name still the node we know? Asked of the daemon once the entry
 * timed out (or the VFS insists); a different node makes the dentry
 * invalid, and the VFS looks the name up afresh.
 */
static int fp_node_d_revalidate(struct dentry *entry, unsigned int flags)
{
	struct inode *inode = d_inode_rcu(entry);
	struct fuse_entry_out out;
	struct fp_forget *forget;
	struct fp_args args = {};
	struct dentry *parent;
	struct fp_conn *conn;
	u64 attr_version;
	int err;

	if (inode && fp_is_bad(inode))
		return 0;

	if (time_before64(fp_dentry_time(entry), get_jiffies_64()) ||
	    (flags & (LOOKUP_EXCL | LOOKUP_REVAL | LOOKUP_RENAME_TARGET))) {
		/* A negative entry is always looked up afresh. */
		if (!inode)
			return 0;
		if (flags & LOOKUP_RCU)
			return -ECHILD;

		conn = fp_conn_of(inode);
		forget = fp_forget_alloc();
		if (!forget)
			return -ENOMEM;
		attr_version = atomic64_read(&conn->attr_version);
		parent = dget_parent(entry);
		fp_fill_lookup_args(&args, fp_node_id(d_inode(parent)),
				    &entry->d_name, &out);
		err = fp_simple_request(conn, &args);
		dput(parent);

		if (!err && !out.nodeid)
			err = -ENOENT;
		if (!err) {
			if (out.nodeid != fp_node_id(inode) ||
			    fp_valid_entry(&out, false)) {
				fp_queue_forget(conn, forget, out.nodeid, 1);
				return 0;
			}
			spin_lock(&fp_inode(inode)->lock);
			fp_inode(inode)->nlookup++;
			spin_unlock(&fp_inode(inode)->lock);
		}
		kfree(forget);
		if (err == -ENOMEM || err == -EINTR)
			return err;
		if (err || inode_wrong_type(inode, out.attr.mode) ||
		    inode->i_generation != out.generation)
			return 0;

		fp_change_attributes(inode, &out.attr,
				     fp_entry_attr_timeout(&out), attr_version);
		fp_change_entry_timeout(entry, &out);
	} else if (inode) {
		struct fp_inode *fi = fp_inode(inode);

		if (flags & LOOKUP_RCU) {
			if (test_bit(FP_I_INIT_RDPLUS, &fi->state))
				return -ECHILD;
		} else if (test_and_clear_bit(FP_I_INIT_RDPLUS, &fi->state)) {
			parent = dget_parent(entry);
			fp_advise_use_readdirplus(d_inode(parent));
			dput(parent);
		}
	}
	return 1;
}

/* ---- dentry operations of every fusepass dentry ------------------- */

static int fp_d_init(struct dentry *dentry)
{
	dentry->d_fsdata = kzalloc(sizeof(struct fp_dentry),
				   GFP_KERNEL_ACCOUNT | __GFP_RECLAIMABLE);
	return dentry->d_fsdata ? 0 : -ENOMEM;
}

static bool fp_dentry_is_backed(const struct dentry *dentry)
{
	return READ_ONCE(fp_dentry(dentry)->lookup) != NULL;
}

static int fp_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	if (fp_dentry_is_backed(dentry))
		return fp_backed_d_revalidate(dentry, flags);
	return fp_node_d_revalidate(dentry, flags);
}

/* Drop daemon names whose timeout has passed when nobody uses them. */
static int fp_d_delete(const struct dentry *dentry)
{
	if (fp_dentry_is_backed(dentry))
		return 0;
	return time_before64(fp_dentry_time(dentry), get_jiffies_64());
}

static void fp_d_release(struct dentry *dentry)
{
	struct fp_dentry *fpd = dentry->d_fsdata;

	if (!fpd)
		return;
	if (fpd->lookup)
		fp_dentry_put(fpd);
	/* RCU path walks may still be reading it. */
	kfree_rcu(fpd, rcu);
}

const struct dentry_operations fp_dentry_ops = {
	.d_init		= fp_d_init,
	.d_revalidate	= fp_d_revalidate,
	.d_delete	= fp_d_delete,
	.d_release	= fp_d_release,
};

/* ---- namespace operations ----------------------------------------- */

static int fp_create(struct mnt_idmap *idmap, struct inode *dir,
		     struct dentry *entry, umode_t mode, bool excl)
{
	return -ENOSYS;
}

static int fp_mknod(struct mnt_idmap *idmap, struct inode *dir,
		    struct dentry *entry, umode_t mode, dev_t rdev)
{
	return -ENOSYS;
}

static int fp_mkdir(struct mnt_idmap *idmap, struct inode *dir,
		    struct dentry *entry, umode_t mode)
{
	return -ENOSYS;
}

static int fp_symlink(struct mnt_idmap *idmap, struct inode *dir,
		      struct dentry *entry, const char *link)
{
	return -ENOSYS;
}

static int fp_link(struct dentry *old, struct inode *dir, struct dentry *new)
{
	return -ENOSYS;
}

static int fp_unlink(struct inode *dir, struct dentry *entry)
{
	return -ENOSYS;
}

static int fp_rmdir(struct inode *dir, struct dentry *entry)
{
	return -ENOSYS;
}

static int fp_rename2(struct mnt_idmap *idmap, struct inode *olddir,
		      struct dentry *oldent, struct inode *newdir,
		      struct dentry *newent, unsigned int flags)
{
	return -ENOSYS;
}

/* ---- inode operations --------------------------------------------- */

const struct inode_operations fp_dir_iops = {
	.lookup		= fp_node_lookup,
	.create		= fp_create,
	.atomic_open	= fp_atomic_open,
	.tmpfile	= fp_tmpfile,
	.mknod		= fp_mknod,
	.mkdir		= fp_mkdir,
	.symlink	= fp_symlink,
	.link		= fp_link,
	.unlink		= fp_unlink,
	.rmdir		= fp_rmdir,
	.rename		= fp_rename2,
	.permission	= fp_node_permission,
	.getattr	= fp_node_getattr,
	.setattr	= fp_node_setattr,
	.listxattr	= fp_node_listxattr,
	FP_NODE_ACL_IOPS,
};

void fp_init_dir_inode(struct inode *inode)
{
	inode->i_op = &fp_dir_iops;
	inode->i_fop = &fp_dir_fops;
}

void fp_init_symlink_inode(struct inode *inode)
{
	inode->i_op = &fp_symlink_iops;
}
