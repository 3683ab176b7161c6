// SPDX-License-Identifier: GPL-2.0
/*
 * backed_dir.c - backed dentries and the namespace operations of backed
 * directories.
 *
 * Each fusepass dentry records the backing dentry it stands for
 * (struct fp_dentry). Lookups go to the backing directory; changes made
 * directly in the backing tree are noticed by revalidation, which checks
 * that the backing dentry is still hashed under the same name and parent
 * and still refers to the same inode. Namespace changes lock the backing
 * parent, look the name up again under that lock, and act on the result.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "fusepass.h"

/* Fill @fpd with new references to @backing and @lookup. */
void fp_dentry_set(struct fp_dentry *fpd, const struct path *backing,
		   struct dentry *lookup)
{
	fpd->backing = *backing;
	path_get(&fpd->backing);
	fpd->lookup = dget(lookup);
}

void fp_dentry_put(struct fp_dentry *fpd)
{
	path_put(&fpd->backing);
	dput(fpd->lookup);
}

/*
 * Point a dentry of ours at a new backing dentry (after it was created,
 * or when the backing filesystem replaced its dentry). The caller holds
 * our parent directory locked; RCU walkers read only ->lookup, and the
 * old dentries stay valid for them until a grace period has passed.
 */
static void fp_dentry_update(struct dentry *dentry, struct vfsmount *mnt,
			     struct dentry *backing)
{
	struct fp_dentry *fpd = fp_dentry(dentry);
	struct fp_dentry old = *fpd;

	if (fpd->backing.dentry == backing && fpd->lookup == backing &&
	    fpd->backing.mnt == mnt)
		return;
	fpd->backing.mnt = mntget(mnt);
	fpd->backing.dentry = dget(backing);
	WRITE_ONCE(fpd->lookup, dget(backing));
	fp_dentry_put(&old);
}

/* Did the lookup of @dentry cross a mount on the backing side? */
static bool fp_dentry_crossed(const struct fp_dentry *fpd,
			      const struct fp_dentry *parent)
{
	return fpd->backing.mnt != parent->backing.mnt;
}

static bool fp_name_matches(const struct dentry *dentry,
			    const struct dentry *backing)
{
	const struct qstr *a = &dentry->d_name;
	const struct qstr *b = &backing->d_name;
	unsigned int len = READ_ONCE(b->len);

	return len == a->len && !memcmp(READ_ONCE(b->name), a->name, len);
}

/*
 * Is @dentry still what the backing tree says? In RCU walk, names are
 * compared without locks: a concurrent rename on either side can make
 * the answer wrong only towards "stale", which sends the walk to the
 * locked path.
 */
static bool fp_dentry_current(struct dentry *dentry,
			      const struct fp_dentry *fpd,
			      const struct fp_dentry *parent)
{
	struct dentry *lookup = READ_ONCE(fpd->lookup);
	struct inode *inode = d_inode_rcu(dentry);
	bool crossed;

	if (d_unhashed(lookup))
		return false;
	if (READ_ONCE(lookup->d_parent) != parent->backing.dentry)
		return false;
	if (!fp_name_matches(dentry, lookup))
		return false;

	if (!inode)
		return d_is_negative(lookup);

	crossed = fp_dentry_crossed(fpd, parent);
	if (crossed)
		/* Still mounted there, and nothing mounted on top since. */
		return d_mountpoint(lookup) &&
		       !d_mountpoint(fpd->backing.dentry);
	if (d_mountpoint(lookup))
		return false;	/* mounted after we looked: look again */
	return d_inode_rcu(lookup) == fp_backing_inode(inode);
}

int fp_backed_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct fp_dentry *fpd = fp_dentry(dentry);
	struct dentry *parent, *lookup;
	int ret;

	if (!fpd)
		return 0;

	if (flags & LOOKUP_RCU) {
		parent = READ_ONCE(dentry->d_parent);
		if (!parent->d_fsdata)
			return -ECHILD;
		if (!fp_dentry_current(dentry, fpd, fp_dentry(parent)))
			return -ECHILD;
		lookup = READ_ONCE(fpd->lookup);
		/* A backing filesystem with its own revalidation may sleep. */
		if (lookup->d_flags & DCACHE_OP_REVALIDATE)
			return -ECHILD;
		return 1;
	}

	parent = dget_parent(dentry);
	spin_lock(&dentry->d_lock);
	ret = parent->d_fsdata && fp_dentry_current(dentry, fpd,
						    fp_dentry(parent));
	spin_unlock(&dentry->d_lock);
	dput(parent);
	if (!ret)
		return 0;

	lookup = fpd->lookup;
	if (lookup->d_flags & DCACHE_OP_REVALIDATE) {
		ret = fp_do_revalidate(lookup, flags);
		if (ret == 0)
			d_invalidate(lookup);
		if (ret <= 0)
			return ret;
	}
	return 1;
}

