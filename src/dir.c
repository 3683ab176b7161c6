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
#include <linux/iversion.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/slab.h>
#include <linux/writeback.h>

#include "fusepass.h"

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
 * NULL for a negative entry the daemon lets us cache. If the reply backs
 * the entry (ext->fb set), the inode is that backed inode, and the
 * caller points the dentry at it and then calls fp_ext_done().
 */
int fp_lookup_name(struct super_block *sb, u64 nodeid, const struct qstr *name,
		   struct fuse_entry_out *out, struct fp_ext *ext,
		   struct inode **inode)
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
	fp_ext_arg(&args, ext);
	err = fp_entry_request(conn, &args);
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
	err = ext->err;
	if (err)
		goto out_forget;
	if (ext->fb) {
		*inode = fp_ext_iget(sb, ext, out->nodeid, forget);
		if (!IS_ERR(*inode))
			return 0;
		err = PTR_ERR(*inode);
		*inode = NULL;
		fp_ext_done(ext);
		return err;
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
	fp_ext_done(ext);
	fp_queue_forget(conn, forget, out->nodeid, 1);
	return err;
out_free:
	fp_ext_done(ext);
	kfree(forget);
	return err;
}

struct dentry *fp_node_lookup(struct inode *dir, struct dentry *entry,
			      unsigned int flags)
{
	struct fuse_entry_out out;
	struct dentry *newent;
	struct inode *inode;
	struct fp_ext ext;
	bool valid = true;
	int err;

	if (fp_is_bad(dir))
		return ERR_PTR(-EIO);
	err = fp_lookup_name(dir->i_sb, fp_node_id(dir), &entry->d_name, &out,
			     &ext, &inode);
	if (err == -ENOENT) {
		valid = false;
		err = 0;
	}
	if (err)
		return ERR_PTR(err);
	if (ext.fb) {
		fp_ext_set_dentry(entry, &ext, &out);
		fp_ext_done(&ext);
	}

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
	struct fp_ext ext;
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

		parent = dget_parent(entry);
		/* Below a backed directory (REMOVE_BACKING): look it up again. */
		if (!fp_is_node(d_inode(parent))) {
			dput(parent);
			return 0;
		}
		conn = fp_conn_of(inode);
		forget = fp_forget_alloc();
		if (!forget) {
			dput(parent);
			return -ENOMEM;
		}
		attr_version = atomic64_read(&conn->attr_version);
		fp_fill_lookup_args(&args, fp_node_id(d_inode(parent)),
				    &entry->d_name, &out);
		fp_ext_arg(&args, &ext);
		err = fp_entry_request(conn, &args);
		dput(parent);
		if (err || !out.nodeid)
			fp_ext_done(&ext);

		if (!err && !out.nodeid)
			err = -ENOENT;
		if (!err) {
			/* A node that is now backed is another object. */
			if (out.nodeid != fp_node_id(inode) ||
			    fp_valid_entry(&out, false) || ext.err || ext.fb) {
				fp_ext_done(&ext);
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

		forget_all_cached_acls(inode);
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

/* Backed by the backing tree, not by the daemon's choice? */
static bool fp_dentry_is_stacked(const struct dentry *dentry)
{
	if (!fp_dentry_is_backed(dentry))
		return false;
	smp_rmb();	/* pairs with fp_ext_set_dentry() */
	return !READ_ONCE(fp_dentry(dentry)->attached);
}

/* Every kind takes the parent and name from @dentry itself. */
static int fp_d_revalidate(struct inode *dir, const struct qstr *name,
			   struct dentry *dentry, unsigned int flags)
{
	if (fp_dentry_is_stacked(dentry))
		return fp_backed_d_revalidate(dentry, flags);
	if (fp_dentry_is_backed(dentry))
		return fp_ext_d_revalidate(dentry, flags);
	return fp_node_d_revalidate(dentry, flags);
}
COMPAT_DEFINE_D_REVALIDATE(fp_d_revalidate)

/* Drop daemon names whose timeout has passed when nobody uses them. */
static int fp_d_delete(const struct dentry *dentry)
{
	if (fp_dentry_is_stacked(dentry))
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
	.d_revalidate	= COMPAT_D_REVALIDATE(fp_d_revalidate),
	.d_delete	= fp_d_delete,
	.d_release	= fp_d_release,
};

/* ---- namespace operations ----------------------------------------- */

/* The name is gone from the dcache too, if nobody is using it. */
void fp_invalidate_entry(struct dentry *dentry)
{
	d_invalidate(dentry);
	fp_invalidate_entry_cache(dentry);
}

/* A directory's contents changed: its size, times and link count did. */
void fp_dir_changed(struct inode *dir)
{
	fp_invalidate_attr(dir);
	inode_maybe_inc_iversion(dir, false);
}

/*
 * An operation changed @inode's ctime on the daemon's side. With a
 * writeback cache the kernel keeps ctime for regular files and tells the
 * daemon later; otherwise it is asked for again.
 */
void fp_update_ctime(struct inode *inode)
{
	/* A backed inode's times are the backing inode's. */
	if (!fp_is_node(inode)) {
		fp_backed_copy_attr(inode);
		return;
	}
	fp_invalidate_attr_mask(inode, STATX_CTIME);
	if (!IS_NOCMTIME(inode)) {
		inode_set_ctime_current(inode);
		mark_inode_dirty_sync(inode);
		mapping_set_error(inode->i_mapping,
				  sync_inode_metadata(inode, 1));
	}
}

/* The name @dentry of its inode was removed (unlink, rmdir, rename). */
static void fp_entry_unlinked(struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct fp_inode *fi = fp_inode(inode);

	fp_invalidate_entry_cache(dentry);
	if (!fp_is_node(inode)) {
		fp_backed_copy_attr(inode);
		return;
	}
	spin_lock(&fi->lock);
	fi->attr_version = atomic64_inc_return(&fp_conn_of(inode)->attr_version);
	/* A careless daemon may have said nlink 0 already: not ours to fix. */
	if (S_ISDIR(inode->i_mode))
		clear_nlink(inode);
	else if (inode->i_nlink > 0)
		drop_nlink(inode);
	spin_unlock(&fi->lock);
	fp_invalidate_attr(inode);
	fp_update_ctime(inode);
}

/*
 * Shared by MKNOD, MKDIR, SYMLINK and LINK: @args carries the opcode and
 * the in arguments; the reply names the node that @entry (a negative
 * dentry) now stands for, which must have the file type of @mode. Its
 * lookup count is ours from here: kept in the inode, or FORGOTten when
 * the reply cannot be used. Returns NULL, the dentry that stands for the
 * node instead of @entry (a directory known elsewhere), or an error.
 */
static struct dentry *fp_make_new_entry(struct inode *dir,
					struct dentry *entry,
					struct fp_args *args, umode_t mode)
{
	struct fp_conn *conn = fp_conn_of(dir);
	struct fuse_entry_out out = {};
	struct fp_forget *forget;
	struct dentry *alias;
	struct inode *inode;
	struct fp_ext ext;
	int err;

	if (fp_is_bad(dir))
		return ERR_PTR(-EIO);
	forget = fp_forget_alloc();
	if (!forget)
		return ERR_PTR(-ENOMEM);

	args->nodeid = fp_node_id(dir);
	args->out_numargs = 1;
	args->out_args[0].size = sizeof(out);
	args->out_args[0].value = &out;
	fp_ext_arg(args, &ext);
	err = fp_entry_request(conn, args);
	if (err) {
		kfree(forget);
		return ERR_PTR(err);
	}
	/* Whatever we make of the reply, the directory has changed. */
	fp_dir_changed(dir);

	if (!out.nodeid) {
		/* Not an entry at all; it counted no lookup. */
		fp_ext_done(&ext);
		kfree(forget);
		return ERR_PTR(-EIO);
	}
	if (fp_valid_entry(&out, false) || out.nodeid == FUSE_ROOT_ID ||
	    ((out.attr.mode ^ mode) & S_IFMT) ||
	    ext.err ||
	    (ext.fb && (file_inode(ext.fb->file)->i_mode ^ mode) & S_IFMT)) {
		pr_debug("%s reply: node %llu of mode %o refused\n",
			 fp_opcode_name(args->opcode), out.nodeid,
			 out.attr.mode);
		fp_ext_done(&ext);
		fp_queue_forget(conn, forget, out.nodeid, 1);
		return ERR_PTR(-EIO);
	}

	d_drop(entry);
	if (ext.fb) {
		/* Backed: the lookup is counted in the inode (or forgotten). */
		inode = fp_ext_iget(dir->i_sb, &ext, out.nodeid, forget);
		if (!IS_ERR(inode))
			fp_ext_set_dentry(entry, &ext, &out);
		fp_ext_done(&ext);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	} else {
		inode = fp_iget_node(dir->i_sb, out.nodeid, out.generation,
				     &out.attr, fp_entry_attr_timeout(&out), 0);
		if (!inode) {
			fp_queue_forget(conn, forget, out.nodeid, 1);
			return ERR_PTR(-ENOMEM);
		}
		kfree(forget);
	}

	/*
	 * d_splice_alias() refuses a directory that is already an ancestor
	 * (-ELOOP) and moves a directory known elsewhere; on error it drops
	 * the inode, whose lookup is then FORGOTten at eviction.
	 */
	alias = d_splice_alias(inode, entry);
	if (IS_ERR(alias))
		return alias;
	fp_change_entry_timeout(alias ?: entry, &out);
	return alias;
}

static int fp_create_new_entry(struct inode *dir, struct dentry *entry,
			       struct fp_args *args, umode_t mode)
{
	struct dentry *alias = fp_make_new_entry(dir, entry, args, mode);

	if (IS_ERR(alias))
		return PTR_ERR(alias);
	dput(alias);
	return 0;
}

int fp_node_mknod(struct inode *dir, struct dentry *entry, umode_t mode,
		  dev_t rdev)
{
	struct fp_conn *conn = fp_conn_of(dir);
	struct fuse_mknod_in in = {};
	struct fp_args args = {};

	if (!(conn->init_flags & FUSE_DONT_MASK))
		mode &= ~current_umask();
	in.mode = mode;
	in.rdev = new_encode_dev(rdev);
	in.umask = current_umask();
	args.opcode = FUSE_MKNOD;
	args.in_numargs = 2;
	args.in_args[0].size = conn->minor < 12 ? FUSE_COMPAT_MKNOD_IN_SIZE :
						 sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = entry->d_name.len + 1;
	args.in_args[1].value = (void *)entry->d_name.name;
	return fp_create_new_entry(dir, entry, &args, mode);
}

static int fp_mknod(struct mnt_idmap *idmap, struct inode *dir,
		    struct dentry *entry, umode_t mode, dev_t rdev)
{
	return fp_node_mknod(dir, entry, mode, rdev);
}

/* A regular file made without opening it, as MKNOD: FUSE's way. */
static int fp_create(struct mnt_idmap *idmap, struct inode *dir,
		     struct dentry *entry, umode_t mode)
{
	return fp_node_mknod(dir, entry, mode, 0);
}
COMPAT_DEFINE_CREATE(fp_create)

/*
 * A directory has one dentry: if the daemon names one known elsewhere,
 * that dentry moves here and is the one to use, @entry being unhashed.
 */
static struct dentry *fp_mkdir(struct mnt_idmap *idmap, struct inode *dir,
			       struct dentry *entry, umode_t mode)
{
	struct fp_conn *conn = fp_conn_of(dir);
	struct fuse_mkdir_in in = {};
	struct fp_args args = {};

	if (!(conn->init_flags & FUSE_DONT_MASK))
		mode &= ~current_umask();
	in.mode = mode;
	in.umask = current_umask();
	args.opcode = FUSE_MKDIR;
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = entry->d_name.len + 1;
	args.in_args[1].value = (void *)entry->d_name.name;
	return fp_make_new_entry(dir, entry, &args, S_IFDIR);
}
COMPAT_DEFINE_MKDIR(fp_mkdir)

static int fp_symlink(struct mnt_idmap *idmap, struct inode *dir,
		      struct dentry *entry, const char *link)
{
	struct fp_args args = {};

	args.opcode = FUSE_SYMLINK;
	args.in_numargs = 2;
	args.in_args[0].size = entry->d_name.len + 1;
	args.in_args[0].value = (void *)entry->d_name.name;
	args.in_args[1].size = strlen(link) + 1;
	args.in_args[1].value = (void *)link;
	return fp_create_new_entry(dir, entry, &args, S_IFLNK);
}

static int fp_link(struct dentry *old, struct inode *dir, struct dentry *new)
{
	struct inode *inode = d_inode(old);
	struct fuse_link_in in = {};
	struct fp_args args = {};
	int err;

	/* A backed object has no node the daemon could link. */
	if (!fp_is_node(inode))
		return -EXDEV;
	in.oldnodeid = fp_node_id(inode);
	args.opcode = FUSE_LINK;
	args.in_numargs = 2;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = new->d_name.len + 1;
	args.in_args[1].value = (void *)new->d_name.name;
	err = fp_create_new_entry(dir, new, &args, inode->i_mode);
	/*
	 * The reply's attributes went to the node it names, which need not
	 * be @inode: a daemon may give a hard link a node of its own. Either
	 * way @inode's link count and ctime changed.
	 */
	if (!err || err == -EINTR)
		fp_invalidate_attr(inode);
	if (!err)
		fp_update_ctime(inode);
	return err;
}

static int fp_remove_name(struct inode *dir, struct dentry *entry, u32 opcode)
{
	struct fp_args args = {};
	int err;

	if (fp_is_bad(dir))
		return -EIO;
	args.opcode = opcode;
	args.nodeid = fp_node_id(dir);
	args.in_numargs = 1;
	args.in_args[0].size = entry->d_name.len + 1;
	args.in_args[0].value = (void *)entry->d_name.name;
	err = fp_simple_request(fp_conn_of(dir), &args);
	if (!err) {
		fp_dir_changed(dir);
		fp_entry_unlinked(entry);
	} else if (err == -EINTR || err == -ENOENT) {
		/* Gone already, or maybe gone: ask again next time. */
		fp_invalidate_entry(entry);
	}
	return err;
}

static int fp_unlink(struct inode *dir, struct dentry *entry)
{
	return fp_remove_name(dir, entry, FUSE_UNLINK);
}

static int fp_rmdir(struct inode *dir, struct dentry *entry)
{
	return fp_remove_name(dir, entry, FUSE_RMDIR);
}

static int fp_rename_common(struct inode *olddir, struct dentry *oldent,
			    struct inode *newdir, struct dentry *newent,
			    unsigned int flags, u32 opcode, unsigned int insize)
{
	struct fuse_rename2_in in = {};
	struct fp_args args = {};
	int err;

	in.newdir = fp_node_id(newdir);
	in.flags = flags;
	args.opcode = opcode;
	args.nodeid = fp_node_id(olddir);
	args.in_numargs = 3;
	args.in_args[0].size = insize;
	args.in_args[0].value = &in;
	args.in_args[1].size = oldent->d_name.len + 1;
	args.in_args[1].value = (void *)oldent->d_name.name;
	args.in_args[2].size = newent->d_name.len + 1;
	args.in_args[2].value = (void *)newent->d_name.name;
	err = fp_simple_request(fp_conn_of(olddir), &args);
	if (!err) {
		fp_update_ctime(d_inode(oldent));
		if (flags & RENAME_EXCHANGE)
			fp_update_ctime(d_inode(newent));
		fp_dir_changed(olddir);
		if (olddir != newdir)
			fp_dir_changed(newdir);
		/* A replaced target lost a name. */
		if (!(flags & RENAME_EXCHANGE) && d_really_is_positive(newent))
			fp_entry_unlinked(newent);
	} else if (err == -EINTR || err == -ENOENT) {
		/*
		 * Interrupted, the rename may or may not have happened; the
		 * names are looked up again (unless in use, and then they
		 * may be wrong until they are).
		 */
		fp_invalidate_entry(oldent);
		if (d_really_is_positive(newent))
			fp_invalidate_entry(newent);
	}
	return err;
}

static int fp_rename2(struct mnt_idmap *idmap, struct inode *olddir,
		      struct dentry *oldent, struct inode *newdir,
		      struct dentry *newent, unsigned int flags)
{
	struct fp_conn *conn = fp_conn_of(olddir);
	int err;

	if (fp_is_bad(olddir))
		return -EIO;
	/* Into a backed directory: as across mounts. */
	if (!fp_is_node(newdir))
		return -EXDEV;
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (!flags)
		return fp_rename_common(olddir, oldent, newdir, newent, 0,
					FUSE_RENAME,
					sizeof(struct fuse_rename_in));

	/* RENAME2 is 7.23; a daemon without it cannot honour the flags. */
	if (READ_ONCE(conn->no_rename2) || conn->minor < 23)
		return -EINVAL;
	err = fp_rename_common(olddir, oldent, newdir, newent, flags,
			       FUSE_RENAME2, sizeof(struct fuse_rename2_in));
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_rename2, true);
		err = -EINVAL;
	}
	return err;
}

/* ---- inode operations --------------------------------------------- */

const struct inode_operations fp_dir_iops = {
	.lookup		= fp_node_lookup,
	.create		= COMPAT_CREATE(fp_create),
	.atomic_open	= fp_atomic_open,
	.tmpfile	= fp_tmpfile,
	.mknod		= fp_mknod,
	.mkdir		= COMPAT_MKDIR(fp_mkdir),
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
	/* page_get_link() needs the cached target in lowmem. */
	inode->i_data.a_ops = &fp_symlink_aops;
	inode_nohighmem(inode);
}
