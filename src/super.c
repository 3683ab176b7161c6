// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - the filesystem type, mount options and the superblock.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>

#include "fusepass.h"

/*
 * Report a mount error: one rate-limited line in the kernel log (each
 * message has its own limit), and the same text in the fs_context log
 * when the caller uses fsopen()/fsconfig() and can read it there.
 * Evaluates to @err.
 */
#define fp_mount_error(fc, err, fmt, ...) ({				\
	pr_warn_ratelimited("mount: " fmt "\n", ##__VA_ARGS__);	\
	if ((fc)->log.log)						\
		errorfc(fc, fmt, ##__VA_ARGS__);			\
	(err);								\
})

enum fp_param {
	Opt_root_dir,
	Opt_no_daemon,
	Opt_fd,
	Opt_rootmode,
	Opt_user_id,
	Opt_group_id,
	Opt_default_permissions,
	Opt_allow_other,
	Opt_max_read,
	Opt_blksize,
	Opt_subtype,
};

struct fp_param_spec {
	const char *name;
	enum fp_param opt;
	bool has_value;
};

/*
 * The options are parsed here rather than with fs_parse() so that every
 * rejection produces exactly one log line of ours naming the option.
 */
static const struct fp_param_spec fp_params[] = {
	{ "root_dir",		 Opt_root_dir,		  true  },
	{ "no_daemon",		 Opt_no_daemon,		  false },
	{ "fd",			 Opt_fd,		  true  },
	{ "rootmode",		 Opt_rootmode,		  true  },
	{ "user_id",		 Opt_user_id,		  true  },
	{ "group_id",		 Opt_group_id,		  true  },
	{ "default_permissions", Opt_default_permissions, false },
	{ "allow_other",	 Opt_allow_other,	  false },
	{ "max_read",		 Opt_max_read,		  true  },
	{ "blksize",		 Opt_blksize,		  true  },
	{ "subtype",		 Opt_subtype,		  true  },
};

static const struct fp_param_spec *fp_find_param(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fp_params); i++)
		if (strcmp(fp_params[i].name, key) == 0)
			return &fp_params[i];
	return NULL;
}

static int fp_parse_root_dir(struct fs_context *fc, struct fs_parameter *param)
{
	struct fp_mount_opts *opts = fc->fs_private;
	struct file *file;
	unsigned int fd = 0;

	if (param->type == fs_value_is_file) {
		/* fsconfig(FSCONFIG_SET_FD) hands us the file itself. */
		file = get_file(param->file);
	} else {
		if (kstrtouint(param->string, 10, &fd))
			return fp_mount_error(fc, -EINVAL,
				"root_dir=%s is not a file descriptor number",
				param->string);
		file = fget(fd);
		if (!file)
			return fp_mount_error(fc, -EBADF,
				"root_dir=%u is not an open file descriptor", fd);
	}

	if (!d_is_dir(file->f_path.dentry)) {
		fput(file);
		return fp_mount_error(fc, -ENOTDIR,
				      "root_dir=%s is not a directory",
				      param->type == fs_value_is_file ?
				      "(fd)" : param->string);
	}

	if (opts->root_dir_set)
		path_put(&opts->root_dir);
	opts->root_dir = file->f_path;
	path_get(&opts->root_dir);
	opts->root_dir_set = true;
	fput(file);
	return 0;
}

/* fd=: an open /dev/fusepass of the mounting process (the daemon's). */
static int fp_parse_dev_fd(struct fs_context *fc, struct fs_parameter *param)
{
	struct fp_mount_opts *opts = fc->fs_private;
	struct file *file;
	unsigned int fd;

	if (kstrtouint(param->string, 10, &fd))
		return fp_mount_error(fc, -EINVAL,
			"fd=%s is not a file descriptor number", param->string);
	file = fget(fd);
	if (!file)
		return fp_mount_error(fc, -EBADF,
			"fd=%u is not an open file descriptor", fd);
	if (file->f_op != &fp_dev_fops) {
		fput(file);
		return fp_mount_error(fc, -EINVAL,
			"fd=%u is not an open /dev/fusepass", fd);
	}
	/* The daemon must live where the mount is made, as with FUSE. */
	if (file->f_cred->user_ns != fc->user_ns) {
		fput(file);
		return fp_mount_error(fc, -EINVAL,
			"fd=%u was opened in another user namespace", fd);
	}
	if (opts->dev_file)
		fput(opts->dev_file);
	opts->dev_file = file;
	return 0;
}

