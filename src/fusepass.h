/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fusepass.h - private data structures and prototypes, grouped by the
 * file that defines them.
 */
#ifndef FUSEPASS_H
#define FUSEPASS_H

#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/path.h>
#include <linux/rcupdate.h>
#include <uapi/linux/fusepass.h>

/* ------------------------------------------------------------------ */
/* Data structures                                                     */
/* ------------------------------------------------------------------ */

struct fp_conn;
struct fp_file;

/* Mount flags kept in fp_sb->flags. */
#define FP_NO_DAEMON		(1U << 0)
#define FP_ALLOW_OTHER		(1U << 1)
#define FP_DEFAULT_PERMISSIONS	(1U << 2)
/* user_id= was given: only that user may use the mount (unless allow_other). */
#define FP_RESTRICT_USER	(1U << 3)

/* Options collected while parsing a mount; owned by the fs_context. */
struct fp_mount_opts {
	struct path root_dir;		/* held while set */
	struct file *dev_file;		/* fd=: held while set */
	char *subtype;			/* owned while set */
	bool root_dir_set;
	bool rootmode_set;
	bool user_id_set;
	bool group_id_set;
	unsigned int flags;		/* FP_* */
	unsigned int max_read;
	unsigned int blksize;
	umode_t rootmode;
	kuid_t user_id;
	kgid_t group_id;
};

/* One per superblock. */
struct fp_sb {
	struct path backing_root;	/* root_dir; unset in pure daemon mode */
	struct fp_conn *conn;		/* the daemon's connection; NULL without */
	unsigned int flags;		/* FP_* */
	kuid_t user_id;
	kgid_t group_id;
	umode_t rootmode;
	unsigned int max_read;
	unsigned int blksize;
};

/* ---- The FUSE connection (conn.c, req.c, dev.c, dev_read.c) ------- */

/*
 * One argument of a request or reply: a buffer in the kernel. The last
 * argument of either direction may instead live in pages (fp_args_pages).
 */
struct fp_arg {
	unsigned int size;
	void *value;
};

struct fp_page_desc {
	unsigned int length;
	unsigned int offset;
};

/*
 * What a request carries and expects back. The reply must be exactly the
 * sum of the out arguments (the last one may be shorter if out_argvar),
 * or a bare header with an error; anything else is refused.
 */
struct fp_args {
	u64 nodeid;
	u32 opcode;
	u8 in_numargs;
	u8 out_numargs;
	bool force:1;		/* sent even if the caller is interrupted */
	bool noreply:1;		/* no reply expected */
	bool nocreds:1;		/* caller's ids not sent (uid/gid/pid 0) */
	bool in_pages:1;	/* last in arg is in the pages */
	bool out_pages:1;	/* last out arg goes to the pages */
	bool out_argvar:1;	/* last out arg may come back shorter */
	bool page_zeroing:1;	/* zero what a short reply leaves of pages */
	bool user_pages:1;	/* pages pinned from user memory: dirty them */
	bool fixed_unique:1;	/* sent with @unique, not a fresh id */
	u64 unique;		/* NOTIFY_REPLY: the daemon's notify_unique */
	/* Extension blocks at the end of the last out arg (ext.c). */
	struct fp_ext *ext;
	struct fp_arg in_args[3];
	struct fp_arg out_args[3];
	/* Background requests: called once with the outcome. */
	void (*end)(struct fp_conn *conn, struct fp_args *args, int error);
};

/* fp_args with the last argument in pages. */
struct fp_args_pages {
	struct fp_args args;
	struct page **pages;
	struct fp_page_desc *descs;
	unsigned int num_pages;
};

/* Request state bits (fp_req.flags). */
enum fp_req_flag {
	FR_ISREPLY,		/* a reply is expected */
	FR_FORCE,		/* must be sent even if interrupted */
	FR_BACKGROUND,		/* nobody waits; args->end completes it */
	FR_WAITING,		/* counted in conn->num_waiting */
	FR_ABORTED,		/* the connection was aborted under it */
	FR_INTERRUPTED,		/* the caller was signalled */
	FR_LOCKED,		/* being copied to/from a daemon */
	FR_PENDING,		/* queued, not read by the daemon yet */
	FR_SENT,		/* read by the daemon, reply awaited */
	FR_FINISHED,		/* done: out.h.error is the outcome */
};

struct fp_req {
	struct list_head list;		/* pending / processing / io */
	struct list_head intr_entry;	/* conn->interrupts */
	struct fp_args *args;
	refcount_t count;
	unsigned long flags;
	struct fuse_in_header in_h;
	struct fuse_out_header out_h;
	wait_queue_head_t waitq;
	struct fp_conn *conn;
};

