/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * fusepass - a FUSE-compatible filesystem with stacked passthrough to
 * backing files, for stock Linux kernels.
 *
 * This header is the whole user-visible ABI of fusepass:
 *
 *  1. the filesystem type and its mount options;
 *  2. the FUSE wire protocol spoken on /dev/fusepass, at the protocol
 *     version fusepass implements (7.41), wire-compatible with Linux's
 *     FUSE so that unmodified FUSE daemons work;
 *  3. the fusepass extensions to it.
 *
 * It is self-contained and compiles alone as C90. Part 2 uses the FUSE
 * names; it is skipped when another definition of the FUSE protocol
 * (<linux/fuse.h>, libfuse's fuse_kernel.h) was included first, and it
 * keeps the same include guard so that those are skipped after it.
 *
 * Filesystem type "fusepass" (also "fusepass.SUBTYPE"), misc device
 * /dev/fusepass.
 *
 * Mount options (mount(2) data, comma separated):
 *   fd=FD                an open /dev/fusepass: a FUSE daemon serves the
 *                        mount through it
 *   root_dir=FD          fd (in the mounting process) of a directory the
 *                        mount stacks on; every inode below is backed by
 *                        the corresponding backing inode
 *   no_daemon            no FUSE daemon: all operations are served from
 *                        the backing tree (requires root_dir)
 *   rootmode=OCTAL       file type and mode of the root
 *   user_id=N            owner of the mount; without allow_other only
 *                        this user's tasks may use it
 *   group_id=N           group of the mount
 *   default_permissions  the kernel checks permissions from the mode bits
 *   allow_other          any user may use the mount
 *   max_read=N           largest READ request
 *   blksize=N            block size reported (a power of two, 512..65536)
 *   subtype=NAME         shown in /proc/mounts as fusepass.NAME
 *
 * Mounting requires CAP_SYS_ADMIN in the initial user namespace. A
 * fusepass mount may stack on another stacked filesystem only up to a
 * depth of 2 (-ELOOP beyond).
 *
 * Changelog of the fusepass ABI (FUSEPASS_ABI_MAJOR.MINOR)
 *
 *   1.0  filesystem type, no-daemon stacked mode (root_dir, no_daemon)
 *   1.1  FUSE protocol 7.41 on /dev/fusepass (daemon mode, fd=)
 *   1.2  per-open passthrough (FUSE_PASSTHROUGH in INIT, FOPEN_PASSTHROUGH
 *        with a backing id in OPEN/CREATE replies), on every kernel;
 *        FUSEPASS_BACKING_DIR for FUSE_DEV_IOC_BACKING_OPEN
 *   1.3  extension blocks in LOOKUP-family replies: backed inodes and
 *        subtrees chosen by the daemon (FUSEPASS_EXT_BACKING), daemon-served
 *        names inside them (FUSEPASS_EXT_REMOVE_BACKING), pre- and
 *        post-filters (FUSEPASS_PREFILTER, FUSEPASS_POSTFILTER)
 *
 * Changelog of the FUSE protocol minor versions, as far as they matter to
 * a daemon talking to fusepass (the kernel answers an older daemon with
 * that daemon's minor and only what it knows):
 *
 *   7.1-7.22  the classic request set, notifications, splice, ioctl,
 *             poll, BATCH_FORGET, FALLOCATE, READDIRPLUS, async DIO
 *   7.23  writeback cache, time_gran, RENAME2, NO_OPEN_SUPPORT, FATTR_CTIME
 *   7.24  LSEEK                    7.25  parallel directory operations
 *   7.26  HANDLE_KILLPRIV, POSIX_ACL
 *   7.27  ABORT_ERROR              7.28  COPY_FILE_RANGE, MAX_PAGES,
 *                                        CACHE_SYMLINKS, FOPEN_CACHE_DIR
 *   7.29  NO_OPENDIR_SUPPORT       7.30  EXPLICIT_INVAL_DATA
 *   7.31  WRITE_KILL_PRIV          7.32  fuse_attr.flags
 *   7.33  HANDLE_KILLPRIV_V2, open/create open_flags, FATTR_KILL_SUIDGID,
 *         SETXATTR_EXT
 *   7.34  SYNCFS                   7.35  FOPEN_NOFLUSH
 *   7.36  INIT_EXT and flags2 (64-bit INIT flags), SECURITY_CTX
 *   7.37  TMPFILE                  7.38  request extensions (supplementary
 *                                        group), PARALLEL_DIRECT_WRITES
 *   7.39  STATX                    7.40  passthrough (backing ids, the
 *                                        DEV_IOC_BACKING ioctls)
 *   7.41  ALLOW_IDMAP
 */
#ifndef _UAPI_LINUX_FUSEPASS_H
#define _UAPI_LINUX_FUSEPASS_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

/* ------------------------------------------------------------------ */
/* 1. fusepass                                                         */
/* ------------------------------------------------------------------ */

/* Version of the fusepass ABI (the extensions below and the options). */
#define FUSEPASS_ABI_MAJOR 1
#define FUSEPASS_ABI_MINOR 3

/* f_type reported by statfs(2) on a fusepass mount ("fpas"). */
#define FUSEPASS_SUPER_MAGIC 0x66706173

/* ------------------------------------------------------------------ */
/* 2. The FUSE protocol on /dev/fusepass                               */
/* ------------------------------------------------------------------ */
#ifndef _LINUX_FUSE_H
#define _LINUX_FUSE_H

/*
 * Negotiation: the kernel's INIT request carries its major and minor;
 * the daemon replies with its own. With equal majors both sides use the
 * smaller minor. A daemon with a lower major gets -EPROTO and the
 * connection fails.
 */
#define FUSE_KERNEL_VERSION		7
#define FUSE_KERNEL_MINOR_VERSION	41

/* Node id of the root directory. */
#define FUSE_ROOT_ID			1

/* A read(2) of the device needs a buffer of at least this size. */
#define FUSE_MIN_READ_BUFFER		8192

/*
 * Every message starts with one of these headers. All structures are
 * laid out in 64-bit units so that 32-bit daemons see the same layout.
 */
struct fuse_in_header {
	uint32_t	len;		/* whole request, header included */
	uint32_t	opcode;
	uint64_t	unique;		/* request id; 0 for notifications */
	uint64_t	nodeid;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	pid;
	uint16_t	total_extlen;	/* extensions, in 8-byte units */
	uint16_t	padding;
};

struct fuse_out_header {
	uint32_t	len;		/* whole reply, header included */
	int32_t		error;		/* 0 or a negative errno */
	uint64_t	unique;		/* request answered; 0: notification */
};

/* Marks a request sent again after FUSE_NOTIFY_RESEND. */
#define FUSE_UNIQUE_RESEND		(1ULL << 63)
/* uid/gid of a request whose caller has no mapping. */
#define FUSE_INVALID_UIDGID		((uint32_t)(-1))

enum fuse_opcode {
	FUSE_LOOKUP		= 1,
	FUSE_FORGET		= 2,	/* no reply */
	FUSE_GETATTR		= 3,
	FUSE_SETATTR		= 4,
	FUSE_READLINK		= 5,
	FUSE_SYMLINK		= 6,
	FUSE_MKNOD		= 8,
	FUSE_MKDIR		= 9,
	FUSE_UNLINK		= 10,
	FUSE_RMDIR		= 11,
	FUSE_RENAME		= 12,
	FUSE_LINK		= 13,
	FUSE_OPEN		= 14,
	FUSE_READ		= 15,
	FUSE_WRITE		= 16,
	FUSE_STATFS		= 17,
	FUSE_RELEASE		= 18,
	FUSE_FSYNC		= 20,
	FUSE_SETXATTR		= 21,
	FUSE_GETXATTR		= 22,
	FUSE_LISTXATTR		= 23,
	FUSE_REMOVEXATTR	= 24,
	FUSE_FLUSH		= 25,
	FUSE_INIT		= 26,
	FUSE_OPENDIR		= 27,
	FUSE_READDIR		= 28,
	FUSE_RELEASEDIR		= 29,
	FUSE_FSYNCDIR		= 30,
	FUSE_GETLK		= 31,
	FUSE_SETLK		= 32,
	FUSE_SETLKW		= 33,
	FUSE_ACCESS		= 34,
	FUSE_CREATE		= 35,
	FUSE_INTERRUPT		= 36,
	FUSE_BMAP		= 37,
	FUSE_DESTROY		= 38,
	FUSE_IOCTL		= 39,
	FUSE_POLL		= 40,
	FUSE_NOTIFY_REPLY	= 41,
	FUSE_BATCH_FORGET	= 42,
	FUSE_FALLOCATE		= 43,
	FUSE_READDIRPLUS	= 44,
	FUSE_RENAME2		= 45,
	FUSE_LSEEK		= 46,
	FUSE_COPY_FILE_RANGE	= 47,
	FUSE_SETUPMAPPING	= 48,	/* DAX; not sent by fusepass */
	FUSE_REMOVEMAPPING	= 49,	/* DAX; not sent by fusepass */
	FUSE_SYNCFS		= 50,
	FUSE_TMPFILE		= 51,
	FUSE_STATX		= 52,

	CUSE_INIT		= 4096,	/* CUSE; not used by fusepass */
	/* Byte-swapped INIT opcodes, reserved to detect endianness. */
	CUSE_INIT_BSWAP_RESERVED = 1048576,
	FUSE_INIT_BSWAP_RESERVED = 436207616
};

/* Notifications: a daemon's write with unique 0, code in .error. */
enum fuse_notify_code {
	FUSE_NOTIFY_POLL	= 1,
	FUSE_NOTIFY_INVAL_INODE	= 2,
	FUSE_NOTIFY_INVAL_ENTRY	= 3,
	FUSE_NOTIFY_STORE	= 4,
	FUSE_NOTIFY_RETRIEVE	= 5,
	FUSE_NOTIFY_DELETE	= 6,
	FUSE_NOTIFY_RESEND	= 7,
	FUSE_NOTIFY_CODE_MAX
};

/* Attributes of an inode, as the daemon reports them. */
struct fuse_attr {
	uint64_t	ino;
	uint64_t	size;
	uint64_t	blocks;		/* in 512-byte units */
	uint64_t	atime;
	uint64_t	mtime;
	uint64_t	ctime;
	uint32_t	atimensec;
	uint32_t	mtimensec;
	uint32_t	ctimensec;
	uint32_t	mode;
	uint32_t	nlink;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	rdev;
	uint32_t	blksize;
	uint32_t	flags;		/* FUSE_ATTR_* */
};

/* fuse_attr.flags */
#define FUSE_ATTR_SUBMOUNT	(1 << 0)
#define FUSE_ATTR_DAX		(1 << 1)

struct fuse_sx_time {
	int64_t		tv_sec;
	uint32_t	tv_nsec;
	int32_t		__reserved;
};

/* Like struct statx; answer to FUSE_STATX. */
struct fuse_statx {
	uint32_t	mask;
	uint32_t	blksize;
	uint64_t	attributes;
	uint32_t	nlink;
	uint32_t	uid;
	uint32_t	gid;
	uint16_t	mode;
	uint16_t	__spare0[1];
	uint64_t	ino;
	uint64_t	size;
	uint64_t	blocks;
	uint64_t	attributes_mask;
	struct fuse_sx_time	atime;
	struct fuse_sx_time	btime;
	struct fuse_sx_time	ctime;
	struct fuse_sx_time	mtime;
	uint32_t	rdev_major;
	uint32_t	rdev_minor;
	uint32_t	dev_major;
	uint32_t	dev_minor;
	uint64_t	__spare2[14];
};

struct fuse_kstatfs {
	uint64_t	blocks;
	uint64_t	bfree;
	uint64_t	bavail;
	uint64_t	files;
	uint64_t	ffree;
	uint32_t	bsize;
	uint32_t	namelen;
	uint32_t	frsize;
	uint32_t	padding;
	uint32_t	spare[6];
};

struct fuse_file_lock {
	uint64_t	start;
	uint64_t	end;
	uint32_t	type;
	uint32_t	pid;		/* thread group id of the holder */
};

/* --- INIT --------------------------------------------------------- */

/* Capability flags of INIT (flags | (uint64_t)flags2 << 32). */
#define FUSE_ASYNC_READ		(1 << 0)
#define FUSE_POSIX_LOCKS	(1 << 1)
#define FUSE_FILE_OPS		(1 << 2)
#define FUSE_ATOMIC_O_TRUNC	(1 << 3)
#define FUSE_EXPORT_SUPPORT	(1 << 4)
#define FUSE_BIG_WRITES		(1 << 5)
#define FUSE_DONT_MASK		(1 << 6)
#define FUSE_SPLICE_WRITE	(1 << 7)
#define FUSE_SPLICE_MOVE	(1 << 8)
#define FUSE_SPLICE_READ	(1 << 9)
#define FUSE_FLOCK_LOCKS	(1 << 10)
#define FUSE_HAS_IOCTL_DIR	(1 << 11)
#define FUSE_AUTO_INVAL_DATA	(1 << 12)
#define FUSE_DO_READDIRPLUS	(1 << 13)
#define FUSE_READDIRPLUS_AUTO	(1 << 14)
#define FUSE_ASYNC_DIO		(1 << 15)
#define FUSE_WRITEBACK_CACHE	(1 << 16)
#define FUSE_NO_OPEN_SUPPORT	(1 << 17)
#define FUSE_PARALLEL_DIROPS	(1 << 18)
#define FUSE_HANDLE_KILLPRIV	(1 << 19)
#define FUSE_POSIX_ACL		(1 << 20)
#define FUSE_ABORT_ERROR	(1 << 21)
#define FUSE_MAX_PAGES		(1 << 22)
#define FUSE_CACHE_SYMLINKS	(1 << 23)
#define FUSE_NO_OPENDIR_SUPPORT	(1 << 24)
#define FUSE_EXPLICIT_INVAL_DATA (1 << 25)
#define FUSE_MAP_ALIGNMENT	(1 << 26)
#define FUSE_SUBMOUNTS		(1 << 27)
#define FUSE_HANDLE_KILLPRIV_V2	(1 << 28)
#define FUSE_SETXATTR_EXT	(1 << 29)
#define FUSE_INIT_EXT		(1 << 30)
#define FUSE_INIT_RESERVED	(1 << 31)
#define FUSE_SECURITY_CTX	(1ULL << 32)
#define FUSE_HAS_INODE_DAX	(1ULL << 33)
#define FUSE_CREATE_SUPP_GROUP	(1ULL << 34)
#define FUSE_HAS_EXPIRE_ONLY	(1ULL << 35)
#define FUSE_DIRECT_IO_ALLOW_MMAP (1ULL << 36)
#define FUSE_PASSTHROUGH	(1ULL << 37)
#define FUSE_NO_EXPORT_SUPPORT	(1ULL << 38)
#define FUSE_HAS_RESEND		(1ULL << 39)
#define FUSE_ALLOW_IDMAP	(1ULL << 40)
/* Old name of FUSE_DIRECT_IO_ALLOW_MMAP. */
#define FUSE_DIRECT_IO_RELAX	FUSE_DIRECT_IO_ALLOW_MMAP

struct fuse_init_in {
	uint32_t	major;
	uint32_t	minor;
	uint32_t	max_readahead;
	uint32_t	flags;
	uint32_t	flags2;		/* 7.36: upper 32 flag bits */
	uint32_t	unused[11];
};

/* Reply sizes older daemons send: before 7.5, and 7.5..7.22. */
#define FUSE_COMPAT_INIT_OUT_SIZE	8
#define FUSE_COMPAT_22_INIT_OUT_SIZE	24

struct fuse_init_out {
	uint32_t	major;
	uint32_t	minor;
	uint32_t	max_readahead;
	uint32_t	flags;
	uint16_t	max_background;
	uint16_t	congestion_threshold;
	uint32_t	max_write;
	uint32_t	time_gran;	/* ns; a power of ten up to 1e9 */
	uint16_t	max_pages;
	uint16_t	map_alignment;
	uint32_t	flags2;
	uint32_t	max_stack_depth; /* 7.40, with FUSE_PASSTHROUGH */
	uint32_t	unused[6];
};

/* --- names and attributes ----------------------------------------- */

/* Reply size of LOOKUP and friends before 7.9 (no fuse_attr.blksize). */
#define FUSE_COMPAT_ENTRY_OUT_SIZE	120

struct fuse_entry_out {
	uint64_t	nodeid;		/* 0: negative entry, cached */
	uint64_t	generation;	/* nodeid+generation unique for life */
	uint64_t	entry_valid;	/* seconds the name may be cached */
	uint64_t	attr_valid;	/* seconds the attributes may be cached */
	uint32_t	entry_valid_nsec;
	uint32_t	attr_valid_nsec;
	struct fuse_attr attr;
};

struct fuse_forget_in {
	uint64_t	nlookup;
};

struct fuse_forget_one {
	uint64_t	nodeid;
	uint64_t	nlookup;
};

struct fuse_batch_forget_in {
	uint32_t	count;		/* followed by count fuse_forget_one */
	uint32_t	dummy;
};

#define FUSE_GETATTR_FH		(1 << 0)

struct fuse_getattr_in {
	uint32_t	getattr_flags;
	uint32_t	dummy;
	uint64_t	fh;
};

#define FUSE_COMPAT_ATTR_OUT_SIZE	96

struct fuse_attr_out {
	uint64_t	attr_valid;
	uint32_t	attr_valid_nsec;
	uint32_t	dummy;
	struct fuse_attr attr;
};

struct fuse_statx_in {
	uint32_t	getattr_flags;
	uint32_t	reserved;
	uint64_t	fh;
	uint32_t	sx_flags;
	uint32_t	sx_mask;
};

struct fuse_statx_out {
	uint64_t	attr_valid;
	uint32_t	attr_valid_nsec;
	uint32_t	flags;
	uint64_t	spare[2];
	struct fuse_statx stat;
};

/* fuse_setattr_in.valid */
#define FATTR_MODE		(1 << 0)
#define FATTR_UID		(1 << 1)
#define FATTR_GID		(1 << 2)
#define FATTR_SIZE		(1 << 3)
#define FATTR_ATIME		(1 << 4)
#define FATTR_MTIME		(1 << 5)
#define FATTR_FH		(1 << 6)
#define FATTR_ATIME_NOW		(1 << 7)
#define FATTR_MTIME_NOW		(1 << 8)
#define FATTR_LOCKOWNER		(1 << 9)
#define FATTR_CTIME		(1 << 10)
#define FATTR_KILL_SUIDGID	(1 << 11)

struct fuse_setattr_in {
	uint32_t	valid;
	uint32_t	padding;
	uint64_t	fh;
	uint64_t	size;
	uint64_t	lock_owner;
	uint64_t	atime;
	uint64_t	mtime;
	uint64_t	ctime;
	uint32_t	atimensec;
	uint32_t	mtimensec;
	uint32_t	ctimensec;
	uint32_t	mode;
	uint32_t	unused4;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	unused5;
};

#define FUSE_COMPAT_MKNOD_IN_SIZE	8

struct fuse_mknod_in {
	uint32_t	mode;
	uint32_t	rdev;
	uint32_t	umask;
	uint32_t	padding;
};

struct fuse_mkdir_in {
	uint32_t	mode;
	uint32_t	umask;
};

struct fuse_rename_in {
	uint64_t	newdir;
};

struct fuse_rename2_in {
	uint64_t	newdir;
	uint32_t	flags;		/* RENAME_* */
	uint32_t	padding;
};

struct fuse_link_in {
	uint64_t	oldnodeid;
};

struct fuse_access_in {
	uint32_t	mask;
	uint32_t	padding;
};

/* --- open files ---------------------------------------------------- */

/* fuse_open_in.open_flags, fuse_create_in.open_flags */
#define FUSE_OPEN_KILL_SUIDGID	(1 << 0)

struct fuse_open_in {
	uint32_t	flags;		/* open(2) flags */
	uint32_t	open_flags;	/* FUSE_OPEN_* */
};

struct fuse_create_in {
	uint32_t	flags;
	uint32_t	mode;
	uint32_t	umask;
	uint32_t	open_flags;
};

/* fuse_open_out.open_flags */
#define FOPEN_DIRECT_IO		(1 << 0)	/* bypass the page cache */
#define FOPEN_KEEP_CACHE	(1 << 1)	/* keep cached data on open */
#define FOPEN_NONSEEKABLE	(1 << 2)
#define FOPEN_CACHE_DIR		(1 << 3)	/* cache directory contents */
#define FOPEN_STREAM		(1 << 4)	/* no file position at all */
#define FOPEN_NOFLUSH		(1 << 5)	/* no FLUSH on close */
#define FOPEN_PARALLEL_DIRECT_WRITES (1 << 6)
#define FOPEN_PASSTHROUGH	(1 << 7)	/* I/O on the backing_id file */

struct fuse_open_out {
	uint64_t	fh;
	uint32_t	open_flags;
	int32_t		backing_id;	/* with FOPEN_PASSTHROUGH */
};

/* fuse_release_in.release_flags */
#define FUSE_RELEASE_FLUSH		(1 << 0)
#define FUSE_RELEASE_FLOCK_UNLOCK	(1 << 1)

struct fuse_release_in {
	uint64_t	fh;
	uint32_t	flags;
	uint32_t	release_flags;
	uint64_t	lock_owner;
};

struct fuse_flush_in {
	uint64_t	fh;
	uint32_t	unused;
	uint32_t	padding;
	uint64_t	lock_owner;
};

/* fuse_read_in.read_flags */
#define FUSE_READ_LOCKOWNER	(1 << 1)

struct fuse_read_in {
	uint64_t	fh;
	uint64_t	offset;
	uint32_t	size;
	uint32_t	read_flags;
	uint64_t	lock_owner;
	uint32_t	flags;
	uint32_t	padding;
};

/* fuse_write_in.write_flags */
#define FUSE_WRITE_CACHE	(1 << 0)	/* from the page cache */
#define FUSE_WRITE_LOCKOWNER	(1 << 1)
#define FUSE_WRITE_KILL_SUIDGID	(1 << 2)
#define FUSE_WRITE_KILL_PRIV	FUSE_WRITE_KILL_SUIDGID

#define FUSE_COMPAT_WRITE_IN_SIZE	24

struct fuse_write_in {
	uint64_t	fh;
	uint64_t	offset;
	uint32_t	size;
	uint32_t	write_flags;
	uint64_t	lock_owner;
	uint32_t	flags;
	uint32_t	padding;
};

struct fuse_write_out {
	uint32_t	size;
	uint32_t	padding;
};

#define FUSE_FSYNC_FDATASYNC	(1 << 0)

struct fuse_fsync_in {
	uint64_t	fh;
	uint32_t	fsync_flags;
	uint32_t	padding;
};

#define FUSE_COMPAT_STATFS_SIZE	48

struct fuse_statfs_out {
	struct fuse_kstatfs st;
};

#define FUSE_LK_FLOCK		(1 << 0)

struct fuse_lk_in {
	uint64_t	fh;
	uint64_t	owner;
	struct fuse_file_lock lk;
	uint32_t	lk_flags;
	uint32_t	padding;
};

struct fuse_lk_out {
	struct fuse_file_lock lk;
};

struct fuse_fallocate_in {
	uint64_t	fh;
	uint64_t	offset;
	uint64_t	length;
	uint32_t	mode;
	uint32_t	padding;
};

struct fuse_lseek_in {
	uint64_t	fh;
	uint64_t	offset;
	uint32_t	whence;
	uint32_t	padding;
};

struct fuse_lseek_out {
	uint64_t	offset;
};

struct fuse_copy_file_range_in {
	uint64_t	fh_in;
	uint64_t	off_in;
	uint64_t	nodeid_out;
	uint64_t	fh_out;
	uint64_t	off_out;
	uint64_t	len;
	uint64_t	flags;
};

struct fuse_bmap_in {
	uint64_t	block;
	uint32_t	blocksize;
	uint32_t	padding;
};

struct fuse_bmap_out {
	uint64_t	block;
};

struct fuse_syncfs_in {
	uint64_t	padding;
};

/* --- extended attributes ------------------------------------------- */

#define FUSE_SETXATTR_ACL_KILL_SGID	(1 << 0)
/* SETXATTR input size without setxattr_flags (no FUSE_SETXATTR_EXT). */
#define FUSE_COMPAT_SETXATTR_IN_SIZE	8

struct fuse_setxattr_in {
	uint32_t	size;
	uint32_t	flags;
	uint32_t	setxattr_flags;
	uint32_t	padding;
};

struct fuse_getxattr_in {
	uint32_t	size;
	uint32_t	padding;
};

struct fuse_getxattr_out {
	uint32_t	size;
	uint32_t	padding;
};

/* --- ioctl and poll ------------------------------------------------ */

#define FUSE_IOCTL_COMPAT	(1 << 0)
#define FUSE_IOCTL_UNRESTRICTED	(1 << 1)
#define FUSE_IOCTL_RETRY	(1 << 2)
#define FUSE_IOCTL_32BIT	(1 << 3)
#define FUSE_IOCTL_DIR		(1 << 4)
#define FUSE_IOCTL_COMPAT_X32	(1 << 5)
#define FUSE_IOCTL_MAX_IOV	256

struct fuse_ioctl_in {
	uint64_t	fh;
	uint32_t	flags;
	uint32_t	cmd;
	uint64_t	arg;
	uint32_t	in_size;
	uint32_t	out_size;
};

struct fuse_ioctl_iovec {
	uint64_t	base;
	uint64_t	len;
};

struct fuse_ioctl_out {
	int32_t		result;
	uint32_t	flags;
	uint32_t	in_iovs;
	uint32_t	out_iovs;
};

#define FUSE_POLL_SCHEDULE_NOTIFY (1 << 0)

struct fuse_poll_in {
	uint64_t	fh;
	uint64_t	kh;
	uint32_t	flags;
	uint32_t	events;
};

struct fuse_poll_out {
	uint32_t	revents;
	uint32_t	padding;
};

struct fuse_notify_poll_wakeup_out {
	uint64_t	kh;
};

/* --- misc requests ------------------------------------------------- */

struct fuse_interrupt_in {
	uint64_t	unique;
};

/* Directory entries in READDIR replies, each padded to 8 bytes. */
struct fuse_dirent {
	uint64_t	ino;
	uint64_t	off;
	uint32_t	namelen;
	uint32_t	type;
	char		name[1];	/* namelen bytes, not terminated */
};

/* Bytes before fuse_dirent.name, and the padded size of an entry. */
#define FUSE_NAME_OFFSET	24
#define FUSE_DIRENT_ALIGN(x)	(((x) + 7) & ~(uint64_t)7)
#define FUSE_DIRENT_SIZE(d)	FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + (d)->namelen)

/* READDIRPLUS entries: an entry reply, then the directory entry. */
struct fuse_direntplus {
	struct fuse_entry_out entry_out;
	struct fuse_dirent dirent;
};

#define FUSE_NAME_OFFSET_DIRENTPLUS	(128 + FUSE_NAME_OFFSET)
#define FUSE_DIRENTPLUS_SIZE(d) \
	FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + (d)->dirent.namelen)

/* --- notifications ------------------------------------------------- */

/* fuse_notify_inval_entry_out.flags */
#define FUSE_EXPIRE_ONLY	(1 << 0)

struct fuse_notify_inval_inode_out {
	uint64_t	ino;
	int64_t		off;
	int64_t		len;
};

struct fuse_notify_inval_entry_out {
	uint64_t	parent;
	uint32_t	namelen;
	uint32_t	flags;
};

struct fuse_notify_delete_out {
	uint64_t	parent;
	uint64_t	child;
	uint32_t	namelen;
	uint32_t	padding;
};

struct fuse_notify_store_out {
	uint64_t	nodeid;
	uint64_t	offset;
	uint32_t	size;
	uint32_t	padding;
};

struct fuse_notify_retrieve_out {
	uint64_t	notify_unique;
	uint64_t	nodeid;
	uint64_t	offset;
	uint32_t	size;
	uint32_t	padding;
};

/* Sent to the daemon (opcode FUSE_NOTIFY_REPLY) with retrieved data. */
struct fuse_notify_retrieve_in {
	uint64_t	dummy1;
	uint64_t	offset;
	uint32_t	size;
	uint32_t	dummy2;
	uint64_t	dummy3;
	uint64_t	dummy4;
};

/* --- request extensions (7.38) ------------------------------------- */

/* Types 0..31 are reserved for security contexts. */
enum fuse_ext_type {
	FUSE_MAX_NR_SECCTX	= 31,
	FUSE_EXT_GROUPS		= 32
};

struct fuse_ext_header {
	uint32_t	size;		/* of this extension, header included */
	uint32_t	type;
};

struct fuse_supp_groups {
	uint32_t	nr_groups;
	uint32_t	groups[1];	/* nr_groups of them */
};

/* --- device ioctls ------------------------------------------------- */

/* FUSE_DEV_IOC_BACKING_OPEN argument (7.40). */
struct fuse_backing_map {
	int32_t		fd;
	uint32_t	flags;
	uint64_t	padding;
};

#define FUSE_DEV_IOC_MAGIC		229
#define FUSE_DEV_IOC_CLONE		_IOR(FUSE_DEV_IOC_MAGIC, 0, uint32_t)
#define FUSE_DEV_IOC_BACKING_OPEN	_IOW(FUSE_DEV_IOC_MAGIC, 1, \
					     struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE	_IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)

