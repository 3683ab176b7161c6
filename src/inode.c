// SPDX-License-Identifier: GPL-2.0
/*
 * inode.c - inodes served by the daemon: the inode cache keyed by node
 * id, attributes and their timeouts, getattr/setattr/permission, and the
 * FORGET owed when an inode goes.
 *
 * Everything in a fuse_attr from the daemon is checked (type, size)
 * before it reaches an inode; a node id whose type or generation changed
 * is a different object, and the old inode is marked bad.
 */
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "fusepass.h"

/* Jiffies until which something valid for sec.nsec may be cached. */
u64 fp_time_to_jiffies(u64 sec, u32 nsec)
{
	struct timespec64 ts;

	if (!sec && !nsec)
		return 0;
	ts.tv_sec = min_t(u64, sec, MAX_SEC_IN_JIFFIES);
	ts.tv_nsec = min_t(u32, nsec, NSEC_PER_SEC - 1);
	return get_jiffies_64() + timespec64_to_jiffies(&ts);
}

/* Is a type the daemon reported one an inode can have? */
static bool fp_valid_type(u32 mode)
{
	return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode) ||
	       S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	       S_ISSOCK(mode);
}

bool fp_invalid_attr(const struct fuse_attr *attr)
{
	return !fp_valid_type(attr->mode) || attr->size > LLONG_MAX;
}

void fp_invalidate_attr_mask(struct inode *inode, u32 mask)
{
	struct fp_inode *fi = fp_inode(inode);

	spin_lock(&fi->lock);
	fi->inval_mask |= mask;
	spin_unlock(&fi->lock);
}

/* Attributes (and ACLs) must be asked for again before use. */
void fp_invalidate_attr(struct inode *inode)
{
	fp_invalidate_attr_mask(inode, STATX_BASIC_STATS);
	if (fp_conn_of(inode)->init_flags & FUSE_POSIX_ACL)
		forget_all_cached_acls(inode);
}

/* After the daemon changed times as a side effect of an operation. */
void fp_invalidate_atime(struct inode *inode)
{
	if (!IS_RDONLY(inode))
		fp_invalidate_attr_mask(inode, STATX_ATIME);
}

/*
 * A node whose type or generation changed is a new object under a reused
 * node id: the old inode only fails from now on. The root's node id is
 * never reused, so such a reply about the root is just broken: the call
 * fails (EIO, by the caller), the root's attributes are asked for again,
 * and the mount stays usable.
 */
void fp_make_bad(struct inode *inode)
{
	struct dentry *root = inode->i_sb->s_root;

	if (root && inode == d_inode(root)) {
		pr_warn_ratelimited("daemon changed the root's type or generation: reply refused\n");
		fp_invalidate_attr(inode);
		return;
	}
	set_bit(FP_I_BAD, &fp_inode(inode)->state);
}

bool fp_is_bad(const struct inode *inode)
{
	return unlikely(test_bit(FP_I_BAD, &fp_inode(inode)->state));
}

static struct timespec64 fp_ts(u64 sec, u32 nsec)
{
	struct timespec64 ts = {
		.tv_sec = (time64_t)min_t(u64, sec, S64_MAX),
		.tv_nsec = min_t(u32, nsec, NSEC_PER_SEC - 1),
	};

	return ts;
}

/*
 * Take what the daemon says about everything but the size. Called with
 * fi->lock held.
 */