/* A FORGET waiting to be sent; allocated with each daemon inode. */
struct fp_forget {
	struct fp_forget *next;
	struct fuse_forget_one one;
};

#define FP_PQ_HASH_BITS 8

/*
 * Counters of a connection (read through the control directory): what
 * went to the daemon and what was served without it.
 */
struct fp_stats {
	atomic64_t requests[FUSE_STATX + 1];	/* by opcode */
	atomic64_t backed_ops;			/* stacked operations */
	/* Filter requests sent for backed inodes (filter.c). */
	atomic64_t prefilter;
	atomic64_t postfilter;
	/* Per-open passthrough calls: read (and splice), write, mmap. */
	atomic64_t passthrough_read;
	atomic64_t passthrough_write;
	atomic64_t passthrough_mmap;
};

/* FORGET messages read in a row while requests wait, before one request. */
#define FP_FORGET_BATCH 16

struct fp_conn {
	struct rcu_head rcu;		/* first: kfree_rcu() needs a small offset */
	refcount_t count;
	spinlock_t lock;		/* everything below marked (L) */

	/* State (L). */
	bool connected;			/* false once aborted or all devices closed */
	bool initialized;		/* INIT answered, well or not */
	bool conn_error;		/* INIT failed: requests get -ECONNREFUSED */
	bool abort_err;			/* FUSE_ABORT_ERROR: reads get -ECONNABORTED */
	bool aborted;

	/* Queues towards the daemon (L). */
	wait_queue_head_t waitq;	/* readers of the device */
	struct fasync_struct *fasync;
	struct list_head pending;
	struct list_head interrupts;
	struct fp_forget forget_head;	/* list head; .next is the first */
	struct fp_forget *forget_tail;
	unsigned int forget_batch;	/* FORGET reads left before a request */
	struct list_head processing[1 << FP_PQ_HASH_BITS];
	struct list_head io;		/* being copied, unlocked */
	u64 reqctr;

	/* Background requests (L). */
	unsigned int max_background;
	unsigned int congestion_threshold;
	unsigned int num_background;
	unsigned int active_background;
	struct list_head bg_queue;

	/* Callers waiting for INIT or for the connection to go. */
	wait_queue_head_t blocked_waitq;
	atomic_t num_waiting;

	/* Devices (struct fp_dev) attached to this connection (L). */
	struct list_head devices;
	unsigned int dev_count;

	/* Negotiated in INIT (stable once initialized). */
	unsigned int minor;
	u64 init_flags;			/* FUSE_* flags both sides agreed on */
	unsigned int max_read;
	unsigned int max_write;
	unsigned int max_pages;
	unsigned int max_stack_depth;
	bool passthrough;		/* FUSE_PASSTHROUGH negotiated */

	/*
	 * Learned from -ENOSYS replies: never sent again. Plain bools (not
	 * bit fields), so that setting one never loses another.
	 */
	bool no_open, no_opendir, no_fsync, no_fsyncdir, no_flush,
	     no_setxattr, no_getxattr, no_listxattr, no_removexattr,
	     no_lock, no_access, no_create, no_interrupt, no_bmap,
	     no_poll, no_fallocate, no_rename2, no_lseek,
	     no_copy_file_range, no_syncfs, no_tmpfile, no_statx,
	     no_readdirplus;

	/* From the mount. */
	kuid_t user_id;
	kgid_t group_id;
	unsigned int mount_flags;	/* FP_* */
	struct user_namespace *user_ns;
	struct pid_namespace *pid_ns;
	struct super_block *sb;
	dev_t dev;			/* names the control directory */

	atomic64_t attr_version;	/* orders attribute updates */
	struct idr backing_ids;		/* (L for changes) id -> fp_backing */
	struct kobject *ctl;		/* /sys/fs/fusepass/connections/DEV */
	struct fp_stats stats;
};

/*
 * A backing id's object: a file (or directory) the daemon registered,
 * and the credentials it had then (used for per-open passthrough I/O).
 */
struct fp_backing {
	refcount_t count;
	struct file *file;
	const struct cred *cred;
	struct rcu_head rcu;
};

/* The private data of an open /dev/fusepass once it serves a mount. */
struct fp_dev {
	struct fp_conn *conn;
	struct list_head entry;		/* conn->devices */
};

/*
 * A fusepass inode is either served by the daemon (nodeid != 0) or
 * backed: it stands for one backing inode as reached through one backing
 * mount, and that pair is its key. Different mounts of the same backing
 * inode are different fusepass inodes, so every directory has at most
 * one alias and the mount (read-only, idmap, nodev...) is known.
 */
struct fp_inode {
	struct inode vfs_inode;