#endif /* _LINUX_FUSE_H */

/* ------------------------------------------------------------------ */
/* 3. fusepass extensions                                              */
/* ------------------------------------------------------------------ */

/*
 * FUSE_DEV_IOC_BACKING_OPEN flags. Upstream defines none; fusepass
 * accepts this one to register a directory (for stacked, per-inode use;
 * a directory cannot be used for per-open passthrough).
 */
#define FUSEPASS_BACKING_DIR	(1U << 0)

/*
 * Extension blocks (fusepass 1.3).
 *
 * A reply to LOOKUP, MKNOD, MKDIR, SYMLINK or LINK (fuse_entry_out), to
 * CREATE (fuse_entry_out, fuse_open_out), or to a LOOKUP post-filter
 * (fuse_entry_out) may carry up to FUSEPASS_EXT_MAX_BLOCKS blocks after
 * its normal payload, FUSEPASS_EXT_MAX_SIZE bytes in all. Each block
 * starts with a fusepass_ext_header, and its size is a multiple of 8 and
 * exactly that of its type's structure. An unknown type, a non-zero flag
 * or reserved field, a bad size, an unknown backing id or a mask naming
 * an opcode outside FUSEPASS_FILTERABLE: the reply is refused, the call
 * fails with EIO and the kernel logs a line naming the problem (rate
 * limited, as all its warnings). A plain
 * FUSE daemon sends no block and is unaffected.
 *
 *   FUSEPASS_EXT_BACKING         the entry is backed by the file or
 *                                directory registered as backing_id (a
 *                                directory needs FUSEPASS_BACKING_DIR):
 *                                the kernel serves every operation on it
 *                                from there (attributes, data, xattrs,
 *                                and for a directory its names), without
 *                                asking the daemon. A backed directory's
 *                                children are looked up in the backing
 *                                directory and are backed too, with the
 *                                same filters. The entry's nodeid stays
 *                                known to the kernel (FORGOTten when the
 *                                inode goes) and names the object in
 *                                filter requests; its attributes in the
 *                                reply are ignored. The name's entry
 *                                timeout applies as for any entry: once
 *                                it expires the kernel looks it up again,
 *                                and a reply naming another backing
 *                                object replaces the dentry.
 *   FUSEPASS_EXT_REMOVE_BACKING  (in the reply to a LOOKUP post-filter on
 *                                a name in a backed directory) the name
 *                                is served by the daemon instead, as the
 *                                node of the reply's fuse_entry_out. Such
 *                                a name cannot be unlinked, renamed or
 *                                linked through the backed directory
 *                                (EPERM, EXDEV).
 *
 * A CREATE reply that backs the new file: the kernel opens the backing
 * file itself and RELEASEs the daemon's fh at once (in the background,
 * naming the new node).
 *
 * The kernel resolves the backing ids of a reply's blocks within the
 * daemon's write(2) of that reply, and holds the objects from then on:
 * the daemon may close an id as soon as the write returns.
 *
 * A backed object cannot be hard-linked into a daemon directory nor
 * renamed between a backed and a daemon directory: EXDEV, as between
 * mounts. Types 2 and 4 are reserved for BPF programs (fuse-bpf's
 * numbering).
 */