/* ------------------------------------------------------------------ */

/*
 * The daemon's answer to a LOOKUP post-filter that named an entry: the
 * name becomes its node (REMOVE_BACKING) or is backed by another object.
 */
static struct dentry *fp_backed_lookup_replaced(struct inode *dir,
						struct dentry *dentry,
						struct fuse_entry_out *out,
						struct fp_ext *ext)
{
	struct fp_dentry *fpd = fp_dentry(dentry);
	struct inode *inode;

	if (ext->fb) {
		inode = fp_ext_iget(dir->i_sb, ext, out->nodeid, ext->forget);
		if (!IS_ERR(inode))
			fp_ext_set_dentry(dentry, ext, out);
		fp_ext_done(ext);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
		return d_splice_alias(inode, dentry);
	}

	inode = fp_iget_node(dir->i_sb, out->nodeid, out->generation,
			     &out->attr, fp_entry_attr_timeout(out), 0);
	if (!inode) {
		fp_queue_forget(fp_sb(dir->i_sb)->conn, ext->forget,
				out->nodeid, 1);
		return ERR_PTR(-ENOMEM);
	}
	kfree(ext->forget);
	/* A daemon name now: no backing, an entry timeout. */
	fp_dentry_put(fpd);
	fpd->backing.mnt = NULL;
	fpd->backing.dentry = NULL;
	WRITE_ONCE(fpd->lookup, NULL);
	fp_change_entry_timeout(dentry, out);
	return d_splice_alias(inode, dentry);
}

static struct dentry *fp_backed_lookup(struct inode *dir, struct dentry *dentry,
				unsigned int flags)
{
	struct fp_dentry *fpd = fp_dentry(dentry);
	struct inode *inode = NULL;
	struct fuse_entry_out out;
	struct fp_ext ext;
	int err;

	err = fp_filter_pre(dir, dentry, FUSE_LOOKUP, NULL);
	if (err)
		return ERR_PTR(err);
	/* d_fsdata comes zeroed from d_init; fill it in. */
	err = fp_do_lookup(dir->i_sb, fp_backing_path(dentry->d_parent),
			   &dentry->d_name, fpd);
	if (err)
		return ERR_PTR(fp_filter_post(dir, dentry, FUSE_LOOKUP, err,
					      NULL));
	fp_count_backed(dir->i_sb);

	if (fp_filtered(dir, FUSE_LOOKUP, true)) {
		err = fp_filter_lookup_post(dir, dentry,
				d_really_is_positive(fpd->backing.dentry) ?
				0 : -ENOENT, &out, &ext);
		if (err < 0)
			return ERR_PTR(err);
		if (err == 0)
			return fp_backed_lookup_replaced(dir, dentry, &out,
							 &ext);
	}

	if (d_really_is_positive(fpd->backing.dentry)) {
		inode = fp_backed_iget(dir->i_sb, &fpd->backing);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
		fp_ext_inherit(inode, dir);
	}
	return d_splice_alias(inode, dentry);
}

/* The backing side of a name in a directory of ours, locked for change. */
struct fp_change {
	struct path parent;		/* backing parent (not held) */
	struct dentry *backing;		/* looked up under the lock; held */
};

static int fp_change_begin(struct dentry *dentry, struct fp_change *chg,
			   bool remove)
{
	int err;

	chg->parent = *fp_backing_path(dentry->d_parent);
	err = mnt_want_write(chg->parent.mnt);
	if (err)
		return err;
	if (remove)
		chg->backing = fp_do_start_removing(&chg->parent,
						    &dentry->d_name);
	else
		chg->backing = fp_do_start_creating(&chg->parent,
						    &dentry->d_name);
	if (IS_ERR(chg->backing)) {
		mnt_drop_write(chg->parent.mnt);
		return PTR_ERR(chg->backing);
	}
	return 0;
}

/* chg->backing may be an error by now (a failed mkdir dropped it). */
static void fp_change_end(struct fp_change *chg)
{
	fp_do_end_change(chg->backing);
	mnt_drop_write(chg->parent.mnt);
}

/*
 * Check that the backing name still refers to what our dentry does. A
 * mismatch means the backing tree changed under a dentry we have not
 * revalidated yet: -ESTALE makes the VFS look the path up again.
 */