	/* Backed inodes. */
	struct path backing;		/* held; any name of the backing inode */
	/* The key; kept (not held) until the inode is freed, for iget. */
	struct inode *backing_inode;
	struct vfsmount *key_mnt;

	/*
	 * Backed inodes the daemon chose by a BACKING block (ext.c): the
	 * node of that entry, whose lookups (@nlookup, @forget) are given
	 * back at eviction, and the filter masks (inherited by backed
	 * children, which have no node of their own).
	 */
	u64 ext_nodeid;			/* (lock) */
	u64 prefilter;			/* FUSEPASS_FILTER_BIT(opcode)s */
	u64 postfilter;

	/* Daemon-served inodes. */
	u64 nodeid;
	u64 nlookup;			/* (lock) lookups to FORGET at evict */
	struct fp_forget *forget;	/* preallocated FORGET */
	u64 i_time;			/* (lock) attributes valid until (jiffies) */
	u32 inval_mask;			/* (lock) STATX_* known stale */
	u64 attr_version;		/* (lock) of the last attribute update */
	unsigned long state;		/* FP_I_* */
	spinlock_t lock;
	struct mutex mutex;		/* serialises size changes and I/O setup */
	u64 orig_ino;			/* the daemon's st_ino */
	umode_t orig_mode;		/* mode before nosuid/umask games */
	/* Open files usable for writeback and mmap (list of fp_file). */
	struct list_head write_files;	/* (lock) */
	wait_queue_head_t page_waitq;	/* writeback completions */
	int writectr;			/* (lock) writeback WRITEs in flight */
	/* (lock) while non-zero, writeback WRITEs wait in queued_writes */
	unsigned int nowrite;
	struct list_head queued_writes;	/* (lock) of struct fp_io_args */
	/*
	 * (lock) I/O mode (passthrough.c): > 0 cached opens, < 0 passthrough
	 * opens, which all use @passthrough (held while they exist).
	 */
	int iocachectr;
	struct fp_backing *passthrough;
	/* Cached symlink target (FUSE_CACHE_SYMLINKS is via page cache). */
};

/* fp_inode.state bits */
enum {
	FP_I_BAD,			/* type or generation changed: stale */
	FP_I_SIZE_UNSTABLE,		/* a size change is in flight */
	FP_I_INIT_RDPLUS,		/* use READDIRPLUS on the next open */
	FP_I_ADVISE_RDPLUS,		/* a lookup would have liked READDIRPLUS */
};

/* fp_file.iomode */
enum {
	FP_IOM_NONE,			/* direct I/O, or no OPEN */
	FP_IOM_CACHED,			/* the page cache */
	FP_IOM_PASSTHROUGH,		/* the backing file */
};

/* An open file of a daemon-served inode (file->private_data). */
struct fp_file {
	struct fp_conn *conn;
	u64 fh;
	u64 nodeid;
	refcount_t count;
	u32 open_flags;			/* FOPEN_* from the daemon */
	int backing_id;			/* with FOPEN_PASSTHROUGH */
	u8 iomode;			/* FP_IOM_*, what the open counts as */
	/* Per-open passthrough: our open of the backing file, and its id. */
	struct file *passthrough;
	struct fp_backing *passthrough_fb;
	bool flock;			/* flock() was used: unlock at release */
	struct list_head write_entry;	/* fp_inode.write_files */
	/* Prepared at open so release never fails for lack of memory. */
	struct fp_release_args *release_args;
	/* Directory reading state. */
	struct {
		struct mutex lock;
		u64 pos;		/* stream position (daemon's offset) */
		loff_t version;
	} readdir;
	/* poll(): kernel handle and waiters. */
	struct rb_node polled_node;
	wait_queue_head_t poll_wait;
	u64 kh;
};

/*
 * d_fsdata of every fusepass dentry.
 *
 * Backed dentries: the backing object this name refers to. @lookup is
 * what the name was found as in the backing parent, before crossing any
 * mount stacked on it; revalidation checks that it is still there, under
 * the same name and parent. Without a mount in between, @lookup ==
 * @backing.dentry (one reference each).
 *
 * Daemon-served dentries: @time, until when the name may be used without
 * asking the daemon again (jiffies64); backing is unset.
 *
 * Backed dentries the daemon chose (@attached, by a BACKING block in an
 * entry reply): @backing is the backing id's object and @lookup its
 * dentry; they stand until @time, like a daemon's name, as their parent
 * is not the backing object's parent.
 */