static int fp_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct fp_mount_opts *opts = fc->fs_private;
	const struct fp_param_spec *spec;
	unsigned int val;

	spec = fp_find_param(param->key);
	if (!spec) {
		/* The VFS itself takes the mount source ("none"). */
		if (strcmp(param->key, "source") == 0)
			return -ENOPARAM;
		return fp_mount_error(fc, -EINVAL, "unknown mount option '%s'",
				      param->key);
	}

	if (!spec->has_value && param->type != fs_value_is_flag)
		return fp_mount_error(fc, -EINVAL,
				      "mount option '%s' takes no value",
				      param->key);
	if (spec->has_value && param->type != fs_value_is_string &&
	    !(spec->opt == Opt_root_dir && param->type == fs_value_is_file))
		return fp_mount_error(fc, -EINVAL,
				      "mount option '%s' needs a value",
				      param->key);

	switch (spec->opt) {
	case Opt_root_dir:
		return fp_parse_root_dir(fc, param);
	case Opt_no_daemon:
		opts->flags |= FP_NO_DAEMON;
		return 0;
	case Opt_default_permissions:
		opts->flags |= FP_DEFAULT_PERMISSIONS;
		return 0;
	case Opt_allow_other:
		opts->flags |= FP_ALLOW_OTHER;
		return 0;
	case Opt_fd:
		return fp_parse_dev_fd(fc, param);
	case Opt_max_read:
		if (kstrtouint(param->string, 10, &val) || !val)
			return fp_mount_error(fc, -EINVAL,
				"max_read=%s is not a positive number",
				param->string);
		opts->max_read = val;
		return 0;
	case Opt_blksize:
		if (kstrtouint(param->string, 10, &val) ||
		    !is_power_of_2(val) || val < 512 || val > PAGE_SIZE)
			return fp_mount_error(fc, -EINVAL,
				"blksize=%s is not a power of two from 512 to %lu",
				param->string, PAGE_SIZE);
		opts->blksize = val;
		return 0;
	case Opt_subtype:
		/*
		 * Any name but the empty one, as FUSE takes it: libfuse's
		 * mount.fuse3 -o drop_privileges names the subtype after the
		 * daemon's path ("fuse.test/hello").
		 */
		if (!*param->string)
			return fp_mount_error(fc, -EINVAL,
				"subtype= is empty");
		kfree(opts->subtype);
		opts->subtype = param->string;
		param->string = NULL;
		return 0;
	case Opt_rootmode:
		if (kstrtouint(param->string, 8, &val) ||
		    !fs_umode_to_dtype(val) || (val & ~(S_IFMT | S_IALLUGO)))
			return fp_mount_error(fc, -EINVAL,
				"rootmode=%s is not a valid octal file mode",
				param->string);
		opts->rootmode = val;
		opts->rootmode_set = true;
		return 0;
	case Opt_user_id:
		if (kstrtouint(param->string, 10, &val))
			return fp_mount_error(fc, -EINVAL,
				"user_id=%s is not a user id", param->string);
		opts->user_id = make_kuid(fc->user_ns, val);
		if (!uid_valid(opts->user_id))
			return fp_mount_error(fc, -EINVAL,
				"user_id=%s is not mapped in the mounter's user namespace",
				param->string);
		opts->user_id_set = true;
		return 0;
	case Opt_group_id:
		if (kstrtouint(param->string, 10, &val))
			return fp_mount_error(fc, -EINVAL,
				"group_id=%s is not a group id", param->string);
		opts->group_id = make_kgid(fc->user_ns, val);
		if (!gid_valid(opts->group_id))
			return fp_mount_error(fc, -EINVAL,
				"group_id=%s is not mapped in the mounter's user namespace",
				param->string);
		opts->group_id_set = true;
		return 0;
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------ */

/*
 * FUSE's access rule: without allow_other only the mount owner's tasks
 * may use the mount. A daemon mount always has an owner (user_id=); a
 * no-daemon mount only if one was named, otherwise it behaves like a
 * bind mount.
 */
bool fp_allow_current_cred(const struct super_block *sb)
{
	const struct fp_sb *fsb = fp_sb(sb);
	const struct cred *cred;

	cred = current_cred();
	return uid_eq(cred->euid, fsb->user_id) &&
	       uid_eq(cred->suid, fsb->user_id) &&
	       uid_eq(cred->uid, fsb->user_id) &&
	       gid_eq(cred->egid, fsb->group_id) &&
	       gid_eq(cred->sgid, fsb->group_id) &&
	       gid_eq(cred->gid, fsb->group_id);
}

static struct inode *fp_alloc_inode(struct super_block *sb)
{
	struct fp_inode *fi;

	fi = alloc_inode_sb(sb, fp_inode_cachep, GFP_KERNEL);
	if (!fi)
		return NULL;
	fi->backing.mnt = NULL;
	fi->backing.dentry = NULL;
	fi->backing_inode = NULL;
	fi->key_mnt = NULL;
	fi->ext_nodeid = 0;
	fi->prefilter = 0;
	fi->postfilter = 0;
	fi->nodeid = 0;
	fi->nlookup = 0;
	fi->forget = NULL;
	fi->i_time = 0;
	fi->inval_mask = ~0U;
	fi->attr_version = 0;
	fi->state = 0;
	fi->orig_ino = 0;
	fi->orig_mode = 0;
	fi->writectr = 0;
	INIT_LIST_HEAD(&fi->write_files);
	return &fi->vfs_inode;
}

static void fp_free_inode(struct inode *inode)
{
	kmem_cache_free(fp_inode_cachep, fp_inode(inode));
}

static void fp_evict_inode(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);

	if (fp_is_node(inode)) {
		fp_evict_node_inode(inode);
		return;
	}
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	fp_ext_evict(inode);
	if (fi->backing.dentry)
		path_put(&fi->backing);
	fi->backing.mnt = NULL;
	fi->backing.dentry = NULL;
}