static void fp_change_attributes_common(struct inode *inode,
					const struct fuse_attr *attr,
					u64 attr_valid)
{
	struct fp_inode *fi = fp_inode(inode);
	struct fp_conn *conn = fp_conn_of(inode);
	bool wb_reg = (conn->init_flags & FUSE_WRITEBACK_CACHE) &&
		      S_ISREG(inode->i_mode);

	lockdep_assert_held(&fi->lock);
	fi->attr_version = atomic64_inc_return(&conn->attr_version);
	fi->i_time = attr_valid;
	fi->inval_mask = 0;

	inode->i_ino = attr->ino;
	fi->orig_ino = attr->ino;
	inode->i_mode = (inode->i_mode & S_IFMT) | (attr->mode & 07777);
	fi->orig_mode = inode->i_mode;
	set_nlink(inode, attr->nlink);
	inode->i_uid = make_kuid(conn->user_ns, attr->uid);
	inode->i_gid = make_kgid(conn->user_ns, attr->gid);
	inode->i_blocks = attr->blocks;
	inode_set_atime_to_ts(inode, fp_ts(attr->atime, attr->atimensec));
	/* With a writeback cache the kernel keeps mtime/ctime itself. */
	if (!wb_reg) {
		inode_set_mtime_to_ts(inode, fp_ts(attr->mtime, attr->mtimensec));
		inode_set_ctime_to_ts(inode, fp_ts(attr->ctime, attr->ctimensec));
	}
	if (attr->blksize && is_power_of_2(attr->blksize) &&
	    attr->blksize <= PAGE_SIZE)
		inode->i_blkbits = ilog2(attr->blksize);
	else
		inode->i_blkbits = inode->i_sb->s_blocksize_bits;
	/*
	 * Without default_permissions the daemon decides who may delete in
	 * a sticky directory; the VFS must not refuse first. stat() still
	 * shows the bit.
	 */
	if (!(conn->mount_flags & FP_DEFAULT_PERMISSIONS))
		inode->i_mode &= ~S_ISVTX;
}

/*
 * Take new attributes from a reply, unless a newer update overtook it
 * (@attr_version taken before the request was sent) or a size change is
 * in flight. Drops stale cached pages as FUSE's cache rules say.
 */
void fp_change_attributes(struct inode *inode, const struct fuse_attr *attr,
			  u64 attr_valid, u64 attr_version)
{
	struct fp_inode *fi = fp_inode(inode);
	struct fp_conn *conn = fp_conn_of(inode);
	bool wb = conn->init_flags & FUSE_WRITEBACK_CACHE;
	struct timespec64 old_mtime;
	loff_t oldsize;
	bool inval = false;

	spin_lock(&fi->lock);
	if ((attr_version && fi->attr_version > attr_version) ||
	    test_bit(FP_I_SIZE_UNSTABLE, &fi->state)) {
		/* Out of date: just make sure it is asked for again. */
		fi->inval_mask |= STATX_BASIC_STATS;
		spin_unlock(&fi->lock);
		return;
	}
	old_mtime = inode_get_mtime(inode);
	fp_change_attributes_common(inode, attr, attr_valid);

	oldsize = i_size_read(inode);
	/*
	 * With a writeback cache, writes beyond EOF extend the size locally
	 * before the daemon knows: its size may be stale.
	 */
	if (!wb || !S_ISREG(inode->i_mode))
		i_size_write(inode, attr->size);
	spin_unlock(&fi->lock);

	if (!wb && S_ISREG(inode->i_mode)) {
		struct timespec64 new_mtime = fp_ts(attr->mtime, attr->mtimensec);

		if (oldsize != attr->size) {
			truncate_pagecache(inode, attr->size);
			if (!(conn->init_flags & FUSE_EXPLICIT_INVAL_DATA))
				inval = true;
		} else if (conn->init_flags & FUSE_AUTO_INVAL_DATA) {
			/* Someone else changed the file: drop what we read. */
			if (!timespec64_equal(&old_mtime, &new_mtime))
				inval = true;
		}
	}
	if (inval)
		invalidate_inode_pages2(inode->i_mapping);
}

static int fp_node_test(struct inode *inode, void *data)
{
	return fp_inode(inode)->nodeid == *(u64 *)data;
}

static int fp_node_set(struct inode *inode, void *data)
{
	fp_inode(inode)->nodeid = *(u64 *)data;
	return 0;
}

