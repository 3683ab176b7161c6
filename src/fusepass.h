/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fusepass.h - private data structures and prototypes, grouped by the
 * file that defines them.
 */
#ifndef FUSEPASS_H
#define FUSEPASS_H

#include <linux/fs.h>
#include <linux/path.h>
#include <linux/rcupdate.h>
#include <uapi/linux/fusepass.h>

/* ------------------------------------------------------------------ */
/* Data structures                                                     */
/* ------------------------------------------------------------------ */

/* Mount flags kept in fp_sb->flags. */
#define FP_NO_DAEMON		(1U << 0)
#define FP_ALLOW_OTHER		(1U << 1)
#define FP_DEFAULT_PERMISSIONS	(1U << 2)
/* user_id= was given: only that user may use the mount (unless allow_other). */
#define FP_RESTRICT_USER	(1U << 3)

/* Options collected while parsing a mount; owned by the fs_context. */
struct fp_mount_opts {
	struct path root_dir;		/* held while set */
	bool root_dir_set;
	bool fd_set;
	bool rootmode_set;
	bool user_id_set;
	bool group_id_set;
	unsigned int flags;		/* FP_* */
	unsigned int fd;
	umode_t rootmode;
	kuid_t user_id;
	kgid_t group_id;
};

/* One per superblock. */
struct fp_sb {
	struct path backing_root;	/* the root_dir the mount stacks on */
	unsigned int flags;		/* FP_* */
	kuid_t user_id;
	kgid_t group_id;
	umode_t rootmode;
};

/*
 * A fusepass inode stands for one backing inode as reached through one
 * backing mount: the pair is its key. Different mounts of the same
 * backing inode are different fusepass inodes, so every directory has at
 * most one alias and the mount (read-only, idmap, nodev...) is known.
 */
struct fp_inode {
	struct inode vfs_inode;
	struct path backing;		/* held; any name of the backing inode */
	/* The key; kept (not held) until the inode is freed, for iget. */
	struct inode *backing_inode;
	struct vfsmount *key_mnt;
};

/*
 * d_fsdata of every fusepass dentry: the backing object this name refers
 * to. @lookup is what the name was found as in the backing parent, before
 * crossing any mount stacked on it; revalidation checks that it is still
 * there, under the same name and parent. Without a mount in between,
 * @lookup == @backing.dentry (one reference each).
 */
struct fp_dentry {
	struct path backing;
	struct dentry *lookup;
	struct rcu_head rcu;
};

static inline struct fp_sb *fp_sb(const struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct fp_inode *fp_inode(const struct inode *inode)
{
	return container_of(inode, struct fp_inode, vfs_inode);
}

static inline struct inode *fp_backing_inode(const struct inode *inode)
{
	return fp_inode(inode)->backing_inode;
}

static inline struct fp_dentry *fp_dentry(const struct dentry *dentry)
{
	return dentry->d_fsdata;
}

/* The backing path a fusepass dentry stands for. */
static inline const struct path *fp_backing_path(const struct dentry *dentry)
{
	return &fp_dentry(dentry)->backing;
}

/* The backing file behind an open fusepass file (directory or not). */
static inline struct file *fp_backing_file(const struct file *file)
{
	return file->private_data;
}

/* ------------------------------------------------------------------ */
/* main.c                                                            */
/* ------------------------------------------------------------------ */
extern struct kmem_cache *fp_inode_cachep;

/* ------------------------------------------------------------------ */
/* dev.c                                                             */
/* ------------------------------------------------------------------ */
int fp_dev_init(void);
void fp_dev_exit(void);

/* ------------------------------------------------------------------ */
/* super.c                                                           */
/* ------------------------------------------------------------------ */
extern struct file_system_type fp_fs_type;
bool fp_allow_current(const struct super_block *sb);

/* ------------------------------------------------------------------ */
/* backed_inode.c                                                    */
/* ------------------------------------------------------------------ */
struct inode *fp_backed_iget(struct super_block *sb, const struct path *backing);
void fp_backed_copy_attr(struct inode *inode);
int fp_backed_permission(struct mnt_idmap *idmap, struct inode *inode, int mask);
int fp_backed_getattr(struct mnt_idmap *idmap, const struct path *path,
	       struct kstat *stat, u32 request_mask, unsigned int flags);
int fp_backed_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
	       struct iattr *attr);