struct fp_dentry {
	struct path backing;
	struct dentry *lookup;
	u64 time;
	bool attached;
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

/* Request ids step by 2: an INTERRUPT for request N has id N | 1. */
#define FP_REQ_ID_STEP		2
#define FP_INT_REQ_BIT		1ULL

#define FP_DEFAULT_MAX_BACKGROUND	12
#define FP_MAX_BACKGROUND_LIMIT		65535
#define FP_DEFAULT_MAX_PAGES		32
#define FP_MAX_PAGES_LIMIT		256

static inline struct fp_conn *fp_conn_of(const struct inode *inode)
{
	return fp_sb(inode->i_sb)->conn;
}

static inline u64 fp_node_id(const struct inode *inode)
{
	return fp_inode(inode)->nodeid;
}

/* Is @inode served by the daemon (rather than backed)? */
static inline bool fp_is_node(const struct inode *inode)
{
	return fp_inode(inode)->nodeid != 0;
}

static inline unsigned int fp_args_size(unsigned int numargs,
					const struct fp_arg *args)
{
	unsigned int i, size = 0;

	for (i = 0; i < numargs; i++)
		size += args[i].size;
	return size;
}

static inline kuid_t fp_iattr_uid(const struct iattr *attr)
{
	return vfsuid_into_kuid(attr->ia_vfsuid);
}

static inline kgid_t fp_iattr_gid(const struct iattr *attr)
{
	return vfsgid_into_kgid(attr->ia_vfsgid);
}

static inline void fp_stats_request(struct fp_conn *conn, u32 opcode)
{
	if (opcode < ARRAY_SIZE(conn->stats.requests))
		atomic64_inc(&conn->stats.requests[opcode]);
}

/* The lock owner id the daemon sees for a files_struct (or file). */
u64 fp_lock_owner_id(struct fp_conn *conn, fl_owner_t id);

/* ------------------------------------------------------------------ */
/* main.c                                                            */
/* ------------------------------------------------------------------ */
extern struct kmem_cache *fp_inode_cachep;

/* ------------------------------------------------------------------ */
/* dev.c                                                             */
/* ------------------------------------------------------------------ */
extern const struct file_operations fp_dev_fops;
int fp_dev_init(void);
void fp_dev_exit(void);
int fp_dev_attach(struct file *file, struct fp_conn *conn);
struct fp_dev *fp_dev_get(struct file *file);
unsigned int fp_pq_hash(u64 unique);
bool fp_dev_has_work(struct fp_conn *conn);

/* ------------------------------------------------------------------ */
/* dev_read.c                                                        */
/* ------------------------------------------------------------------ */
struct pipe_inode_info;
ssize_t fp_dev_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t fp_dev_splice_read(struct file *in, loff_t *ppos,
			   struct pipe_inode_info *pipe, size_t len,
			   unsigned int flags);

/* ------------------------------------------------------------------ */
/* conn.c                                                            */
/* ------------------------------------------------------------------ */
struct fp_conn *fp_conn_alloc(void);
struct fp_conn *fp_conn_get(struct fp_conn *conn);
void fp_conn_put(struct fp_conn *conn);
void fp_conn_abort(struct fp_conn *conn);
void fp_conn_wait_aborted(struct fp_conn *conn);
void fp_send_init(struct fp_conn *conn);

/* ------------------------------------------------------------------ */
/* req.c                                                             */
/* ------------------------------------------------------------------ */
int fp_req_init(void);
void fp_req_exit(void);
u64 fp_next_unique_locked(struct fp_conn *conn);
void fp_queue_interrupt_locked(struct fp_conn *conn, struct fp_req *req);
void fp_flush_bg_queue_locked(struct fp_conn *conn);
void fp_request_end(struct fp_req *req);
ssize_t fp_simple_request(struct fp_conn *conn, struct fp_args *args);
int fp_background_request(struct fp_conn *conn, struct fp_args *args,
			  gfp_t gfp);
int fp_send_init_request(struct fp_conn *conn, struct fp_args *args);
struct fp_forget *fp_forget_alloc(void);
void fp_queue_forget(struct fp_conn *conn, struct fp_forget *forget,
		     u64 nodeid, u64 nlookup);
const char *fp_opcode_name(u32 opcode);

/* ------------------------------------------------------------------ */
/* backing_id.c                                                      */
/* ------------------------------------------------------------------ */
struct fp_backing *fp_backing_get(struct fp_backing *fb);
void fp_backing_put(struct fp_backing *fb);
struct fp_backing *fp_backing_lookup(struct fp_conn *conn, int id);
int fp_backing_open(struct fp_conn *conn, const struct fuse_backing_map *map);
int fp_backing_close(struct fp_conn *conn, int id);
void fp_backing_close_all(struct fp_conn *conn);

/* ------------------------------------------------------------------ */
/* control.c                                                         */
/* ------------------------------------------------------------------ */
int fp_control_init(void);
void fp_control_exit(void);
int fp_control_add(struct fp_conn *conn);
void fp_control_remove(struct fp_conn *conn);

/* ------------------------------------------------------------------ */
/* notify.c                                                          */
/* ------------------------------------------------------------------ */
int fp_notify(struct fp_conn *conn, int code, unsigned int size,
	      struct iov_iter *from);

/* ------------------------------------------------------------------ */
/* inode.c: daemon-served inodes                                     */
/* ------------------------------------------------------------------ */
u64 fp_time_to_jiffies(u64 sec, u32 nsec);
bool fp_invalid_attr(const struct fuse_attr *attr);
void fp_invalidate_attr(struct inode *inode);
void fp_invalidate_attr_mask(struct inode *inode, u32 mask);
void fp_invalidate_atime(struct inode *inode);
void fp_make_bad(struct inode *inode);
bool fp_is_bad(const struct inode *inode);
void fp_change_attributes(struct inode *inode, const struct fuse_attr *attr,
			  u64 attr_valid, u64 attr_version);
struct inode *fp_iget_node(struct super_block *sb, u64 nodeid, u64 generation,
			   const struct fuse_attr *attr, u64 attr_valid,
			   u64 attr_version);
void fp_evict_node_inode(struct inode *inode);
void fp_fill_attr_request(struct fp_args *args, u64 nodeid,
			  struct fuse_getattr_in *in, struct fuse_attr_out *out);
int fp_do_getattr_node(struct inode *inode, struct file *file);
int fp_update_attributes(struct inode *inode, struct file *file, u32 mask,
			 unsigned int flags);
int fp_node_getattr(struct mnt_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags);
int fp_node_permission(struct mnt_idmap *idmap, struct inode *inode, int mask);
int fp_node_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct iattr *attr);
void fp_iattr_to_fattr(struct fp_conn *conn, const struct iattr *iattr,
		       struct fuse_setattr_in *arg, bool trust_local_cmtime);