static void fp_init_node_inode(struct inode *inode, const struct fuse_attr *attr)
{
	struct fp_conn *conn = fp_conn_of(inode);

	inode->i_mode = attr->mode & S_IFMT;
	inode->i_size = attr->size;
	/*
	 * Times are the daemon's, or with a writeback cache the kernel's for
	 * regular files: those start from the daemon's and are kept locally
	 * from then on.
	 */
	inode_set_mtime_to_ts(inode, fp_ts(attr->mtime, attr->mtimensec));
	inode_set_ctime_to_ts(inode, fp_ts(attr->ctime, attr->ctimensec));
	inode->i_flags |= S_NOATIME;
	if (!(conn->init_flags & FUSE_WRITEBACK_CACHE) || !S_ISREG(attr->mode))
		inode->i_flags |= S_NOCMTIME;

	switch (attr->mode & S_IFMT) {
	case S_IFREG:
		fp_init_file_inode(inode, attr->flags);
		break;
	case S_IFDIR:
		fp_init_dir_inode(inode);
		break;
	case S_IFLNK:
		fp_init_symlink_inode(inode);
		break;
	default:
		inode->i_op = &fp_special_iops;
		init_special_inode(inode, inode->i_mode,
				   new_decode_dev(attr->rdev));
		break;
	}
}

/*
 * The inode for @nodeid as a reply describes it, counting one more
 * lookup the daemon expects a FORGET for. Returns NULL without memory.
 */
struct inode *fp_iget_node(struct super_block *sb, u64 nodeid, u64 generation,
			   const struct fuse_attr *attr, u64 attr_valid,
			   u64 attr_version)
{
	struct fp_inode *fi;
	struct inode *inode;

retry:
	inode = iget5_locked(sb, (unsigned long)nodeid, fp_node_test,
			     fp_node_set, &nodeid);
	if (!inode)
		return NULL;

	if (inode_state_read_once(inode) & I_NEW) {
		fi = fp_inode(inode);
		fi->forget = fp_forget_alloc();
		if (!fi->forget) {
			iget_failed(inode);
			return NULL;
		}
		inode->i_generation = generation;
		fp_init_node_inode(inode, attr);
		unlock_new_inode(inode);
	} else if (inode_wrong_type(inode, attr->mode) ||
		   inode->i_generation != generation) {
		/* The node id was reused: the old object is gone. */
		fp_make_bad(inode);
		if (inode != d_inode(sb->s_root)) {
			remove_inode_hash(inode);
			iput(inode);
			goto retry;
		}
	}

	fi = fp_inode(inode);
	spin_lock(&fi->lock);
	fi->nlookup++;
	spin_unlock(&fi->lock);
	fp_change_attributes(inode, attr, attr_valid, attr_version);
	return inode;
}

/* Called at eviction of a daemon-served inode. */
void fp_evict_node_inode(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);
	struct fp_conn *conn = fp_conn_of(inode);

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (fi->nlookup && fi->forget) {
		fp_queue_forget(conn, fi->forget, fi->nodeid, fi->nlookup);
		fi->forget = NULL;
	}
	kfree(fi->forget);
	fi->forget = NULL;
}

/* ---- GETATTR ------------------------------------------------------ */

void fp_fill_attr_request(struct fp_args *args, u64 nodeid,
			  struct fuse_getattr_in *in, struct fuse_attr_out *out)
{
	args->opcode = FUSE_GETATTR;
	args->nodeid = nodeid;
	args->in_numargs = 1;
	args->in_args[0].size = sizeof(*in);
	args->in_args[0].value = in;
	args->out_numargs = 1;
	args->out_args[0].size = sizeof(*out);
	args->out_args[0].value = out;
}

/* Ask the daemon for the attributes of @inode (through @file if open). */
int fp_do_getattr_node(struct inode *inode, struct file *file)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct fuse_getattr_in in = {};
	struct fuse_attr_out out = {};
	struct fp_args args = {};
	u64 attr_version;
	int err;

	/* Cached ACLs are as old as the attributes they came with. */
	forget_all_cached_acls(inode);
	attr_version = atomic64_read(&conn->attr_version);
	if (file && S_ISREG(inode->i_mode)) {
		struct fp_file *ff = file->private_data;

		in.getattr_flags |= FUSE_GETATTR_FH;
		in.fh = ff->fh;
	}
	fp_fill_attr_request(&args, fp_node_id(inode), &in, &out);
	err = fp_simple_request(conn, &args);
	if (err)
		return err;
	if (fp_invalid_attr(&out.attr) ||
	    inode_wrong_type(inode, out.attr.mode)) {
		fp_make_bad(inode);
		return -EIO;
	}
	fp_change_attributes(inode, &out.attr,
			     fp_time_to_jiffies(out.attr_valid,
						out.attr_valid_nsec),
			     attr_version);
	return 0;
}