#define FUSEPASS_EXT_MAX_BLOCKS		2
#define FUSEPASS_EXT_MAX_SIZE		96

enum fusepass_ext_type {
	FUSEPASS_EXT_BACKING		= 1,
	FUSEPASS_EXT_BPF		= 2,	/* reserved */
	FUSEPASS_EXT_REMOVE_BACKING	= 3,
	FUSEPASS_EXT_REMOVE_BPF		= 4	/* reserved */
};

struct fusepass_ext_header {
	uint32_t	size;		/* of the block, header included */
	uint16_t	type;		/* FUSEPASS_EXT_* */
	uint16_t	flags;		/* none defined: must be 0 */
};

/*
 * Filters: bit N of a mask stands for FUSE opcode N. Filters of a backed
 * directory apply to the operations on the names in it (LOOKUP, CREATE,
 * MKNOD, MKDIR, SYMLINK, LINK, UNLINK, RMDIR, RENAME2 from there) and are
 * inherited by its backed descendants; those of a file to the operations
 * on it (OPEN, OPENDIR, GETATTR, SETATTR).
 *
 * For an opcode in prefilter, before the backing operation, the daemon
 * gets a request with opcode | FUSEPASS_PREFILTER: replying with an error
 * refuses the operation with it; 0 lets it proceed. For an opcode in
 * postfilter, after the backing operation (whatever its outcome), the
 * daemon gets opcode | FUSEPASS_POSTFILTER with error_in set to the
 * result: 0 keeps the result, an error replaces it (a successful
 * operation is not undone: a post-filter error on UNLINK does not bring
 * the file back). A LOOKUP post-filter may also reply with a
 * fuse_entry_out and blocks (see above). Operations not in a mask never
 * reach the daemon. If the daemon is gone, a filtered operation fails
 * with ENOTCONN.
 *
 * A filter request carries a fusepass_filter_in, then the name the
 * operation is about (namelen bytes and a NUL: the name in the directory
 * for namespace operations, the last component the object was reached by
 * for the others), then the operation's own input as FUSE sends it:
 * fuse_open_in (OPEN, OPENDIR), fuse_create_in (CREATE; its flags are 0:
 * the open that follows the creation has an OPEN filter), fuse_mknod_in
 * (MKNOD), fuse_mkdir_in (MKDIR), the target and a NUL (SYMLINK),
 * fuse_setattr_in (SETATTR), fuse_rename2_in and the new name and a NUL
 * (RENAME2, newdir as the nodeid rule below), nothing for the others.
 * Its nodeid is the object's if the daemon gave it one (the entry that
 * carried the BACKING block), else that of its nearest such ancestor
 * (for namespace operations: of the directory, or its nearest such
 * ancestor).
 */