/*
 * Unused backed inodes are not cached: they pin backing dentries and
 * mounts. Daemon inodes are, and so is the daemon's lookup count of
 * their nodes, until memory is short or the daemon invalidates a name
 * (notify.c). FUSE on 6.1 and 6.12 drops them at once instead; but then
 * a FORGET follows nearly every short-lived lookup, and daemons that
 * race a LOOKUP against the FORGET of the same node (libfuse 3.14's
 * passthrough_hp frees the node under the LOOKUP) fail requests with
 * EBADF (README, compatibility notes).
 */
static int fp_drop_inode(struct inode *inode)
{
	if (fp_is_node(inode))
		return inode_generic_drop(inode);
	return 1;
}

static int fp_node_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct super_block *sb = dentry->d_sb;
	struct fp_conn *conn = fp_sb(sb)->conn;
	struct fuse_statfs_out out = {};
	struct fp_args args = {};
	int err;

	if (!fp_allow_current(sb)) {
		buf->f_type = FUSEPASS_SUPER_MAGIC;
		return 0;
	}
	args.opcode = FUSE_STATFS;
	args.nodeid = fp_node_id(d_inode(dentry));
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (err)
		return err;
	buf->f_type = FUSEPASS_SUPER_MAGIC;
	buf->f_bsize = out.st.bsize;
	buf->f_frsize = out.st.frsize;
	buf->f_blocks = out.st.blocks;
	buf->f_bfree = out.st.bfree;
	buf->f_bavail = out.st.bavail;
	buf->f_files = out.st.files;
	buf->f_ffree = out.st.ffree;
	buf->f_namelen = out.st.namelen;
	return 0;
}

static int fp_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	int err;

	if (fp_is_node(d_inode(dentry)))
		return fp_node_statfs(dentry, buf);
	err = vfs_statfs(fp_backing_path(dentry), buf);
	if (!err)
		buf->f_type = FUSEPASS_SUPER_MAGIC;
	return err;
}

