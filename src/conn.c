// SPDX-License-Identifier: GPL-2.0
/*
 * conn.c - a connection to a FUSE daemon: its life, the INIT handshake,
 * and aborting it.
 *
 * A connection lives as long as the mount or any of its devices. When
 * the daemon closes its last device, or an administrator aborts it, every
 * waiting and new request fails with -ENOTCONN at once.
 */
#include <linux/backing-dev.h>
#include <linux/idr.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "fusepass.h"

struct fp_conn *fp_conn_alloc(void)
{
	struct fp_conn *conn;
	unsigned int i;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return NULL;
	refcount_set(&conn->count, 1);
	spin_lock_init(&conn->lock);
	init_waitqueue_head(&conn->waitq);
	init_waitqueue_head(&conn->blocked_waitq);
	INIT_LIST_HEAD(&conn->pending);
	INIT_LIST_HEAD(&conn->interrupts);
	INIT_LIST_HEAD(&conn->io);
	INIT_LIST_HEAD(&conn->bg_queue);
	INIT_LIST_HEAD(&conn->devices);
	for (i = 0; i < ARRAY_SIZE(conn->processing); i++)
		INIT_LIST_HEAD(&conn->processing[i]);
	conn->forget_tail = &conn->forget_head;
	conn->forget_batch = FP_FORGET_BATCH;
	conn->connected = true;
	conn->max_background = FP_DEFAULT_MAX_BACKGROUND;
	conn->congestion_threshold = FP_DEFAULT_MAX_BACKGROUND * 3 / 4;
	conn->max_read = UINT_MAX;
	conn->max_write = 4096;
	conn->max_pages = FP_DEFAULT_MAX_PAGES;
	conn->user_ns = get_user_ns(current_user_ns());
	conn->pid_ns = get_pid_ns(task_active_pid_ns(current));
	atomic64_set(&conn->attr_version, 1);
	idr_init(&conn->backing_ids);
	return conn;
}

struct fp_conn *fp_conn_get(struct fp_conn *conn)
{
	refcount_inc(&conn->count);
	return conn;
}

void fp_conn_put(struct fp_conn *conn)
{
	if (!refcount_dec_and_test(&conn->count))
		return;
	idr_destroy(&conn->backing_ids);
	put_pid_ns(conn->pid_ns);
	put_user_ns(conn->user_ns);
	kfree_rcu(conn, rcu);
}

/* Let callers waiting for INIT go (to a working or failed connection). */
static void fp_conn_set_initialized(struct fp_conn *conn)
{
	/* Everything negotiated is visible before initialized is. */
	smp_wmb();
	WRITE_ONCE(conn->initialized, true);
	wake_up_all(&conn->blocked_waitq);
}

/*
 * End the connection: nothing more goes to the daemon, every request in
 * flight ends with -ENOTCONN, readers of the device get -ENODEV (or
 * -ECONNABORTED if the daemon asked for it). Requests being copied right
 * now are ended by their copier, which sees the connection gone.
 */
void fp_conn_abort(struct fp_conn *conn)
{
	struct fp_req *req, *next;
	struct fp_forget *forget;
	LIST_HEAD(to_end);
	unsigned int i;

	spin_lock(&conn->lock);
	if (!conn->connected) {
		spin_unlock(&conn->lock);
		return;
	}
	conn->connected = false;
	conn->aborted = true;
	/* Nothing may wait for a background slot any more. */
	conn->max_background = UINT_MAX;

	list_for_each_entry(req, &conn->bg_queue, list) {
		/* Ended below as if started. */
		conn->active_background++;
	}
	list_splice_tail_init(&conn->bg_queue, &to_end);

	list_for_each_entry(req, &conn->pending, list)
		clear_bit(FR_PENDING, &req->flags);
	list_splice_tail_init(&conn->pending, &to_end);

	for (i = 0; i < ARRAY_SIZE(conn->processing); i++) {
		list_for_each_entry(req, &conn->processing[i], list)
			clear_bit(FR_SENT, &req->flags);
		list_splice_tail_init(&conn->processing[i], &to_end);
	}
	list_for_each_entry(req, &conn->io, list)
		set_bit(FR_ABORTED, &req->flags);

	list_for_each_entry_safe(req, next, &conn->interrupts, intr_entry)
		list_del_init(&req->intr_entry);

	forget = conn->forget_head.next;
	conn->forget_head.next = NULL;
	conn->forget_tail = &conn->forget_head;

	wake_up_all(&conn->waitq);
	kill_fasync(&conn->fasync, SIGIO, POLL_IN);
	spin_unlock(&conn->lock);

	while (forget) {
		struct fp_forget *n = forget->next;

		kfree(forget);
		forget = n;
	}
	list_for_each_entry_safe(req, next, &to_end, list) {
		list_del_init(&req->list);
		set_bit(FR_ABORTED, &req->flags);
		req->out_h.error = -ENOTCONN;
		fp_request_end(req);
	}
	fp_backing_close_all(conn);
	fp_conn_set_initialized(conn);
	wake_up_all(&conn->blocked_waitq);
}

/* Wait until no request of an aborted connection is in flight. */
void fp_conn_wait_aborted(struct fp_conn *conn)
{
	wait_event(conn->blocked_waitq, atomic_read(&conn->num_waiting) == 0);
}

/* ---- INIT --------------------------------------------------------- */

/*
 * What fusepass offers a daemon in INIT. Each bit is implemented; the
 * daemon's reply selects among them.
 */