extern const struct inode_operations fp_special_iops;

/* ------------------------------------------------------------------ */
/* dir.c: daemon-served names and directories                        */
/* ------------------------------------------------------------------ */
/* Longest name sent to or taken from a daemon, as FUSE. */
#define FP_NAME_MAX 1024

extern const struct dentry_operations fp_dentry_ops;
void fp_init_dir_inode(struct inode *inode);
void fp_init_symlink_inode(struct inode *inode);
void fp_invalidate_entry_cache(struct dentry *dentry);
void fp_invalidate_entry(struct dentry *dentry);
void fp_dir_changed(struct inode *dir);
void fp_update_ctime(struct inode *inode);
void fp_dentry_settime(struct dentry *dentry, u64 time);
void fp_change_entry_timeout(struct dentry *dentry,
			     const struct fuse_entry_out *out);
u64 fp_entry_attr_timeout(const struct fuse_entry_out *out);
int fp_valid_entry(const struct fuse_entry_out *out, bool negative_ok);
void fp_fill_lookup_args(struct fp_args *args, u64 nodeid,
			 const struct qstr *name, struct fuse_entry_out *out);
struct fp_ext;
int fp_lookup_name(struct super_block *sb, u64 nodeid, const struct qstr *name,
		   struct fuse_entry_out *out, struct fp_ext *ext,
		   struct inode **inode);
int fp_node_mknod(struct inode *dir, struct dentry *entry, umode_t mode,
		  dev_t rdev);
struct dentry *fp_node_lookup(struct inode *dir, struct dentry *entry,
			      unsigned int flags);
extern const struct inode_operations fp_dir_iops;

/* ------------------------------------------------------------------ */
/* symlink.c: daemon-served symbolic links                           */
/* ------------------------------------------------------------------ */
extern const struct inode_operations fp_symlink_iops;
extern const struct address_space_operations fp_symlink_aops;

/* ------------------------------------------------------------------ */
/* readdir.c: daemon-served directories                              */
/* ------------------------------------------------------------------ */
extern const struct file_operations fp_dir_fops;
void fp_advise_use_readdirplus(struct inode *dir);

/* ------------------------------------------------------------------ */
/* file.c: open, create, release, flush, fsync, locks of daemon files */
/* ------------------------------------------------------------------ */
struct fp_file *fp_file_alloc(struct fp_conn *conn, bool release);
struct fp_file *fp_file_get(struct fp_file *ff);
void fp_file_put(struct fp_file *ff, bool sync);
struct fp_file *fp_send_open(struct fp_conn *conn, u64 nodeid,
			     unsigned int flags, bool isdir);
void fp_file_release_prepare(struct fp_file *ff, struct inode *inode,
			     unsigned int flags, bool isdir);