static int fp_change_check(struct dentry *dentry, struct fp_change *chg)
{
	struct fp_dentry *fpd = fp_dentry(dentry);
	struct inode *inode = d_inode(dentry);

	if (!inode)
		return d_is_positive(chg->backing) ? -ESTALE : 0;
	/* The daemon's name (REMOVE_BACKING), not the backing tree's. */
	if (fp_is_node(inode))
		return -EXDEV;
	/* Our name is a mount point on the backing side. */
	if (fp_dentry_crossed(fpd, fp_dentry(dentry->d_parent)))
		return -EBUSY;
	if (d_inode(chg->backing) != fp_backing_inode(inode))
		return -ESTALE;
	return 0;
}

/* Attach the object just created at chg->backing to our @dentry. */
static int fp_change_instantiate(struct dentry *dentry, struct fp_change *chg)
{
	struct inode *inode;
	struct path path;

	/* Some filesystems leave the new dentry unhashed; ask again. */
	if (d_unhashed(chg->backing) || d_is_negative(chg->backing)) {
		struct dentry *again;

		again = fp_do_lookup_locked(chg->parent.dentry, &dentry->d_name);
		if (IS_ERR(again))
			return PTR_ERR(again);
		dput(chg->backing);
		chg->backing = again;
		if (d_is_negative(again))
			return -ENOENT;
	}

	path.mnt = chg->parent.mnt;
	path.dentry = chg->backing;
	inode = fp_backed_iget(dentry->d_sb, &path);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	fp_ext_inherit(inode, d_inode(dentry->d_parent));
	fp_dentry_update(dentry, chg->parent.mnt, chg->backing);
	d_instantiate(dentry, inode);
	return 0;
}

enum fp_create_kind { FP_CREATE, FP_MKDIR, FP_MKNOD, FP_SYMLINK, FP_LINK };

struct fp_create_args {
	enum fp_create_kind kind;
	umode_t mode;
	dev_t rdev;
	const char *target;		/* FP_SYMLINK */
	const struct path *old;		/* FP_LINK */
};

/* The filter opcode of each kind, and what its request carries. */
static u32 fp_create_filter(struct inode *dir, const struct fp_create_args *args,
			    struct fp_filter_arg *extra, void *in)
{
	static const u32 opcodes[] = {
		[FP_CREATE] = FUSE_CREATE, [FP_MKDIR] = FUSE_MKDIR,
		[FP_MKNOD] = FUSE_MKNOD, [FP_SYMLINK] = FUSE_SYMLINK,
		[FP_LINK] = FUSE_LINK,
	};
	union {
		struct fuse_create_in create;
		struct fuse_mkdir_in mkdir;
		struct fuse_mknod_in mknod;
	} *u = in;
	/* As FUSE sends it: the umask applied (the mount has POSIX ACLs). */
	umode_t mode = args->mode & ~current_umask();

	memset(extra, 0, sizeof(*extra));
	memset(u, 0, sizeof(*u));
	switch (args->kind) {
	case FP_CREATE:
		/* ->create is not told the open flags: the OPEN filter is. */
		u->create.mode = mode;
		u->create.umask = current_umask();
		extra->size = sizeof(u->create);
		break;
	case FP_MKDIR:
		u->mkdir.mode = mode;
		u->mkdir.umask = current_umask();
		extra->size = sizeof(u->mkdir);
		break;
	case FP_MKNOD:
		u->mknod.mode = mode;
		u->mknod.rdev = new_encode_dev(args->rdev);
		u->mknod.umask = current_umask();
		extra->size = sizeof(u->mknod);
		break;
	case FP_SYMLINK:
		extra->size = strlen(args->target) + 1;
		extra->value = args->target;
		return opcodes[args->kind];
	case FP_LINK:
		break;
	}
	extra->value = u;
	return opcodes[args->kind];
}

