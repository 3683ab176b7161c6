// SPDX-License-Identifier: GPL-2.0
/*
 * req.c - requests to the daemon: allocation, queueing, waiting,
 * interruption, background requests and FORGETs.
 *
 * A request is queued on conn->pending, read by the daemon (dev.c) and
 * moved to the processing hash, then finished by the daemon's reply or by
 * an abort. Its arguments stay owned by the caller, which cannot return
 * before the request is finished unless it was never read.
 */
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "fusepass.h"

static struct kmem_cache *fp_req_cachep;
static siphash_key_t fp_lock_owner_key;

int fp_req_init(void)
{
	get_random_bytes(&fp_lock_owner_key, sizeof(fp_lock_owner_key));
	fp_req_cachep = kmem_cache_create("fusepass_request",
					  sizeof(struct fp_req), 0, 0, NULL);
	return fp_req_cachep ? 0 : -ENOMEM;
}

void fp_req_exit(void)
{
	kmem_cache_destroy(fp_req_cachep);
}

static struct fp_req *fp_req_alloc(struct fp_conn *conn, gfp_t gfp)
{
	struct fp_req *req = kmem_cache_zalloc(fp_req_cachep, gfp);

	if (!req)
		return NULL;
	INIT_LIST_HEAD(&req->list);
	INIT_LIST_HEAD(&req->intr_entry);
	init_waitqueue_head(&req->waitq);
	refcount_set(&req->count, 1);
	req->conn = conn;
	return req;
}

static void fp_req_put(struct fp_req *req)
{
	struct fp_conn *conn = req->conn;

	if (!refcount_dec_and_test(&req->count))
		return;
	if (test_bit(FR_WAITING, &req->flags)) {
		clear_bit(FR_WAITING, &req->flags);
		if (atomic_dec_and_test(&conn->num_waiting) && !conn->connected)
			wake_up_all(&conn->blocked_waitq);
	}
	kmem_cache_free(fp_req_cachep, req);
}

/* Ids of the request issuer as the daemon should see them. */
static int fp_req_set_creds(struct fp_conn *conn, struct fp_req *req)
{
	req->in_h.uid = from_kuid(conn->user_ns, current_fsuid());
	req->in_h.gid = from_kgid(conn->user_ns, current_fsgid());
	req->in_h.pid = pid_nr_ns(task_pid(current), conn->pid_ns);
	/* A caller the daemon's namespace cannot name cannot act on it. */
	if (req->in_h.uid == (uid_t)-1 || req->in_h.gid == (gid_t)-1)
		return -EOVERFLOW;
	return 0;
}

/*
 * Wait until the connection is usable (INIT done) and count a request in
 * flight. Force requests (releases at close) do not wait for INIT.
 */
static int fp_conn_wait_ready(struct fp_conn *conn, bool force)
{
	int err;

	atomic_inc(&conn->num_waiting);
	if (!force && !READ_ONCE(conn->initialized)) {
		err = wait_event_killable_exclusive(conn->blocked_waitq,
						    READ_ONCE(conn->initialized));
		if (err) {
			err = -EINTR;
			goto err_dec;
		}
	}
	/* Pairs with the store before wake_up in fp_conn_set_initialized(). */
	smp_rmb();
	if (!READ_ONCE(conn->connected)) {
		err = -ENOTCONN;
		goto err_dec;
	}
	if (READ_ONCE(conn->conn_error)) {
		err = -ECONNREFUSED;
		goto err_dec;
	}
	return 0;

err_dec:
	if (atomic_dec_and_test(&conn->num_waiting) && !READ_ONCE(conn->connected))
		wake_up_all(&conn->blocked_waitq);
	return err;
}

/* conn->lock held. */
u64 fp_next_unique_locked(struct fp_conn *conn)
{
	conn->reqctr += FP_REQ_ID_STEP;
	return conn->reqctr;
}

/* conn->lock held: make readers of the device see new work. */
static void fp_wake_readers(struct fp_conn *conn)
{
	wake_up(&conn->waitq);
	kill_fasync(&conn->fasync, SIGIO, POLL_IN);
}