int fp_finish_open(struct inode *inode, struct file *file);
int fp_open_common(struct inode *inode, struct file *file, bool isdir);
void fp_release_common(struct inode *inode, struct file *file, bool isdir);
int fp_atomic_open(struct inode *dir, struct dentry *entry, struct file *file,
		   unsigned int flags, umode_t mode);
int fp_tmpfile(struct mnt_idmap *idmap, struct inode *dir, struct file *file,
	       umode_t mode);
void fp_init_file_inode(struct inode *inode, u32 attr_flags);

/* ------------------------------------------------------------------ */
/* io.c: reads and writes of daemon-served files                      */
/* ------------------------------------------------------------------ */
/*
 * A READ or WRITE of a daemon-served file (io.c, writeback.c). Page
 * arrays, when there are any, follow the structure (fp_io_alloc()).
 */
struct fp_io_args {
	struct fp_args_pages ap;
	union {
		struct {
			struct fuse_read_in in;
			u64 attr_ver;		/* conn->attr_version when sent */
		} read;
		struct {
			struct fuse_write_in in;
			struct fuse_write_out out;
		} write;
	};
	struct fp_file *ff;		/* held by requests nobody waits for */
	struct inode *inode;
	struct list_head queue_entry;	/* fp_inode.queued_writes */
};

extern const struct address_space_operations fp_file_aops;
struct fp_io_args *fp_io_alloc(unsigned int npages, gfp_t gfp);
void fp_io_free(struct fp_io_args *ia);
void fp_write_args_fill(struct fp_io_args *ia, struct fp_file *ff, loff_t pos,
			size_t count);
ssize_t fp_file_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t fp_file_write_iter(struct kiocb *iocb, struct iov_iter *from);
int fp_read_folio_sync(struct file *file, struct folio *folio);
bool fp_write_update_attr(struct inode *inode, loff_t pos, ssize_t written);
void fp_io_finish_open(struct inode *inode, struct file *file);
void fp_io_release(struct inode *inode, struct file *file);
void fp_io_truncate_size(struct inode *inode);
int fp_writeback_from(struct inode *inode, loff_t start);
u32 fp_write_flags(const struct kiocb *iocb);

static inline bool fp_wb_cache(const struct inode *inode)
{
	return fp_conn_of(inode)->init_flags & FUSE_WRITEBACK_CACHE;
}

/* ------------------------------------------------------------------ */
/* write.c: buffered writes of daemon-served files                    */
/* ------------------------------------------------------------------ */
ssize_t fp_cache_write_iter(struct kiocb *iocb, struct iov_iter *from);

/* ------------------------------------------------------------------ */
/* writeback.c: dirty pages, mmap, and the writeback WRITEs         */
/* ------------------------------------------------------------------ */
void fp_io_init_bdi(struct super_block *sb);
void fp_io_set_nowrite(struct inode *inode);
void fp_io_release_nowrite(struct inode *inode);
void fp_link_write_file(struct file *file);
void fp_unlink_write_file(struct file *file);
struct fp_file *fp_write_file_get(struct inode *inode);
int fp_file_mmap(struct file *file, struct vm_area_struct *vma);
int fp_writepages(struct address_space *mapping,
		  struct writeback_control *wbc);
int fp_launder_folio(struct folio *folio);
int fp_io_write_inode(struct inode *inode, struct writeback_control *wbc);

/* ------------------------------------------------------------------ */
/* range.c: seeking, fallocate and copy_file_range of daemon files    */
/* ------------------------------------------------------------------ */
loff_t fp_file_llseek(struct file *file, loff_t offset, int whence);
long fp_file_fallocate(struct file *file, int mode, loff_t offset,
		       loff_t length);
ssize_t fp_copy_file_range(struct file *file_in, loff_t pos_in,
			   struct file *file_out, loff_t pos_out, size_t len,
			   unsigned int flags);

/* ------------------------------------------------------------------ */
/* ioctl.c: FUSE_IOCTL and FUSE_POLL                                  */
/* ------------------------------------------------------------------ */
long fp_file_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long fp_file_compat_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg);
long fp_dir_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long fp_dir_compat_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg);
__poll_t fp_file_poll(struct file *file, struct poll_table_struct *wait);
void fp_poll_release(struct fp_file *ff);
void fp_poll_wakeup(struct fp_conn *conn, u64 kh);

/* ------------------------------------------------------------------ */
/* xattr.c: daemon-served extended attributes                         */
/* ------------------------------------------------------------------ */
ssize_t fp_node_listxattr(struct dentry *dentry, char *list, size_t size);
struct posix_acl *fp_node_get_inode_acl(struct inode *inode, int type,
					bool rcu);