/* Refresh the attributes in @mask if the cached ones may not be used. */
int fp_update_attributes(struct inode *inode, struct file *file, u32 mask,
			 unsigned int flags)
{
	struct fp_inode *fi = fp_inode(inode);
	bool sync;

	if (fp_is_bad(inode))
		return -EIO;
	if (flags & AT_STATX_FORCE_SYNC)
		sync = true;
	else if (flags & AT_STATX_DONT_SYNC)
		sync = false;
	else
		sync = (READ_ONCE(fi->inval_mask) & mask) ||
		       time_before64(READ_ONCE(fi->i_time), get_jiffies_64());
	return sync ? fp_do_getattr_node(inode, file) : 0;
}

int fp_node_getattr(struct mnt_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct fp_inode *fi = fp_inode(inode);
	int err;

	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	err = fp_update_attributes(inode, NULL, request_mask | STATX_BASIC_STATS,
				   flags);
	if (err)
		return err;
	generic_fillattr(&nop_mnt_idmap, request_mask, inode, stat);
	stat->ino = fi->orig_ino;
	stat->mode = fi->orig_mode;
	stat->blksize = 1 << inode->i_blkbits;
	return 0;
}

/* ---- permission --------------------------------------------------- */

static int fp_access(struct inode *inode, int mask)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct fuse_access_in in = {};
	struct fp_args args = {};
	int err;

	if (conn->no_access)
		return 0;
	in.mask = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
	args.opcode = FUSE_ACCESS;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS) {
		conn->no_access = true;
		err = 0;
	}
	return err;
}

/*
 * With default_permissions the kernel checks the mode bits (from fresh
 * attributes); otherwise the daemon decides, asked only for access(2)
 * and chdir, as FUSE does, plus the exec-bit check of regular files.
 */
int fp_node_permission(struct mnt_idmap *idmap, struct inode *inode, int mask)
{
	struct fp_conn *conn = fp_conn_of(inode);
	struct fp_inode *fi = fp_inode(inode);
	bool refreshed = false;
	int err = 0;

	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	if (fp_is_bad(inode))
		return -EIO;

	if ((conn->mount_flags & FP_DEFAULT_PERMISSIONS) ||
	    ((mask & MAY_EXEC) && S_ISREG(inode->i_mode))) {
		u32 perm = STATX_MODE | STATX_UID | STATX_GID;

		if ((READ_ONCE(fi->inval_mask) & perm) ||
		    time_before64(READ_ONCE(fi->i_time), get_jiffies_64())) {
			if (mask & MAY_NOT_BLOCK)
				return -ECHILD;
			err = fp_do_getattr_node(inode, NULL);
			if (err)
				return err;
			refreshed = true;
		}
	}

	if (conn->mount_flags & FP_DEFAULT_PERMISSIONS) {
		err = generic_permission(&nop_mnt_idmap, inode, mask);
		/* The root starts with made-up attributes: look once more. */
		if (err == -EACCES && !refreshed) {
			if (mask & MAY_NOT_BLOCK)
				return -ECHILD;
			err = fp_do_getattr_node(inode, NULL);
			if (!err)
				err = generic_permission(&nop_mnt_idmap, inode,
							 mask);
		}
	} else if (mask & (MAY_ACCESS | MAY_CHDIR)) {
		if (mask & MAY_NOT_BLOCK)
			return -ECHILD;
		err = fp_access(inode, mask);
	} else if ((mask & MAY_EXEC) && S_ISREG(inode->i_mode)) {
		if (!(inode->i_mode & 0111)) {
			if (refreshed)
				return -EACCES;
			if (mask & MAY_NOT_BLOCK)
				return -ECHILD;
			err = fp_do_getattr_node(inode, NULL);
			if (!err && !(inode->i_mode & 0111))
				err = -EACCES;
		}
	}
	return err;
}

/* ---- SETATTR ------------------------------------------------------ */

void fp_iattr_to_fattr(struct fp_conn *conn, const struct iattr *iattr,
		       struct fuse_setattr_in *arg, bool trust_local_cmtime)
{
	unsigned int ivalid = iattr->ia_valid;