static int fp_create_object(struct inode *dir, struct dentry *dentry,
			    const struct fp_create_args *args)
{
	union {
		struct fuse_create_in create;
		struct fuse_mkdir_in mkdir;
		struct fuse_mknod_in mknod;
	} in;
	struct fp_filter_arg extra;
	struct fp_change chg;
	u32 opcode;
	int err;

	opcode = fp_create_filter(dir, args, &extra, &in);
	err = fp_filter_pre(dir, dentry, opcode, &extra);
	if (err)
		return err;
	fp_count_backed(dir->i_sb);
	err = fp_change_begin(dentry, &chg, false);
	if (err)
		return fp_filter_post(dir, dentry, opcode, err, &extra);

	if (d_is_positive(chg.backing)) {
		err = -EEXIST;
		goto out;
	}

	switch (args->kind) {
	case FP_CREATE:
		err = fp_do_create(&chg.parent, chg.backing, args->mode);
		break;
	case FP_MKDIR:
		chg.backing = fp_do_mkdir(&chg.parent, chg.backing,
					  args->mode);
		err = PTR_ERR_OR_ZERO(chg.backing);
		break;
	case FP_MKNOD:
		err = fp_do_mknod(&chg.parent, chg.backing, args->mode,
				  args->rdev);
		break;
	case FP_SYMLINK:
		err = fp_do_symlink(&chg.parent, chg.backing, args->target);
		break;
	case FP_LINK:
		err = fp_do_link(args->old, &chg.parent, chg.backing);
		break;
	}
	if (!err)
		err = fp_change_instantiate(dentry, &chg);
out:
	fp_change_end(&chg);
	fp_backed_copy_attr(dir);
	return fp_filter_post(dir, dentry, opcode, err, &extra);
}

static int fp_backed_create(struct mnt_idmap *idmap, struct inode *dir,
		     struct dentry *dentry, umode_t mode)
{
	struct fp_create_args args = { .kind = FP_CREATE, .mode = mode };

	return fp_create_object(dir, dentry, &args);
}
COMPAT_DEFINE_CREATE(fp_backed_create)

/* The new directory is always at @dentry. */
static struct dentry *fp_backed_mkdir(struct mnt_idmap *idmap,
				      struct inode *dir, struct dentry *dentry,
				      umode_t mode)
{
	struct fp_create_args args = { .kind = FP_MKDIR, .mode = mode };

	return ERR_PTR(fp_create_object(dir, dentry, &args));
}
COMPAT_DEFINE_MKDIR(fp_backed_mkdir)

static int fp_backed_mknod(struct mnt_idmap *idmap, struct inode *dir,
		    struct dentry *dentry, umode_t mode, dev_t rdev)
{
	struct fp_create_args args = {
		.kind = FP_MKNOD, .mode = mode, .rdev = rdev,
	};

	return fp_create_object(dir, dentry, &args);
}

static int fp_backed_symlink(struct mnt_idmap *idmap, struct inode *dir,
		      struct dentry *dentry, const char *target)
{
	struct fp_create_args args = { .kind = FP_SYMLINK, .target = target };

	return fp_create_object(dir, dentry, &args);
}

static int fp_backed_link(struct dentry *old_dentry, struct inode *dir,
		   struct dentry *new_dentry)
{
	struct fp_create_args args = {
		.kind = FP_LINK, .old = fp_backing_path(old_dentry),
	};
	int err;

	/* As across bind mounts: no hard link from one mount to another. */
	if (args.old->mnt != fp_backing_path(new_dentry->d_parent)->mnt)
		return -EXDEV;
	err = fp_create_object(dir, new_dentry, &args);
	fp_backed_copy_attr(d_inode(old_dentry));
	return err;
}

static int fp_backed_remove(struct inode *dir, struct dentry *dentry, bool is_dir)
{
	u32 opcode = is_dir ? FUSE_RMDIR : FUSE_UNLINK;
	struct fp_change chg;
	int err;

	err = fp_filter_pre(dir, dentry, opcode, NULL);
	if (err)
		return err;
	fp_count_backed(dir->i_sb);
	err = fp_change_begin(dentry, &chg, true);
	if (err)
		return fp_filter_post(dir, dentry, opcode, err, NULL);
	err = fp_change_check(dentry, &chg);
	if (err == -EXDEV)
		err = -EPERM;
	if (!err) {
		if (is_dir)
			err = fp_do_rmdir(&chg.parent, chg.backing);
		else
			err = fp_do_unlink(&chg.parent, chg.backing);
	}
	fp_change_end(&chg);
	if (!fp_is_node(d_inode(dentry)))
		fp_backed_copy_attr(d_inode(dentry));
	fp_backed_copy_attr(dir);
	return fp_filter_post(dir, dentry, opcode, err, NULL);
}

static int fp_backed_unlink(struct inode *dir, struct dentry *dentry)
{
	return fp_backed_remove(dir, dentry, false);
}

static int fp_backed_rmdir(struct inode *dir, struct dentry *dentry)
{
	return fp_backed_remove(dir, dentry, true);
}