/* syncfs(2): the daemon's SYNCFS, or a sync of the stacked-on filesystem. */
static int fp_sync_fs(struct super_block *sb, int wait)
{
	struct fp_sb *fsb = fp_sb(sb);
	struct fp_conn *conn = fsb->conn;
	struct super_block *backing_sb;
	int err;

	if (!wait)
		return 0;
	if (conn) {
		struct fuse_syncfs_in in = {};
		struct fp_args args = {};

		if (!READ_ONCE(conn->initialized) || !READ_ONCE(conn->connected) ||
		    conn->no_syncfs || conn->minor < 34)
			return 0;
		args.opcode = FUSE_SYNCFS;
		/* s_root is already gone when this runs at unmount. */
		args.nodeid = FUSE_ROOT_ID;
		args.in_numargs = 1;
		args.in_args[0].size = sizeof(in);
		args.in_args[0].value = &in;
		err = fp_simple_request(conn, &args);
		if (err == -ENOSYS) {
			conn->no_syncfs = true;
			err = 0;
		}
		return err == -ENOTCONN ? 0 : err;
	}
	backing_sb = fsb->backing_root.mnt->mnt_sb;
	down_read(&backing_sb->s_umount);
	err = sync_filesystem(backing_sb);
	up_read(&backing_sb->s_umount);
	return err;
}

static int fp_show_options(struct seq_file *m, struct dentry *root)
{
	const struct fp_sb *fsb = fp_sb(root->d_sb);

	if (fsb->flags & FP_NO_DAEMON)
		seq_puts(m, ",no_daemon");
	if (fsb->flags & FP_RESTRICT_USER) {
		seq_printf(m, ",user_id=%u",
			   from_kuid_munged(&init_user_ns, fsb->user_id));
		seq_printf(m, ",group_id=%u",
			   from_kgid_munged(&init_user_ns, fsb->group_id));
	}
	if (fsb->flags & FP_DEFAULT_PERMISSIONS)
		seq_puts(m, ",default_permissions");
	if (fsb->flags & FP_ALLOW_OTHER)
		seq_puts(m, ",allow_other");
	if (fsb->max_read)
		seq_printf(m, ",max_read=%u", fsb->max_read);
	if (fsb->blksize)
		seq_printf(m, ",blksize=%u", fsb->blksize);
	return 0;
}

static const struct super_operations fp_super_ops = {
	.alloc_inode	= fp_alloc_inode,
	.free_inode	= fp_free_inode,
	.evict_inode	= fp_evict_inode,
	.drop_inode	= fp_drop_inode,
	.write_inode	= fp_io_write_inode,
	.statfs		= fp_statfs,
	.sync_fs	= fp_sync_fs,
	.show_options	= fp_show_options,
};

/* Once INIT is answered: what the superblock takes from the daemon. */
void fp_init_reply_fs(struct fp_conn *conn, struct super_block *sb)
{
	/*
	 * A daemon that uses POSIX ACLs has the kernel enforce them, which
	 * is a permission check from the mode bits and ACLs: it implies
	 * default_permissions, as with FUSE.
	 */
	if (conn->init_flags & FUSE_POSIX_ACL) {
		conn->mount_flags |= FP_DEFAULT_PERMISSIONS;
		fp_sb(sb)->flags |= FP_DEFAULT_PERMISSIONS;
	}
}

static int fp_fill_super_common(struct super_block *sb)
{
	sb->s_magic = FUSEPASS_SUPER_MAGIC;
	sb->s_op = &fp_super_ops;
	set_default_d_op(sb, &fp_dentry_ops);
	sb->s_xattr = fp_xattr_handlers;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	return 0;
}