	if (ivalid & ATTR_MODE) {
		arg->valid |= FATTR_MODE;
		arg->mode = iattr->ia_mode;
	}
	if (ivalid & ATTR_UID) {
		arg->valid |= FATTR_UID;
		arg->uid = from_kuid(conn->user_ns, fp_iattr_uid(iattr));
	}
	if (ivalid & ATTR_GID) {
		arg->valid |= FATTR_GID;
		arg->gid = from_kgid(conn->user_ns, fp_iattr_gid(iattr));
	}
	if (ivalid & ATTR_SIZE) {
		arg->valid |= FATTR_SIZE;
		arg->size = iattr->ia_size;
	}
	if (ivalid & ATTR_ATIME) {
		arg->valid |= FATTR_ATIME;
		arg->atime = iattr->ia_atime.tv_sec;
		arg->atimensec = iattr->ia_atime.tv_nsec;
		if (!(ivalid & ATTR_ATIME_SET))
			arg->valid |= FATTR_ATIME_NOW;
	}
	/*
	 * A truncation through an open file (O_TRUNC, ftruncate) leaves the
	 * times to the daemon; any other mtime change is sent, "now" as
	 * FATTR_MTIME_NOW unless the kernel's time is the official one.
	 */
	if ((ivalid & ATTR_MTIME) && (trust_local_cmtime ||
				      (ivalid & ATTR_MTIME_SET) ||
				      !((ivalid & ATTR_SIZE) &&
					(ivalid & (ATTR_OPEN | ATTR_FILE))))) {
		arg->valid |= FATTR_MTIME;
		arg->mtime = iattr->ia_mtime.tv_sec;
		arg->mtimensec = iattr->ia_mtime.tv_nsec;
		if (!(ivalid & ATTR_MTIME_SET) && !trust_local_cmtime)
			arg->valid |= FATTR_MTIME_NOW;
	}
	if ((ivalid & ATTR_CTIME) && trust_local_cmtime) {
		arg->valid |= FATTR_CTIME;
		arg->ctime = iattr->ia_ctime.tv_sec;
		arg->ctimensec = iattr->ia_ctime.tv_nsec;
	}
}

static int fp_do_setattr(struct dentry *dentry, struct iattr *attr,
			 struct file *file)
{
	struct inode *inode = d_inode(dentry);
	struct fp_inode *fi = fp_inode(inode);
	struct fp_conn *conn = fp_conn_of(inode);
	bool wb = (conn->init_flags & FUSE_WRITEBACK_CACHE) &&
		  S_ISREG(inode->i_mode);
	bool is_truncate = false;
	bool trust_local_cmtime = wb;
	struct fuse_setattr_in in = {};
	struct fuse_attr_out out = {};
	struct fp_args args = {};
	loff_t oldsize;
	int err;

	if (!(conn->mount_flags & FP_DEFAULT_PERMISSIONS))
		attr->ia_valid |= ATTR_FORCE;
	err = setattr_prepare(&nop_mnt_idmap, dentry, attr);
	if (err)
		return err;

	if (attr->ia_valid & ATTR_OPEN) {
		/* open(O_TRUNC): the daemon truncated in OPEN if it can. */
		if (conn->init_flags & FUSE_ATOMIC_O_TRUNC) {
			i_size_write(inode, 0);
			truncate_pagecache(inode, 0);
			return 0;
		}
		file = NULL;
	}

	/* Dirty data first, so the daemon's view includes it. */
	if (wb && (attr->ia_valid & (ATTR_MODE | ATTR_UID | ATTR_GID |
				     ATTR_MTIME_SET | ATTR_TIMES_SET))) {
		err = write_inode_now(inode, true);
		if (err)
			return err;
		fp_io_set_nowrite(inode);
		fp_io_release_nowrite(inode);
	}

	if (attr->ia_valid & ATTR_SIZE) {
		if (WARN_ON(!S_ISREG(inode->i_mode)))
			return -EIO;
		is_truncate = true;
	}
	if (is_truncate) {
		fp_io_set_nowrite(inode);
		set_bit(FP_I_SIZE_UNSTABLE, &fi->state);
		if (trust_local_cmtime && attr->ia_size != inode->i_size)
			attr->ia_valid |= ATTR_MTIME | ATTR_CTIME;
	}