#define FUSEPASS_PREFILTER	0x10000
#define FUSEPASS_POSTFILTER	0x20000
#define FUSEPASS_OPCODE_MASK	0xffff
#define FUSEPASS_FILTER_BIT(op)	((uint64_t)1 << (op))
#define FUSEPASS_FILTERABLE	(FUSEPASS_FILTER_BIT(1) /* LOOKUP */ | \
				 FUSEPASS_FILTER_BIT(3) /* GETATTR */ | \
				 FUSEPASS_FILTER_BIT(4) /* SETATTR */ | \
				 FUSEPASS_FILTER_BIT(6) /* SYMLINK */ | \
				 FUSEPASS_FILTER_BIT(8) /* MKNOD */ | \
				 FUSEPASS_FILTER_BIT(9) /* MKDIR */ | \
				 FUSEPASS_FILTER_BIT(10) /* UNLINK */ | \
				 FUSEPASS_FILTER_BIT(11) /* RMDIR */ | \
				 FUSEPASS_FILTER_BIT(13) /* LINK */ | \
				 FUSEPASS_FILTER_BIT(14) /* OPEN */ | \
				 FUSEPASS_FILTER_BIT(27) /* OPENDIR */ | \
				 FUSEPASS_FILTER_BIT(35) /* CREATE */ | \
				 FUSEPASS_FILTER_BIT(45) /* RENAME2 */)

struct fusepass_ext_backing {
	struct fusepass_ext_header h;	/* size 40, type FUSEPASS_EXT_BACKING */
	int32_t		backing_id;	/* from FUSE_DEV_IOC_BACKING_OPEN */
	uint32_t	reserved0;
	uint64_t	prefilter;	/* FUSEPASS_FILTER_BIT(opcode) | ... */
	uint64_t	postfilter;
	uint64_t	reserved1;
};

struct fusepass_ext_remove {
	struct fusepass_ext_header h;	/* size 8, type ..._REMOVE_BACKING */
};

/* First argument of every filter request. */
struct fusepass_filter_in {
	int32_t		error_in;	/* post-filter: the backing result */
	uint32_t	namelen;	/* the name that follows, without NUL */
};

#endif /* _UAPI_LINUX_FUSEPASS_H */