int fp_backed_fileattr_get(struct dentry *dentry, struct fileattr *fa);
int fp_backed_fileattr_set(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct fileattr *fa);
extern const struct inode_operations fp_backed_file_iops;
extern const struct inode_operations fp_backed_symlink_iops;
extern const struct inode_operations fp_backed_special_iops;

/* ------------------------------------------------------------------ */
/* backed_dir.c                                                      */
/* ------------------------------------------------------------------ */
struct fp_dentry *fp_dentry_alloc(void);
void fp_dentry_set(struct fp_dentry *fpd, const struct path *backing,
		   struct dentry *lookup);
extern const struct dentry_operations fp_dentry_ops;
extern const struct inode_operations fp_backed_dir_iops;

/* ------------------------------------------------------------------ */
/* backed_readdir.c                                                  */
/* ------------------------------------------------------------------ */
extern const struct file_operations fp_backed_dir_fops;

/* ------------------------------------------------------------------ */
/* backed_file.c                                                     */
/* ------------------------------------------------------------------ */
extern const struct file_operations fp_backed_file_fops;
extern const struct address_space_operations fp_backed_file_aops;
void fp_backed_file_attach(struct file *file, struct file *backing);
loff_t fp_backed_llseek(struct file *file, loff_t offset, int whence);
int fp_backed_fsync(struct file *file, loff_t start, loff_t end, int datasync);
long fp_backed_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long fp_backed_compat_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg);

/* ------------------------------------------------------------------ */
/* xattr.c                                                           */
/* ------------------------------------------------------------------ */
extern const struct xattr_handler *fp_xattr_handlers[];
ssize_t fp_backed_listxattr(struct dentry *dentry, char *list, size_t size);
struct posix_acl *fp_backed_get_inode_acl(struct inode *inode, int type, bool rcu);
#ifdef COMPAT_HAVE_DENTRY_ACL_OPS
#define FP_ACL_IOPS \
	.get_inode_acl = fp_backed_get_inode_acl, \
	.get_acl = fp_backed_get_acl, \
	.set_acl = fp_backed_set_acl
struct posix_acl *fp_backed_get_acl(struct mnt_idmap *idmap, struct dentry *dentry,
			     int type);
int fp_backed_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
	       struct posix_acl *acl, int type);
#else
#define FP_ACL_IOPS .get_inode_acl = fp_backed_get_inode_acl
#endif

/* ------------------------------------------------------------------ */
/* backing.c: every call into a backing filesystem                     */
/* ------------------------------------------------------------------ */
int fp_backing_check_depth(const struct super_block *sb,
			   const struct super_block *backing_sb);
int fp_do_lookup(struct super_block *sb, const struct path *parent,
		 const struct qstr *name, struct fp_dentry *out);
struct dentry *fp_do_lookup_locked(struct dentry *parent,
				   const struct qstr *name);
int fp_do_create(const struct path *parent, struct dentry *dentry,
		 umode_t mode, bool excl);
int fp_do_mkdir(const struct path *parent, struct dentry *dentry,
		umode_t mode);
int fp_do_mknod(const struct path *parent, struct dentry *dentry,
		umode_t mode, dev_t rdev);
int fp_do_symlink(const struct path *parent, struct dentry *dentry,
		  const char *target);
int fp_do_link(const struct path *old, const struct path *parent,
	       struct dentry *dentry);
int fp_do_unlink(const struct path *parent, struct dentry *dentry);
int fp_do_rmdir(const struct path *parent, struct dentry *dentry);
int fp_do_rename(const struct path *old_parent, struct dentry *old,
		 const struct path *new_parent, struct dentry *new,
		 unsigned int flags);
int fp_do_notify_change(const struct path *path, struct iattr *attr);
struct file *fp_do_open(const struct path *path, int flags);
struct file *fp_do_tmpfile_open(const struct path *parent, umode_t mode,
				int flags);
int fp_do_getattr(const struct path *path, struct kstat *stat,
		  u32 request_mask, unsigned int flags);
ssize_t fp_do_getxattr(const struct path *path, const char *name,
		       void *value, size_t size);
int fp_do_setxattr(const struct path *path, const char *name,
		   const void *value, size_t size, int flags);
int fp_do_removexattr(const struct path *path, const char *name);
umode_t fp_backing_create_mode(const struct inode *backing_dir, umode_t mode);

#endif /* FUSEPASS_H */