static int fp_fill_super_backed(struct super_block *sb, struct fs_context *fc)
{
	struct fp_sb *fsb = fp_sb(sb);
	struct super_block *backing_sb = fsb->backing_root.mnt->mnt_sb;
	struct inode *root;

	if (backing_sb->s_stack_depth >= FILESYSTEM_MAX_STACK_DEPTH)
		return fp_mount_error(fc, -ELOOP,
			"root_dir is on a filesystem stacked %d deep; at most %d levels are allowed",
			backing_sb->s_stack_depth, FILESYSTEM_MAX_STACK_DEPTH);

	fp_fill_super_common(sb);
	sb->s_stack_depth = backing_sb->s_stack_depth + 1;
	sb->s_blocksize = backing_sb->s_blocksize;
	sb->s_blocksize_bits = backing_sb->s_blocksize_bits;
	/*
	 * ACLs and the umask are applied by the backing filesystem; the VFS
	 * must not strip the umask before it gets there.
	 */
	sb->s_flags |= SB_POSIXACL;

	root = fp_backed_iget(sb, &fsb->backing_root);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	fp_dentry_set(fp_dentry(sb->s_root), &fsb->backing_root,
		      fsb->backing_root.dentry);
	return 0;
}

static int fp_fill_super_daemon(struct super_block *sb, struct fs_context *fc)
{
	struct fp_mount_opts *opts = fc->fs_private;
	struct fp_sb *fsb = fp_sb(sb);
	struct fp_conn *conn = fsb->conn;
	struct fuse_attr attr = {};
	struct inode *root;
	int err;

	fp_fill_super_common(sb);
	sb->s_stack_depth = 1;
	/*
	 * As with FUSE: ACL xattrs reach the daemon whether or not it uses
	 * them (FUSE_POSIX_ACL), and the VFS leaves the umask alone, which
	 * the daemon applies itself (FUSE_DONT_MASK) or else dir.c does.
	 */
	sb->s_flags |= SB_POSIXACL;
	if (opts->blksize) {
		sb->s_blocksize = opts->blksize;
		sb->s_blocksize_bits = ilog2(opts->blksize);
	} else {
		sb->s_blocksize = PAGE_SIZE;
		sb->s_blocksize_bits = PAGE_SHIFT;
	}
	sb->s_subtype = opts->subtype;
	opts->subtype = NULL;

	/* Page cache I/O (and its writeback) needs a bdi of our own. */
	err = super_setup_bdi(sb);
	if (err)
		return err;
	fp_io_init_bdi(sb);

	conn->sb = sb;
	conn->dev = sb->s_dev;
	if (fsb->max_read)
		conn->max_read = fsb->max_read;

	/* The root's real attributes come with the first GETATTR. */
	attr.mode = fsb->rootmode;
	attr.ino = FUSE_ROOT_ID;
	attr.nlink = 1;
	root = fp_iget_node(sb, FUSE_ROOT_ID, 0, &attr, 0, 0);
	if (!root)
		return -ENOMEM;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;

	err = fp_dev_attach(opts->dev_file, conn);
	if (err)
		return fp_mount_error(fc, err == -EBUSY ? -EINVAL : err,
			"fd= is already serving another mount");
	err = fp_control_add(conn);
	if (err)
		return err;
	fp_send_init(conn);
	return 0;
}

static int fp_fill_super(struct super_block *sb, struct fs_context *fc)
{
	if (fp_sb(sb)->conn)
		return fp_fill_super_daemon(sb, fc);
	return fp_fill_super_backed(sb, fc);
}

static int fp_check_options(struct fs_context *fc)
{
	struct fp_mount_opts *opts = fc->fs_private;

	if (opts->flags & FP_NO_DAEMON) {
		if (!opts->root_dir_set)
			return fp_mount_error(fc, -EINVAL,
					      "no_daemon requires root_dir=");
		if (opts->dev_file)
			return fp_mount_error(fc, -EINVAL,
				"fd= and no_daemon exclude each other");
		if (opts->rootmode_set && !S_ISDIR(opts->rootmode))
			return fp_mount_error(fc, -EINVAL,
				"rootmode=%o: the root of a no_daemon mount is a directory",
				opts->rootmode);
		return 0;
	}

	if (!opts->dev_file)
		return fp_mount_error(fc, -EINVAL,
			"missing fd= (a FUSE daemon's /dev/fusepass) or no_daemon");
	if (opts->root_dir_set)
		return fp_mount_error(fc, -EINVAL,
			"root_dir= needs no_daemon in this version");
	if (!opts->rootmode_set || !opts->user_id_set || !opts->group_id_set)
		return fp_mount_error(fc, -EINVAL,
			"a daemon mount needs rootmode=, user_id= and group_id=");
	return 0;
}