	fp_iattr_to_fattr(conn, attr, &in, trust_local_cmtime);
	if (file) {
		struct fp_file *ff = file->private_data;

		in.valid |= FATTR_FH;
		in.fh = ff->fh;
	}
	if (attr->ia_valid & ATTR_SIZE) {
		in.valid |= FATTR_LOCKOWNER;
		in.lock_owner = fp_lock_owner_id(conn, current->files);
		if ((conn->init_flags & FUSE_HANDLE_KILLPRIV_V2) &&
		    !capable(CAP_FSETID))
			in.valid |= FATTR_KILL_SUIDGID;
	}

	args.opcode = FUSE_SETATTR;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (err) {
		if (err == -EINTR)
			fp_invalidate_attr(inode);
		goto out;
	}
	if (fp_invalid_attr(&out.attr) ||
	    inode_wrong_type(inode, out.attr.mode)) {
		fp_make_bad(inode);
		err = -EIO;
		goto out;
	}

	spin_lock(&fi->lock);
	if (trust_local_cmtime) {
		if (attr->ia_valid & ATTR_MTIME)
			inode_set_mtime_to_ts(inode, attr->ia_mtime);
		if (attr->ia_valid & ATTR_CTIME)
			inode_set_ctime_to_ts(inode, attr->ia_ctime);
	}
	fp_change_attributes_common(inode, &out.attr,
				    fp_time_to_jiffies(out.attr_valid,
						       out.attr_valid_nsec));
	oldsize = inode->i_size;
	if (!wb || is_truncate)
		i_size_write(inode, out.attr.size);
	spin_unlock(&fi->lock);

	if (is_truncate)
		fp_io_release_nowrite(inode);
	if ((is_truncate || !wb) && S_ISREG(inode->i_mode) &&
	    oldsize != out.attr.size) {
		truncate_pagecache(inode, out.attr.size);
		invalidate_inode_pages2(inode->i_mapping);
	}
	clear_bit(FP_I_SIZE_UNSTABLE, &fi->state);
	return 0;

out:
	if (is_truncate) {
		fp_io_release_nowrite(inode);
		clear_bit(FP_I_SIZE_UNSTABLE, &fi->state);
	}
	return err;
}

int fp_node_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct fp_conn *conn = fp_conn_of(inode);
	struct file *file = (attr->ia_valid & ATTR_FILE) ? attr->ia_file : NULL;
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	if (!fp_allow_current(inode->i_sb))
		return -EACCES;

	if (attr->ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID)) {
		attr->ia_valid &= ~(ATTR_KILL_SUID | ATTR_KILL_SGID | ATTR_MODE);
		/*
		 * Killing privileges reliably is the daemon's job if it
		 * said so; otherwise do it from fresh attributes.
		 */
		if (!(conn->init_flags & (FUSE_HANDLE_KILLPRIV |
					  FUSE_HANDLE_KILLPRIV_V2))) {
			err = fp_do_getattr_node(inode, file);
			if (err)
				return err;
			attr->ia_mode = inode->i_mode;
			if (inode->i_mode & S_ISUID) {
				attr->ia_valid |= ATTR_MODE;
				attr->ia_mode &= ~S_ISUID;
			}
			if ((inode->i_mode & (S_ISGID | 0010)) == (S_ISGID | 0010)) {
				attr->ia_valid |= ATTR_MODE;
				attr->ia_mode &= ~S_ISGID;
			}
		}
	}
	if (!attr->ia_valid)
		return 0;

	err = fp_do_setattr(dentry, attr, file);
	if (!err) {
		if (conn->init_flags & FUSE_POSIX_ACL)
			forget_all_cached_acls(inode);
		/* Search permission of a directory changed: names may not stay. */
		if (d_is_dir(dentry) && (attr->ia_valid & ATTR_MODE))
			fp_invalidate_entry_cache(dentry);
	}
	return err;
}

const struct inode_operations fp_special_iops = {
	.permission	= fp_node_permission,
	.getattr	= fp_node_getattr,
	.setattr	= fp_node_setattr,
	.listxattr	= fp_node_listxattr,
	FP_NODE_ACL_IOPS,
};