/* conn->lock held. Returns false if the connection is gone. */
static bool fp_queue_request_locked(struct fp_conn *conn, struct fp_req *req)
{
	if (!conn->connected)
		return false;
	req->in_h.len = sizeof(req->in_h) + fp_args_size(req->args->in_numargs,
				req->args->in_args);
	/* A NOTIFY_REPLY (never answered) carries the daemon's own id. */
	req->in_h.unique = req->args->fixed_unique ? req->args->unique :
			   fp_next_unique_locked(conn);
	set_bit(FR_PENDING, &req->flags);
	list_add_tail(&req->list, &conn->pending);
	fp_stats_request(conn, req->in_h.opcode);
	fp_wake_readers(conn);
	return true;
}

/* Queue an INTERRUPT for @req (already sent). conn->lock held. */
void fp_queue_interrupt_locked(struct fp_conn *conn, struct fp_req *req)
{
	if (list_empty(&req->intr_entry) && !test_bit(FR_FINISHED, &req->flags)) {
		list_add_tail(&req->intr_entry, &conn->interrupts);
		fp_wake_readers(conn);
	}
}

/*
 * End a request: record it finished and wake or complete its issuer.
 * Called without conn->lock, with the request off every queue.
 */
void fp_request_end(struct fp_req *req)
{
	struct fp_conn *conn = req->conn;
	bool bg = test_bit(FR_BACKGROUND, &req->flags);

	if (test_and_set_bit(FR_FINISHED, &req->flags))
		goto out_put;

	/* An interrupt still queued for it must not be sent any more. */
	if (!list_empty(&req->intr_entry)) {
		spin_lock(&conn->lock);
		list_del_init(&req->intr_entry);
		spin_unlock(&conn->lock);
	}

	if (bg) {
		spin_lock(&conn->lock);
		conn->num_background--;
		conn->active_background--;
		fp_flush_bg_queue_locked(conn);
		spin_unlock(&conn->lock);
		if (req->args->end)
			req->args->end(conn, req->args, req->out_h.error);
	} else {
		/* Pairs with the waiter's test of FR_FINISHED. */
		wake_up(&req->waitq);
	}
out_put:
	fp_req_put(req);
}

/*
 * Wait for the reply. A signal makes the daemon get an INTERRUPT; a fatal
 * signal while the request is still unread withdraws it. Once the daemon
 * has read a request it must be answered (or the connection aborted):
 * the caller's buffers are in use until then.
 */
static void fp_request_wait(struct fp_conn *conn, struct fp_req *req)
{
	int err;

	if (!READ_ONCE(conn->no_interrupt)) {
		err = wait_event_interruptible(req->waitq,
				test_bit(FR_FINISHED, &req->flags));
		if (!err)
			return;

		set_bit(FR_INTERRUPTED, &req->flags);
		/* Matches the barrier in the device read path. */
		smp_mb__after_atomic();
		if (test_bit(FR_SENT, &req->flags)) {
			spin_lock(&conn->lock);
			fp_queue_interrupt_locked(conn, req);
			spin_unlock(&conn->lock);
		}
	}

	if (!test_bit(FR_FORCE, &req->flags)) {
		err = wait_event_killable(req->waitq,
				test_bit(FR_FINISHED, &req->flags));
		if (!err)
			return;

		spin_lock(&conn->lock);
		if (test_bit(FR_PENDING, &req->flags)) {
			list_del(&req->list);
			clear_bit(FR_PENDING, &req->flags);
			spin_unlock(&conn->lock);
			fp_req_put(req);	/* the queue's reference */
			req->out_h.error = -EINTR;
			return;
		}
		spin_unlock(&conn->lock);
	}

	wait_event(req->waitq, test_bit(FR_FINISHED, &req->flags));
}

static void fp_args_to_req(struct fp_req *req, struct fp_args *args)
{
	req->args = args;
	req->in_h.opcode = args->opcode;
	req->in_h.nodeid = args->nodeid;
	if (!args->noreply)
		__set_bit(FR_ISREPLY, &req->flags);
	if (args->force)
		__set_bit(FR_FORCE, &req->flags);
}

/*
 * Send a request and wait for its reply. Returns the daemon's error, or
 * for a reply whose last argument may be short, that argument's length.
 */