#ifdef COMPAT_HAVE_DENTRY_ACL_OPS
struct posix_acl *fp_node_get_acl(struct mnt_idmap *idmap,
				  struct dentry *dentry, int type);
int fp_node_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct posix_acl *acl, int type);
#define FP_NODE_ACL_IOPS \
	.get_inode_acl = fp_node_get_inode_acl, \
	.get_acl = fp_node_get_acl, \
	.set_acl = fp_node_set_acl
#else
#define FP_NODE_ACL_IOPS .get_inode_acl = fp_node_get_inode_acl
#endif

/* ------------------------------------------------------------------ */
/* super.c                                                           */
/* ------------------------------------------------------------------ */
extern struct file_system_type fp_fs_type;
bool fp_allow_current_cred(const struct super_block *sb);

/*
 * May the calling task use this mount? Asked on every permission check
 * and getattr: the common answer (no user restriction) without a call.
 */
static inline bool fp_allow_current(const struct super_block *sb)
{
	unsigned int flags = fp_sb(sb)->flags;

	if (!(flags & FP_RESTRICT_USER) || (flags & FP_ALLOW_OTHER))
		return true;
	return fp_allow_current_cred(sb);
}
void fp_init_reply_fs(struct fp_conn *conn, struct super_block *sb);

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
int fp_backed_fileattr_get(struct dentry *dentry, struct file_kattr *fa);
int fp_backed_fileattr_set(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct file_kattr *fa);
extern const struct inode_operations fp_backed_file_iops;
extern const struct inode_operations fp_backed_symlink_iops;
extern const struct inode_operations fp_backed_special_iops;

/* ------------------------------------------------------------------ */
/* backed_dir.c                                                      */
/* ------------------------------------------------------------------ */
void fp_dentry_set(struct fp_dentry *fpd, const struct path *backing,
		   struct dentry *lookup);
int fp_backed_d_revalidate(struct dentry *dentry, unsigned int flags);
void fp_dentry_put(struct fp_dentry *fpd);
extern const struct inode_operations fp_backed_dir_iops;

/* ------------------------------------------------------------------ */
/* backed_readdir.c                                                  */
/* ------------------------------------------------------------------ */
extern const struct file_operations fp_backed_dir_fops;

/* ------------------------------------------------------------------ */
/* ext.c: extension blocks, backed entries chosen by the daemon      */
/* ------------------------------------------------------------------ */
/*
 * The blocks after an entry reply, and what they say once checked: the
 * daemon's write of the reply checks them (fp_ext_reply()), while the
 * backing ids they name are surely open.
 */
struct fp_ext {
	unsigned int offset;		/* of the blocks in the last out arg */
	bool remove_ok;			/* REMOVE_BACKING allowed */
	int err;			/* -EIO: refused, the reply is unusable */
	struct fp_backing *fb;		/* BACKING: held until fp_ext_done() */
	u64 prefilter;
	u64 postfilter;
	bool remove;			/* REMOVE_BACKING */
	struct fp_forget *forget;	/* LOOKUP post-filter: for the node */
	u8 buf[FUSEPASS_EXT_MAX_SIZE] __aligned(8);
};

void fp_ext_init(struct fp_args *args, struct fp_ext *ext,
		 unsigned int offset, bool remove_ok);
void fp_ext_arg(struct fp_args *args, struct fp_ext *ext);
int fp_entry_request(struct fp_conn *conn, struct fp_args *args);
void fp_ext_reply(struct fp_conn *conn, struct fp_args *args);
void fp_ext_done(struct fp_ext *ext);
struct inode *fp_ext_iget(struct super_block *sb, struct fp_ext *ext,
			  u64 nodeid, struct fp_forget *forget);
void fp_ext_set_dentry(struct dentry *dentry, struct fp_ext *ext,
		       const struct fuse_entry_out *out);
int fp_ext_d_revalidate(struct dentry *dentry, unsigned int flags);
void fp_ext_evict(struct inode *inode);
void fp_ext_inherit(struct inode *inode, const struct inode *dir);

/* ------------------------------------------------------------------ */
/* filter.c: pre- and post-filters of backed inodes                  */
/* ------------------------------------------------------------------ */
/* Does the daemon want to see @opcode on (or, for a directory, in) @inode? */
static inline bool fp_filtered(const struct inode *inode, u32 opcode,
			       bool post)
{
	const struct fp_inode *fi = fp_inode(inode);
	u64 mask = post ? READ_ONCE(fi->postfilter) : READ_ONCE(fi->prefilter);

	return opcode < 64 && (mask & BIT_ULL(opcode));
}

/* The input a filter request carries after the name. */
struct fp_filter_arg {
	const void *value;
	unsigned int size;
	const char *name2;		/* RENAME2: the new name */
	u64 *newdir;			/* RENAME2: filled with the new dir's node */
	const struct dentry *newparent;
};