static int fp_get_tree(struct fs_context *fc)
{
	struct fp_mount_opts *opts = fc->fs_private;
	struct fp_sb *fsb;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return fp_mount_error(fc, -EPERM,
			"mounting fusepass requires CAP_SYS_ADMIN in the initial user namespace");
	err = fp_check_options(fc);
	if (err)
		return err;

	fsb = kzalloc(sizeof(*fsb), GFP_KERNEL);
	if (!fsb)
		return -ENOMEM;
	fsb->flags = opts->flags;
	fsb->rootmode = opts->rootmode;
	fsb->max_read = opts->max_read;
	fsb->blksize = opts->blksize;
	if (opts->user_id_set) {
		fsb->flags |= FP_RESTRICT_USER;
		fsb->user_id = opts->user_id;
		fsb->group_id = opts->group_id_set ? opts->group_id :
				current_fsgid();
	}
	if (opts->flags & FP_NO_DAEMON) {
		fsb->backing_root = opts->root_dir;
		opts->root_dir_set = false;	/* the reference moves to fsb */
	} else {
		fsb->conn = fp_conn_alloc();
		if (!fsb->conn) {
			kfree(fsb);
			return -ENOMEM;
		}
		fsb->conn->user_id = fsb->user_id;
		fsb->conn->group_id = fsb->group_id;
		fsb->conn->mount_flags = fsb->flags;
	}
	fc->s_fs_info = fsb;
	return get_tree_nodev(fc, fp_fill_super);
}

static int fp_reconfigure(struct fs_context *fc)
{
	sync_filesystem(fc->root->d_sb);
	return 0;
}

static void fp_sb_free(struct fp_sb *fsb)
{
	if (fsb->backing_root.dentry)
		path_put(&fsb->backing_root);
	if (fsb->conn) {
		fp_conn_abort(fsb->conn);
		fp_conn_wait_aborted(fsb->conn);
		fp_control_remove(fsb->conn);
		fp_conn_put(fsb->conn);
	}
	kfree(fsb);
}

static void fp_free_fc(struct fs_context *fc)
{
	struct fp_mount_opts *opts = fc->fs_private;
	struct fp_sb *fsb = fc->s_fs_info;

	if (opts) {
		if (opts->root_dir_set)
			path_put(&opts->root_dir);
		if (opts->dev_file)
			fput(opts->dev_file);
		kfree(opts->subtype);
		kfree(opts);
	}
	/* Still here if get_tree failed before a superblock took it. */
	if (fsb)
		fp_sb_free(fsb);
}

static const struct fs_context_operations fp_context_ops = {
	.free		= fp_free_fc,
	.parse_param	= fp_parse_param,
	.get_tree	= fp_get_tree,
	.reconfigure	= fp_reconfigure,
};

static int fp_init_fs_context(struct fs_context *fc)
{
	struct fp_mount_opts *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	fc->fs_private = opts;
	fc->ops = &fp_context_ops;
	return 0;
}

/*
 * Unmount. Every file is closed by now, and closing wrote back what was
 * dirty; the connection ends first, so that requests still in flight
 * (RELEASEs holding inodes) finish before the inodes are evicted. The
 * daemon's reads then fail with -ENODEV: that is how it learns.
 */
static void fp_kill_sb(struct super_block *sb)
{
	struct fp_sb *fsb = fp_sb(sb);

	if (fsb && fsb->conn) {
		fp_conn_abort(fsb->conn);
		fp_conn_wait_aborted(fsb->conn);
	}
	kill_anon_super(sb);
	if (fsb)
		fp_sb_free(fsb);
}

struct file_system_type fp_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "fusepass",
	/* "fusepass.NAME" sets the subtype, as "fuse.NAME" does for FUSE. */
	.fs_flags		= FS_HAS_SUBTYPE,
	.init_fs_context	= fp_init_fs_context,
	.kill_sb		= fp_kill_sb,
};