static int fp_backed_rename(struct mnt_idmap *idmap, struct inode *old_dir,
		     struct dentry *old_dentry, struct inode *new_dir,
		     struct dentry *new_dentry, unsigned int flags)
{
	const struct path *old_parent = fp_backing_path(old_dentry->d_parent);
	const struct path *new_parent = fp_backing_path(new_dentry->d_parent);
	struct fp_change old_chg = { .parent = *old_parent };
	struct fp_change new_chg = { .parent = *new_parent };
	struct fuse_rename2_in in = { .flags = flags };
	struct fp_filter_arg extra = {
		.value = &in, .size = sizeof(in),
		.name2 = new_dentry->d_name.name, .newdir = &in.newdir,
		.newparent = new_dentry->d_parent,
	};
	struct renamedata rd;
	int err;

	if (old_parent->mnt != new_parent->mnt)
		return -EXDEV;
	err = fp_filter_pre(old_dir, old_dentry, FUSE_RENAME2, &extra);
	if (err)
		return err;
	fp_count_backed(old_dir->i_sb);

	err = mnt_want_write(old_parent->mnt);
	if (err)
		goto out;
	/* Also makes the loop checks the VFS made on our side. */
	err = fp_do_start_renaming(&rd, old_parent, &old_dentry->d_name,
				   new_parent, &new_dentry->d_name, flags);
	if (err)
		goto out_drop_write;
	old_chg.backing = rd.old_dentry;
	new_chg.backing = rd.new_dentry;

	err = fp_change_check(old_dentry, &old_chg);
	if (!err)
		err = fp_change_check(new_dentry, &new_chg);
	if (!err)
		err = fp_do_rename(&rd, old_parent);
	if (!err) {
		/* The backing dentries moved with the names; follow them. */
		fp_dentry_update(old_dentry, old_parent->mnt, old_chg.backing);
		if (flags & RENAME_EXCHANGE)
			fp_dentry_update(new_dentry, new_parent->mnt,
					 new_chg.backing);
	}
	fp_do_end_renaming(&rd);

out_drop_write:
	mnt_drop_write(old_parent->mnt);
	if (!fp_is_node(d_inode(old_dentry)))
		fp_backed_copy_attr(d_inode(old_dentry));
	if (d_really_is_positive(new_dentry) && !fp_is_node(d_inode(new_dentry)))
		fp_backed_copy_attr(d_inode(new_dentry));
	fp_backed_copy_attr(old_dir);
	if (new_dir != old_dir)
		fp_backed_copy_attr(new_dir);
out:
	return fp_filter_post(old_dir, old_dentry, FUSE_RENAME2, err, &extra);
}

/* finish_open() callback: the backing file is already attached. */
static int fp_backed_tmpfile_opened(struct inode *inode, struct file *file)
{
	return 0;
}

static int fp_backed_tmpfile(struct mnt_idmap *idmap, struct inode *dir,
		      struct file *file, umode_t mode)
{
	struct dentry *dentry = file->f_path.dentry;
	struct file *backing;
	struct inode *inode;

	backing = fp_do_tmpfile_open(fp_backing_path(dentry->d_parent), mode,
				     file->f_flags);
	if (IS_ERR(backing))
		return PTR_ERR(backing);

	inode = fp_backed_iget(dir->i_sb, &backing->f_path);
	if (IS_ERR(inode)) {
		fput(backing);
		return PTR_ERR(inode);
	}
	fp_ext_inherit(inode, dir);
	fp_dentry_set(fp_dentry(dentry), &backing->f_path,
		      backing->f_path.dentry);

	/* d_tmpfile() drops the link a new inode is born with. */
	set_nlink(inode, 1);
	d_tmpfile(file, inode);
	fp_backed_file_attach(file, backing);
	return finish_open(file, dentry, fp_backed_tmpfile_opened);
}

const struct inode_operations fp_backed_dir_iops = {
	.lookup		= fp_backed_lookup,
	.create		= COMPAT_CREATE(fp_backed_create),
	.mkdir		= COMPAT_MKDIR(fp_backed_mkdir),
	.mknod		= fp_backed_mknod,
	.symlink	= fp_backed_symlink,
	.link		= fp_backed_link,
	.unlink		= fp_backed_unlink,
	.rmdir		= fp_backed_rmdir,
	.rename		= fp_backed_rename,
	.tmpfile	= fp_backed_tmpfile,
	.permission	= fp_backed_permission,
	.getattr	= fp_backed_getattr,
	.setattr	= fp_backed_setattr,
	.listxattr	= fp_backed_listxattr,
	.fileattr_get	= fp_backed_fileattr_get,
	.fileattr_set	= fp_backed_fileattr_set,
	FP_ACL_IOPS,
};