ssize_t fp_simple_request(struct fp_conn *conn, struct fp_args *args)
{
	struct fp_req *req;
	ssize_t ret;

	ret = fp_conn_wait_ready(conn, args->force);
	if (ret)
		return ret;

	req = fp_req_alloc(conn, GFP_KERNEL | (args->force ? __GFP_NOFAIL : 0));
	if (!req) {
		if (atomic_dec_and_test(&conn->num_waiting) && !conn->connected)
			wake_up_all(&conn->blocked_waitq);
		return -ENOMEM;
	}
	__set_bit(FR_WAITING, &req->flags);
	fp_args_to_req(req, args);
	if (!args->nocreds) {
		ret = fp_req_set_creds(conn, req);
		if (ret)
			goto out_put;
	}

	refcount_inc(&req->count);	/* the queue's reference */
	spin_lock(&conn->lock);
	if (!fp_queue_request_locked(conn, req)) {
		spin_unlock(&conn->lock);
		fp_req_put(req);
		ret = -ENOTCONN;
		goto out_put;
	}
	spin_unlock(&conn->lock);

	fp_request_wait(conn, req);
	ret = req->out_h.error;
	if (!ret && args->out_argvar)
		ret = args->out_args[args->out_numargs - 1].size;
out_put:
	fp_req_put(req);
	return ret;
}

/* conn->lock held: start queued background requests while slots allow. */
void fp_flush_bg_queue_locked(struct fp_conn *conn)
{
	while (conn->active_background < conn->max_background &&
	       !list_empty(&conn->bg_queue)) {
		struct fp_req *req = list_first_entry(&conn->bg_queue,
						      struct fp_req, list);

		list_del_init(&req->list);
		conn->active_background++;
		if (!fp_queue_request_locked(conn, req)) {
			/* Gone: the abort path ends what it finds on bg_queue. */
			list_add(&req->list, &conn->bg_queue);
			conn->active_background--;
			break;
		}
	}
}

/*
 * Send a request nobody waits for; args->end gets the outcome (also when
 * it cannot be sent). @args must live until then.
 */
int fp_background_request(struct fp_conn *conn, struct fp_args *args,
			  gfp_t gfp)
{
	struct fp_req *req;
	int err;

	/* Like any request, wait for INIT; a forced one (release) does not. */
	err = fp_conn_wait_ready(conn, args->force);
	if (err)
		return err;
	req = fp_req_alloc(conn, gfp);
	if (!req) {
		if (atomic_dec_and_test(&conn->num_waiting) && !conn->connected)
			wake_up_all(&conn->blocked_waitq);
		return -ENOMEM;
	}
	__set_bit(FR_WAITING, &req->flags);
	__set_bit(FR_BACKGROUND, &req->flags);
	fp_args_to_req(req, args);
	/* Background requests carry no caller: they may run at any time. */

	spin_lock(&conn->lock);
	if (!conn->connected) {
		spin_unlock(&conn->lock);
		fp_req_put(req);
		return -ENOTCONN;
	}
	conn->num_background++;
	list_add_tail(&req->list, &conn->bg_queue);
	fp_flush_bg_queue_locked(conn);
	spin_unlock(&conn->lock);
	return 0;
}