#define FP_INIT_OFFER (FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | \
	FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_DONT_MASK | \
	FUSE_SPLICE_WRITE | FUSE_SPLICE_MOVE | FUSE_SPLICE_READ | \
	FUSE_FLOCK_LOCKS | FUSE_HAS_IOCTL_DIR | FUSE_AUTO_INVAL_DATA | \
	FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | \
	FUSE_WRITEBACK_CACHE | FUSE_NO_OPEN_SUPPORT | FUSE_PARALLEL_DIROPS | \
	FUSE_HANDLE_KILLPRIV | FUSE_POSIX_ACL | FUSE_ABORT_ERROR | \
	FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS | FUSE_NO_OPENDIR_SUPPORT | \
	FUSE_EXPLICIT_INVAL_DATA | FUSE_HANDLE_KILLPRIV_V2 | \
	FUSE_SETXATTR_EXT | FUSE_INIT_EXT | FUSE_HAS_EXPIRE_ONLY | \
	FUSE_DIRECT_IO_ALLOW_MMAP | FUSE_PASSTHROUGH)

struct fp_init_args {
	struct fp_args args;
	struct fuse_init_in in;
	struct fuse_init_out out;
};

static void fp_init_reply(struct fp_conn *conn, struct fp_args *args,
			  int error)
{
	struct fp_init_args *ia = container_of(args, struct fp_init_args, args);
	struct fuse_init_out *out = &ia->out;
	struct super_block *sb = conn->sb;
	u64 flags;

	if (error || out->major != FUSE_KERNEL_VERSION) {
		if (!error)
			pr_warn_ratelimited("daemon speaks FUSE %u.%u, fusepass 7.%u: connection refused\n",
					    out->major, out->minor,
					    FUSE_KERNEL_MINOR_VERSION);
		WRITE_ONCE(conn->conn_error, true);
		goto out;
	}

	conn->minor = min_t(unsigned int, out->minor, FUSE_KERNEL_MINOR_VERSION);
	flags = out->flags;
	if (conn->minor >= 36 && (flags & FUSE_INIT_EXT))
		flags |= (u64)out->flags2 << 32;
	/* Nothing the kernel did not offer, whatever the daemon says. */
	conn->init_flags = flags & FP_INIT_OFFER;

	/*
	 * Per-open passthrough, with a stacking depth the VFS allows and no
	 * writeback cache (dirty pages of ours and the backing file's would
	 * both own the data), as upstream decides.
	 */
	if ((conn->init_flags & FUSE_PASSTHROUGH) && out->max_stack_depth &&
	    out->max_stack_depth <= FILESYSTEM_MAX_STACK_DEPTH &&
	    !(conn->init_flags & FUSE_WRITEBACK_CACHE)) {
		conn->passthrough = true;
		conn->max_stack_depth = out->max_stack_depth;
		sb->s_stack_depth = out->max_stack_depth;
	} else {
		conn->init_flags &= ~FUSE_PASSTHROUGH;
	}

	if (conn->minor >= 13) {
		if (out->max_background)
			conn->max_background = min_t(unsigned int,
					out->max_background, FP_MAX_BACKGROUND_LIMIT);
		if (out->congestion_threshold)
			conn->congestion_threshold = min_t(unsigned int,
					out->congestion_threshold,
					conn->max_background);
	}
	if (conn->init_flags & FUSE_MAX_PAGES)
		conn->max_pages = clamp_t(unsigned int, out->max_pages, 1,
					  FP_MAX_PAGES_LIMIT);
	conn->max_write = conn->minor < 5 ? 4096 : out->max_write;
	conn->max_write = clamp_t(unsigned int, conn->max_write, 4096,
				  conn->max_pages << PAGE_SHIFT);
	if (conn->minor >= 23 && out->time_gran &&
	    out->time_gran <= NSEC_PER_SEC)
		sb->s_time_gran = out->time_gran;
	if (conn->init_flags & FUSE_ABORT_ERROR)
		conn->abort_err = true;
	if (conn->minor >= 6)
		sb->s_bdi->ra_pages = min_t(unsigned long, sb->s_bdi->ra_pages,
					    out->max_readahead >> PAGE_SHIFT);
	fp_init_reply_fs(conn, sb);
out:
	fp_conn_set_initialized(conn);
	kfree(ia);
}

/* Start the handshake; the reply is processed whenever it comes. */
void fp_send_init(struct fp_conn *conn)
{
	struct fp_init_args *ia;
	u64 flags = FP_INIT_OFFER;

	ia = kzalloc(sizeof(*ia), GFP_KERNEL | __GFP_NOFAIL);
	ia->in.major = FUSE_KERNEL_VERSION;
	ia->in.minor = FUSE_KERNEL_MINOR_VERSION;
	ia->in.max_readahead = conn->sb->s_bdi->ra_pages << PAGE_SHIFT;
	ia->in.flags = lower_32_bits(flags);
	ia->in.flags2 = upper_32_bits(flags);

	ia->args.opcode = FUSE_INIT;
	ia->args.nocreds = true;
	ia->args.in_numargs = 1;
	ia->args.in_args[0].size = sizeof(ia->in);
	ia->args.in_args[0].value = &ia->in;
	ia->args.out_numargs = 1;
	/* Older daemons answer with a shorter fuse_init_out. */
	ia->args.out_argvar = true;
	ia->args.out_args[0].size = sizeof(ia->out);
	ia->args.out_args[0].value = &ia->out;
	ia->args.end = fp_init_reply;

	if (fp_send_init_request(conn, &ia->args))
		fp_init_reply(conn, &ia->args, -ENOTCONN);
}