int fp_filter_pre_send(struct inode *masks, struct dentry *dentry,
		       u32 opcode, const struct fp_filter_arg *extra);
int fp_filter_post_send(struct inode *masks, struct dentry *dentry,
			u32 opcode, int result,
			const struct fp_filter_arg *extra);

/*
 * The checks inline, the request out of line: most operations of a
 * backed inode have no filter, and the out-of-line function's request
 * arguments (zeroed on entry) cost every one of them a call and a clear.
 */
static inline int fp_filter_pre(struct inode *masks, struct dentry *dentry,
				u32 opcode, const struct fp_filter_arg *extra)
{
	if (!fp_filtered(masks, opcode, false) || !fp_sb(dentry->d_sb)->conn)
		return 0;
	return fp_filter_pre_send(masks, dentry, opcode, extra);
}

static inline int fp_filter_post(struct inode *masks, struct dentry *dentry,
				 u32 opcode, int result,
				 const struct fp_filter_arg *extra)
{
	if (!fp_filtered(masks, opcode, true) || !fp_sb(dentry->d_sb)->conn)
		return result;
	return fp_filter_post_send(masks, dentry, opcode, result, extra);
}
int fp_filter_lookup_post(struct inode *dir, struct dentry *dentry,
			  int result, struct fuse_entry_out *out,
			  struct fp_ext *ext);

/* Count one operation served from a backing object without the daemon. */
static inline void fp_count_backed(const struct super_block *sb)
{
	struct fp_conn *conn = fp_sb(sb)->conn;

	if (conn)
		atomic64_inc(&conn->stats.backed_ops);
}

/* ------------------------------------------------------------------ */
/* passthrough.c: per-open passthrough and I/O modes                 */
/* ------------------------------------------------------------------ */
int fp_iomode_open(struct inode *inode, struct file *file);
int fp_iomode_cached_start(struct inode *inode, struct fp_file *ff);
void fp_iomode_release(struct inode *inode, struct fp_file *ff);
ssize_t fp_passthrough_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t fp_passthrough_write_iter(struct kiocb *iocb, struct iov_iter *from);
int fp_passthrough_mmap(struct file *file, struct vm_area_struct *vma);

/* Does @ff's read and write I/O go to its backing file? */
static inline bool fp_file_passthrough_io(const struct fp_file *ff)
{
	return ff->iomode == FP_IOM_PASSTHROUGH &&
	       !(ff->open_flags & FOPEN_DIRECT_IO);
}

/* ------------------------------------------------------------------ */
/* backing_io.c: I/O on backing files                                */
/* ------------------------------------------------------------------ */
ssize_t fp_backing_read_iter(struct file *backing, struct kiocb *iocb,
			     struct iov_iter *to);
ssize_t fp_backing_write_iter(struct file *backing, struct kiocb *iocb,
			      struct iov_iter *from);
int fp_backing_mmap(struct file *backing, struct vm_area_struct *vma);

/* ------------------------------------------------------------------ */
/* backed_file.c                                                     */
/* ------------------------------------------------------------------ */
extern const struct file_operations fp_backed_file_fops;
extern const struct address_space_operations fp_backed_file_aops;
struct file *fp_backed_open(struct inode *inode, struct file *file,
			    u32 opcode);
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
struct dentry *fp_do_start_creating(const struct path *parent,
				    const struct qstr *name);
struct dentry *fp_do_start_removing(const struct path *parent,
				    const struct qstr *name);
void fp_do_end_change(struct dentry *dentry);
int fp_do_create(const struct path *parent, struct dentry *dentry,
		 umode_t mode);
struct dentry *fp_do_mkdir(const struct path *parent, struct dentry *dentry,
			   umode_t mode);
int fp_do_mknod(const struct path *parent, struct dentry *dentry,
		umode_t mode, dev_t rdev);
int fp_do_symlink(const struct path *parent, struct dentry *dentry,
		  const char *target);
int fp_do_link(const struct path *old, const struct path *parent,
	       struct dentry *dentry);
int fp_do_unlink(const struct path *parent, struct dentry *dentry);
int fp_do_rmdir(const struct path *parent, struct dentry *dentry);
int fp_do_start_renaming(struct renamedata *rd, const struct path *old_parent,
			 const struct qstr *old_name,
			 const struct path *new_parent,
			 const struct qstr *new_name, unsigned int flags);
void fp_do_end_renaming(struct renamedata *rd);
int fp_do_rename(struct renamedata *rd, const struct path *parent);
int fp_do_revalidate(struct dentry *dentry, unsigned int flags);
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