/* Send INIT before the connection is initialized (background). */
int fp_send_init_request(struct fp_conn *conn, struct fp_args *args)
{
	struct fp_req *req;

	req = fp_req_alloc(conn, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	atomic_inc(&conn->num_waiting);
	__set_bit(FR_WAITING, &req->flags);
	__set_bit(FR_BACKGROUND, &req->flags);
	fp_args_to_req(req, args);

	spin_lock(&conn->lock);
	conn->num_background++;
	conn->active_background++;
	if (!fp_queue_request_locked(conn, req)) {
		conn->num_background--;
		conn->active_background--;
		spin_unlock(&conn->lock);
		fp_req_put(req);
		return -ENOTCONN;
	}
	spin_unlock(&conn->lock);
	return 0;
}

/* ---- FORGET ------------------------------------------------------- */

struct fp_forget *fp_forget_alloc(void)
{
	return kzalloc(sizeof(struct fp_forget), GFP_KERNEL_ACCOUNT);
}

/*
 * Tell the daemon it may drop @nlookup lookups of @nodeid. Takes over
 * @forget; never fails (a gone connection just frees it).
 */
void fp_queue_forget(struct fp_conn *conn, struct fp_forget *forget,
		     u64 nodeid, u64 nlookup)
{
	forget->one.nodeid = nodeid;
	forget->one.nlookup = nlookup;
	forget->next = NULL;

	spin_lock(&conn->lock);
	if (conn->connected) {
		conn->forget_tail->next = forget;
		conn->forget_tail = forget;
		fp_stats_request(conn, FUSE_FORGET);
		fp_wake_readers(conn);
	} else {
		kfree(forget);
	}
	spin_unlock(&conn->lock);
}

/* ---- names -------------------------------------------------------- */

static const char *const fp_opcode_names[] = {
	[FUSE_LOOKUP] = "LOOKUP", [FUSE_FORGET] = "FORGET",
	[FUSE_GETATTR] = "GETATTR", [FUSE_SETATTR] = "SETATTR",
	[FUSE_READLINK] = "READLINK", [FUSE_SYMLINK] = "SYMLINK",
	[FUSE_MKNOD] = "MKNOD", [FUSE_MKDIR] = "MKDIR",
	[FUSE_UNLINK] = "UNLINK", [FUSE_RMDIR] = "RMDIR",
	[FUSE_RENAME] = "RENAME", [FUSE_LINK] = "LINK", [FUSE_OPEN] = "OPEN",
	[FUSE_READ] = "READ", [FUSE_WRITE] = "WRITE", [FUSE_STATFS] = "STATFS",
	[FUSE_RELEASE] = "RELEASE", [FUSE_FSYNC] = "FSYNC",
	[FUSE_SETXATTR] = "SETXATTR", [FUSE_GETXATTR] = "GETXATTR",
	[FUSE_LISTXATTR] = "LISTXATTR", [FUSE_REMOVEXATTR] = "REMOVEXATTR",
	[FUSE_FLUSH] = "FLUSH", [FUSE_INIT] = "INIT",
	[FUSE_OPENDIR] = "OPENDIR", [FUSE_READDIR] = "READDIR",
	[FUSE_RELEASEDIR] = "RELEASEDIR", [FUSE_FSYNCDIR] = "FSYNCDIR",
	[FUSE_GETLK] = "GETLK", [FUSE_SETLK] = "SETLK", [FUSE_SETLKW] = "SETLKW",
	[FUSE_ACCESS] = "ACCESS", [FUSE_CREATE] = "CREATE",
	[FUSE_INTERRUPT] = "INTERRUPT", [FUSE_BMAP] = "BMAP",
	[FUSE_DESTROY] = "DESTROY", [FUSE_IOCTL] = "IOCTL", [FUSE_POLL] = "POLL",
	[FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY",
	[FUSE_BATCH_FORGET] = "BATCH_FORGET", [FUSE_FALLOCATE] = "FALLOCATE",
	[FUSE_READDIRPLUS] = "READDIRPLUS", [FUSE_RENAME2] = "RENAME2",
	[FUSE_LSEEK] = "LSEEK", [FUSE_COPY_FILE_RANGE] = "COPY_FILE_RANGE",
	[FUSE_SETUPMAPPING] = "SETUPMAPPING",
	[FUSE_REMOVEMAPPING] = "REMOVEMAPPING", [FUSE_SYNCFS] = "SYNCFS",
	[FUSE_TMPFILE] = "TMPFILE", [FUSE_STATX] = "STATX",
};

const char *fp_opcode_name(u32 opcode)
{
	if (opcode < ARRAY_SIZE(fp_opcode_names) && fp_opcode_names[opcode])
		return fp_opcode_names[opcode];
	return "UNKNOWN";
}

/*
 * Lock owners are pointers; the daemon gets them scrambled with a
 * per-boot key so that it learns nothing about kernel addresses.
 */
u64 fp_lock_owner_id(struct fp_conn *conn, fl_owner_t id)
{
	return siphash_1u64((u64)(unsigned long)id, &fp_lock_owner_key);
}
