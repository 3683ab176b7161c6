// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - the /dev/fusepass character device: the daemon's side of a
 * connection.
 *
 * One read returns one message (a request, an INTERRUPT or FORGETs); one
 * write carries one reply or notification. Everything written is checked
 * against what the request expects before any of it is used, and a reply
 * that does not fit is refused with an error to the writer (the request
 * then fails with -EIO): the daemon is not trusted.
 */
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/uio.h>

#include "fusepass.h"

static struct fp_dev *fp_dev_get(struct file *file)
{
	/* Pairs with the cmpxchg in fp_dev_attach(). */
	return smp_load_acquire((struct fp_dev **)&file->private_data);
}

static unsigned int fp_pq_hash(u64 unique)
{
	return hash_long(unique & ~FP_INT_REQ_BIT, FP_PQ_HASH_BITS);
}

/* Is there a message for the daemon? Racy by design; rechecked locked. */
static bool fp_dev_has_work(struct fp_conn *conn)
{
	return !list_empty_careful(&conn->pending) ||
	       !list_empty_careful(&conn->interrupts) ||
	       READ_ONCE(conn->forget_head.next) != NULL;
}

/*
 * Bind an open device to a connection (at mount, or FUSE_DEV_IOC_CLONE).
 * A device serves one connection for its whole life.
 */
int fp_dev_attach(struct file *file, struct fp_conn *conn)
{
	struct fp_dev *fud;

	if (file->f_op != &fp_dev_fops)
		return -EINVAL;
	fud = kzalloc(sizeof(*fud), GFP_KERNEL);
	if (!fud)
		return -ENOMEM;
	fud->conn = fp_conn_get(conn);

	spin_lock(&conn->lock);
	if (!conn->connected) {
		spin_unlock(&conn->lock);
		fp_conn_put(conn);
		kfree(fud);
		return -ENOTCONN;
	}
	if (cmpxchg(&file->private_data, NULL, fud) != NULL) {
		spin_unlock(&conn->lock);
		fp_conn_put(conn);
		kfree(fud);
		return -EBUSY;
	}
	list_add_tail(&fud->entry, &conn->devices);
	conn->dev_count++;
	spin_unlock(&conn->lock);
	return 0;
}

/* ---- reading requests --------------------------------------------- */

/*
 * Copy, never reference: spliced into a pipe (older kernels'
 * copy_page_to_iter() would hand the page cache page itself to the pipe),
 * a page still locked by the request's sender would make the daemon
 * wait, reading the pipe, for the reply it has not sent yet.
 */
static int fp_copy_pages_to_iter(struct fp_args_pages *ap, unsigned int size,
				 struct iov_iter *to)
{
	unsigned int i;

	for (i = 0; i < ap->num_pages && size; i++) {
		unsigned int len = min(ap->descs[i].length, size);
		void *addr = kmap_local_page(ap->pages[i]);
		size_t copied = copy_to_iter(addr + ap->descs[i].offset, len, to);

		kunmap_local(addr);
		if (copied != len)
			return -EFAULT;
		size -= len;
	}
	return size ? -EINVAL : 0;
}

/*
 * How a request lands in a splice reader's pipe: a WRITE's data starts
 * on a page of its own, @pad bytes after the @hdr_len bytes before it,
 * so that a daemon splicing it on to an O_DIRECT file keeps it aligned.
 *
 * The pages are allocated once the message's size is known, for that
 * size only (fp_read_dest_ready()): a splice reader offers room for the
 * largest request (libfuse: max_write plus a page, 1 MiB and 4 KiB),
 * while most messages fit one page. Allocating the whole room for every
 * message cost 257 page allocations, each cleared (init_on_alloc), per
 * request.
 */
struct fp_read_layout {
	unsigned int hdr_len;
	unsigned int pad;
	size_t room;			/* what the pipe can take */
	struct bio_vec *bvec;		/* @npages pages, from ready() */
	unsigned int npages;
};

/*
 * @to ready for a message of @len bytes (with a request's @pad counted):
 * for read(2) it is the reader's buffer already, for splice(2) it is
 * made here, over new pages. Called unlocked, right before copying.
 */
static int fp_read_dest_ready(struct iov_iter *to,
			      struct fp_read_layout *layout, size_t len)
{
	unsigned int i, npages;

	if (!layout)
		return 0;
	if (WARN_ON_ONCE(layout->bvec || len > layout->room))
		return -EIO;
	npages = DIV_ROUND_UP(len, PAGE_SIZE);
	layout->bvec = kcalloc(npages, sizeof(*layout->bvec), GFP_KERNEL);
	if (!layout->bvec)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		struct page *page = alloc_page(GFP_USER);

		if (!page)
			return -ENOMEM;	/* the caller frees what there is */
		bvec_set_page(&layout->bvec[i], page, PAGE_SIZE, 0);
		layout->npages++;
	}
	iov_iter_bvec(to, ITER_DEST, layout->bvec, npages, len);
	return 0;
}

static int fp_copy_request_to_iter(struct fp_req *req, struct iov_iter *to,
				   unsigned int pad)
{
	struct fp_args *args = req->args;
	unsigned int i;

	if (copy_to_iter(&req->in_h, sizeof(req->in_h), to) != sizeof(req->in_h))
		return -EFAULT;
	for (i = 0; i < args->in_numargs; i++) {
		struct fp_arg *arg = &args->in_args[i];

		if (pad && i == args->in_numargs - 1)
			iov_iter_advance(to, pad);

		if (i == args->in_numargs - 1 && args->in_pages) {
			int err = fp_copy_pages_to_iter(
				container_of(args, struct fp_args_pages, args),
				arg->size, to);
			if (err)
				return err;
		} else if (copy_to_iter(arg->value, arg->size, to) != arg->size) {
			return -EFAULT;
		}
	}
	return 0;
}

/* conn->lock held on entry; dropped. */
static ssize_t fp_read_interrupt(struct fp_conn *conn, struct fp_req *req,
				 struct iov_iter *to, size_t nbytes,
				 struct fp_read_layout *layout)
	__releases(conn->lock)
{
	struct {
		struct fuse_in_header h;
		struct fuse_interrupt_in arg;
	} msg = {};
	int err;

	list_del_init(&req->intr_entry);
	msg.h.len = sizeof(msg);
	msg.h.opcode = FUSE_INTERRUPT;
	msg.h.unique = req->in_h.unique | FP_INT_REQ_BIT;
	msg.arg.unique = req->in_h.unique;
	fp_stats_request(conn, FUSE_INTERRUPT);
	spin_unlock(&conn->lock);

	if (nbytes < sizeof(msg))
		return -EINVAL;
	err = fp_read_dest_ready(to, layout, sizeof(msg));
	if (err)
		return err;
	if (copy_to_iter(&msg, sizeof(msg), to) != sizeof(msg))
		return -EFAULT;
	return sizeof(msg);
}

/*
 * The header and argument of a FORGET or BATCH_FORGET of h->len bytes:
 * that length, or an error.
 */
static ssize_t fp_copy_forget_head(struct iov_iter *to,
				   struct fp_read_layout *layout,
				   const struct fuse_in_header *h,
				   const void *arg, size_t argsize)
{
	int err = fp_read_dest_ready(to, layout, h->len);

	if (err)
		return err;
	if (copy_to_iter(h, sizeof(*h), to) != sizeof(*h) ||
	    copy_to_iter(arg, argsize, to) != argsize)
		return -EFAULT;
	return h->len;
}

/*
 * conn->lock held on entry; dropped. Sends one FORGET, or a BATCH_FORGET
 * of as many as fit when the daemon knows it (7.16).
 */
static ssize_t fp_read_forgets(struct fp_conn *conn, struct iov_iter *to,
			       size_t nbytes, struct fp_read_layout *layout)
	__releases(conn->lock)
{
	struct fuse_in_header h = {};
	struct fp_forget *head, *f, **tail;
	unsigned int max, count = 0;
	ssize_t ret;

	if (conn->minor < 16) {
		max = 1;
	} else {
		size_t room = nbytes - sizeof(h) -
			      sizeof(struct fuse_batch_forget_in);

		if (nbytes < sizeof(h) + sizeof(struct fuse_batch_forget_in) +
			     sizeof(struct fuse_forget_one)) {
			spin_unlock(&conn->lock);
			return -EINVAL;
		}
		max = room / sizeof(struct fuse_forget_one);
	}

	head = conn->forget_head.next;
	tail = &conn->forget_head.next;
	for (f = head; f && count < max; f = f->next) {
		tail = &f->next;
		count++;
	}
	conn->forget_head.next = *tail;
	*tail = NULL;
	if (!conn->forget_head.next)
		conn->forget_tail = &conn->forget_head;
	h.unique = fp_next_unique_locked(conn);
	spin_unlock(&conn->lock);

	if (max == 1) {
		struct fuse_forget_in arg = { .nlookup = head->one.nlookup };

		h.opcode = FUSE_FORGET;
		h.nodeid = head->one.nodeid;
		h.len = sizeof(h) + sizeof(arg);
		ret = nbytes >= h.len ?
		      fp_copy_forget_head(to, layout, &h, &arg, sizeof(arg)) :
		      -EINVAL;
	} else {
		struct fuse_batch_forget_in arg = { .count = count };

		h.opcode = FUSE_BATCH_FORGET;
		h.len = sizeof(h) + sizeof(arg) +
			count * sizeof(struct fuse_forget_one);
		ret = fp_copy_forget_head(to, layout, &h, &arg, sizeof(arg));
		for (f = head; f && ret > 0; f = f->next) {
			if (copy_to_iter(&f->one, sizeof(f->one), to) !=
			    sizeof(f->one))
				ret = -EFAULT;
		}
	}
	/* Lost on a fault (or no memory), as a FORGET is only a hint. */
	while (head) {
		f = head->next;
		kfree(head);
		head = f;
	}
	return ret;
}

static ssize_t fp_dev_do_read(struct fp_dev *fud, struct file *file,
			      struct iov_iter *to,
			      struct fp_read_layout *layout)
{
	struct fp_conn *conn = fud->conn;
	size_t nbytes = layout ? layout->room : iov_iter_count(to);
	struct fp_req *req;
	unsigned int reqsize;
	ssize_t err;

	/* Room for any request, notably a WRITE of max_write bytes. */
	if (nbytes < max_t(size_t, FUSE_MIN_READ_BUFFER,
			   sizeof(struct fuse_in_header) +
			   sizeof(struct fuse_write_in) +
			   READ_ONCE(conn->max_write)))
		return -EINVAL;

restart:
	for (;;) {
		spin_lock(&conn->lock);
		if (!conn->connected || fp_dev_has_work(conn))
			break;
		spin_unlock(&conn->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible_exclusive(conn->waitq,
				!READ_ONCE(conn->connected) ||
				fp_dev_has_work(conn));
		if (err)
			return err;
	}

	if (!conn->connected) {
		err = conn->abort_err ? -ECONNABORTED : -ENODEV;
		spin_unlock(&conn->lock);
		return err;
	}

	if (!list_empty(&conn->interrupts)) {
		req = list_first_entry(&conn->interrupts, struct fp_req,
				       intr_entry);
		return fp_read_interrupt(conn, req, to, nbytes, layout);
	}

	/*
	 * FORGETs go before requests, as on FUSE: a daemon that has not yet
	 * dropped a node when a later LOOKUP finds it again would count that
	 * lookup on a node it is about to free. A long run of them must not
	 * starve requests, though: after FP_FORGET_BATCH forget messages
	 * read while requests wait, one request goes.
	 */
	if (conn->forget_head.next) {
		if (list_empty(&conn->pending)) {
			conn->forget_batch = FP_FORGET_BATCH;
			return fp_read_forgets(conn, to, nbytes, layout);
		}
		if (conn->forget_batch) {
			conn->forget_batch--;
			return fp_read_forgets(conn, to, nbytes, layout);
		}
		conn->forget_batch = FP_FORGET_BATCH;
	}

	req = list_first_entry(&conn->pending, struct fp_req, list);
	clear_bit(FR_PENDING, &req->flags);
	list_move_tail(&req->list, &conn->io);
	set_bit(FR_LOCKED, &req->flags);
	spin_unlock(&conn->lock);

	reqsize = req->in_h.len;
	if (nbytes < reqsize) {
		/* Too big for this reader: fail the request, not the daemon. */
		req->out_h.error = req->in_h.opcode == FUSE_SETXATTR ?
				   -E2BIG : -EIO;
		spin_lock(&conn->lock);
		clear_bit(FR_LOCKED, &req->flags);
		list_del_init(&req->list);
		spin_unlock(&conn->lock);
		fp_request_end(req);
		goto restart;
	}

	if (layout && req->in_h.opcode == FUSE_WRITE &&
	    req->args->in_numargs > 1) {
		unsigned int hdr = reqsize -
			req->args->in_args[req->args->in_numargs - 1].size;

		if (hdr < PAGE_SIZE && nbytes >= reqsize + PAGE_SIZE - hdr) {
			layout->hdr_len = hdr;
			layout->pad = PAGE_SIZE - hdr;
		}
	}
	err = fp_read_dest_ready(to, layout,
				 reqsize + (layout ? layout->pad : 0));
	if (!err)
		err = fp_copy_request_to_iter(req, to,
					      layout ? layout->pad : 0);

	spin_lock(&conn->lock);
	clear_bit(FR_LOCKED, &req->flags);
	if (!conn->connected) {
		req->out_h.error = -ENOTCONN;
		err = conn->abort_err ? -ECONNABORTED : -ENODEV;
		goto out_end;
	}
	if (err) {
		req->out_h.error = -EIO;
		goto out_end;
	}
	if (!test_bit(FR_ISREPLY, &req->flags)) {
		err = reqsize;
		goto out_end;
	}
	list_move_tail(&req->list, &conn->processing[fp_pq_hash(req->in_h.unique)]);
	set_bit(FR_SENT, &req->flags);
	/* Pairs with the barrier in fp_request_wait(). */
	smp_mb__after_atomic();
	if (test_bit(FR_INTERRUPTED, &req->flags))
		fp_queue_interrupt_locked(conn, req);
	spin_unlock(&conn->lock);
	return reqsize;

out_end:
	list_del_init(&req->list);
	spin_unlock(&conn->lock);
	fp_request_end(req);
	return err;
}

/* ---- writing replies ---------------------------------------------- */

static int fp_copy_pages_from_iter(struct fp_args_pages *ap, unsigned int size,
				   bool zeroing, struct iov_iter *from)
{
	unsigned int i;

	for (i = 0; i < ap->num_pages; i++) {
		unsigned int len = min(ap->descs[i].length, size);

		if (len && copy_page_from_iter(ap->pages[i], ap->descs[i].offset,
					       len, from) != len)
			return -EFAULT;
		if (zeroing && len < ap->descs[i].length)
			zero_user_segment(ap->pages[i], ap->descs[i].offset + len,
					  ap->descs[i].offset +
					  ap->descs[i].length);
		if (ap->args.user_pages && len)
			set_page_dirty_lock(ap->pages[i]);
		size -= len;
	}
	return 0;
}

/*
 * Check the reply's size against what the request expects, then copy it
 * into the request's out arguments. The last argument may come back
 * shorter only if the request allows it; nothing may come back longer.
 */
static int fp_copy_reply_from_iter(struct fp_req *req, unsigned int nbytes,
				   struct iov_iter *from)
{
	struct fp_args *args = req->args;
	unsigned int reqsize = sizeof(struct fuse_out_header);
	unsigned int i;

	if (req->out_h.error)
		return nbytes == sizeof(struct fuse_out_header) ? 0 : -EINVAL;

	reqsize += fp_args_size(args->out_numargs, args->out_args);
	if (nbytes > reqsize || (nbytes < reqsize && !args->out_argvar))
		return -EINVAL;
	if (nbytes < reqsize) {
		struct fp_arg *last = &args->out_args[args->out_numargs - 1];
		unsigned int missing = reqsize - nbytes;

		/* Only the last argument may be short. */
		if (missing > last->size)
			return -EINVAL;
		last->size -= missing;
	}

	for (i = 0; i < args->out_numargs; i++) {
		struct fp_arg *arg = &args->out_args[i];

		if (i == args->out_numargs - 1 && args->out_pages) {
			int err = fp_copy_pages_from_iter(
				container_of(args, struct fp_args_pages, args),
				arg->size, args->page_zeroing, from);
			if (err)
				return err;
		} else if (copy_from_iter(arg->value, arg->size, from) !=
			   arg->size) {
			return -EFAULT;
		}
	}
	if (args->ext)
		fp_ext_reply(req->conn, args);
	return 0;
}

/* A reply to one of our INTERRUPTs. conn->lock held on entry; dropped. */
static ssize_t fp_write_interrupt_reply(struct fp_conn *conn,
					struct fp_req *req,
					struct fuse_out_header *oh,
					size_t nbytes)
	__releases(conn->lock)
{
	ssize_t ret = nbytes;

	if (nbytes != sizeof(*oh))
		ret = -EINVAL;
	else if (oh->error == -ENOSYS)
		conn->no_interrupt = true;
	else if (oh->error == -EAGAIN)
		fp_queue_interrupt_locked(conn, req);	/* asked to resend */
	spin_unlock(&conn->lock);
	return ret;
}

static ssize_t fp_dev_do_write(struct fp_dev *fud, struct iov_iter *from)
{
	struct fp_conn *conn = fud->conn;
	size_t nbytes = iov_iter_count(from);
	struct fuse_out_header oh;
	struct fp_req *req = NULL, *r;
	ssize_t err;

	if (nbytes < sizeof(oh))
		return -EINVAL;
	if (copy_from_iter(&oh, sizeof(oh), from) != sizeof(oh))
		return -EFAULT;
	if (oh.len != nbytes)
		return -EINVAL;

	/* unique 0: a notification, its code in .error. */
	if (!oh.unique)
		return fp_notify(conn, oh.error, nbytes - sizeof(oh), from) ?:
		       nbytes;

	/* Userspace errnos only: 512 and up are the kernel's own. */
	if (oh.error <= -512 || oh.error > 0)
		return -EINVAL;

	spin_lock(&conn->lock);
	if (!conn->connected) {
		spin_unlock(&conn->lock);
		return -ENOENT;
	}
	list_for_each_entry(r, &conn->processing[fp_pq_hash(oh.unique)], list) {
		if (r->in_h.unique == (oh.unique & ~FP_INT_REQ_BIT)) {
			req = r;
			break;
		}
	}
	if (!req) {
		spin_unlock(&conn->lock);
		return -ENOENT;
	}
	if (oh.unique & FP_INT_REQ_BIT)
		return fp_write_interrupt_reply(conn, req, &oh, nbytes);

	clear_bit(FR_SENT, &req->flags);
	list_move_tail(&req->list, &conn->io);
	set_bit(FR_LOCKED, &req->flags);
	req->out_h = oh;
	spin_unlock(&conn->lock);

	err = fp_copy_reply_from_iter(req, nbytes, from);
	if (err)
		pr_debug("refused reply to %u (unique %llu): %zd\n",
			 req->in_h.opcode, oh.unique, err);

	spin_lock(&conn->lock);
	clear_bit(FR_LOCKED, &req->flags);
	if (!conn->connected) {
		req->out_h.error = -ENOTCONN;
		err = -ENOENT;
	} else if (err) {
		/* Never trusted: the caller sees an I/O error. */
		req->out_h.error = -EIO;
	}
	list_del_init(&req->list);
	spin_unlock(&conn->lock);
	fp_request_end(req);
	return err ? err : nbytes;
}

/* ---- file operations ---------------------------------------------- */

static int fp_dev_open(struct inode *inode, struct file *file)
{
	/* Bound to a connection later, by a mount (fd=) or a clone. */
	file->private_data = NULL;
	return stream_open(inode, file);
}

static ssize_t fp_dev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct fp_dev *fud = fp_dev_get(iocb->ki_filp);

	if (!fud)
		return -EPERM;
	return fp_dev_do_read(fud, iocb->ki_filp, to, NULL);
}

static const struct pipe_buf_operations fp_dev_pipe_buf_ops = {
	.release	= generic_pipe_buf_release,
	.try_steal	= generic_pipe_buf_try_steal,
	.get		= generic_pipe_buf_get,
};

/*
 * A request read into a pipe: into pages of our own, the data of a WRITE
 * on a page boundary (see fp_read_layout), as FUSE's device does.
 */
static ssize_t fp_dev_splice_read(struct file *in, loff_t *ppos,
				  struct pipe_inode_info *pipe, size_t len,
				  unsigned int flags)
{
	struct fp_dev *fud = fp_dev_get(in);
	struct fp_read_layout layout = {};
	unsigned int npages, i;
	struct iov_iter to;
	ssize_t ret;

	if (!fud)
		return -EPERM;
	npages = pipe->max_usage - min(pipe->max_usage,
				       pipe_occupancy(pipe->head, pipe->tail));
	npages = min_t(size_t, npages, DIV_ROUND_UP(len, PAGE_SIZE));
	if (!npages)
		return -EAGAIN;
	layout.room = min_t(size_t, len, (size_t)npages << PAGE_SHIFT);

	ret = fp_dev_do_read(fud, in, &to, &layout);
	if (ret > 0) {
		size_t end = ret + layout.pad, off = 0;

		for (i = 0; i < layout.npages && off < end;
		     i++, off += PAGE_SIZE) {
			struct pipe_buffer buf = {
				.ops = &fp_dev_pipe_buf_ops,
				.page = layout.bvec[i].bv_page,
				.len = min_t(size_t, PAGE_SIZE, end - off),
			};

			if (layout.pad && i == 0)
				buf.len = layout.hdr_len;
			/* The pipe owns the page now (or freed it). */
			layout.bvec[i].bv_page = NULL;
			add_to_pipe(pipe, &buf);
		}
	}
	for (i = 0; i < layout.npages; i++)
		if (layout.bvec[i].bv_page)
			__free_page(layout.bvec[i].bv_page);
	kfree(layout.bvec);
	return ret;
}

static ssize_t fp_dev_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct fp_dev *fud = fp_dev_get(iocb->ki_filp);

	if (!fud)
		return -EPERM;
	return fp_dev_do_write(fud, from);
}

static __poll_t fp_dev_poll(struct file *file, poll_table *wait)
{
	struct fp_dev *fud = fp_dev_get(file);
	struct fp_conn *conn;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	if (!fud)
		return EPOLLERR;
	conn = fud->conn;
	poll_wait(file, &conn->waitq, wait);
	spin_lock(&conn->lock);
	if (!conn->connected)
		mask = EPOLLERR;
	else if (fp_dev_has_work(conn))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock(&conn->lock);
	return mask;
}

static int fp_dev_fasync(int fd, struct file *file, int on)
{
	struct fp_dev *fud = fp_dev_get(file);

	if (!fud)
		return -EPERM;
	return fasync_helper(fd, file, on, &fud->conn->fasync);
}

/* Closing the last device of a connection ends the connection. */
static int fp_dev_release(struct inode *inode, struct file *file)
{
	struct fp_dev *fud = fp_dev_get(file);
	struct fp_conn *conn;
	bool last;

	if (!fud)
		return 0;
	conn = fud->conn;
	fasync_helper(-1, file, 0, &conn->fasync);
	spin_lock(&conn->lock);
	list_del(&fud->entry);
	last = --conn->dev_count == 0;
	spin_unlock(&conn->lock);
	if (last)
		fp_conn_abort(conn);
	fp_conn_put(conn);
	kfree(fud);
	return 0;
}

/* FUSE_DEV_IOC_CLONE: serve the connection of another open device. */
static long fp_dev_ioctl_clone(struct file *file, u32 __user *argp)
{
	struct fp_dev *other;
	struct file *src;
	u32 fd;
	int err;

	if (get_user(fd, argp))
		return -EFAULT;
	src = fget(fd);
	if (!src)
		return -EBADF;
	err = -EINVAL;
	if (src->f_op == &fp_dev_fops) {
		other = fp_dev_get(src);
		if (other)
			err = fp_dev_attach(file, other->conn);
	}
	fput(src);
	return err;
}

static long fp_dev_ioctl_backing(struct file *file, unsigned int cmd,
				 void __user *argp)
{
	struct fp_dev *fud = fp_dev_get(file);
	struct fuse_backing_map map;
	int id;

	if (!fud)
		return -EPERM;
	if (cmd == FUSE_DEV_IOC_BACKING_OPEN) {
		if (copy_from_user(&map, argp, sizeof(map)))
			return -EFAULT;
		return fp_backing_open(fud->conn, &map);
	}
	if (get_user(id, (int __user *)argp))
		return -EFAULT;
	return fp_backing_close(fud->conn, id);
}

static long fp_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	switch (cmd) {
	case FUSE_DEV_IOC_CLONE:
		return fp_dev_ioctl_clone(file, (u32 __user *)arg);
	case FUSE_DEV_IOC_BACKING_OPEN:
	case FUSE_DEV_IOC_BACKING_CLOSE:
		return fp_dev_ioctl_backing(file, cmd, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations fp_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= fp_dev_open,
	.read_iter	= fp_dev_read_iter,
	.write_iter	= fp_dev_write_iter,
	.splice_read	= fp_dev_splice_read,
	.splice_write	= iter_file_splice_write,
	.poll		= fp_dev_poll,
	.fasync		= fp_dev_fasync,
	.release	= fp_dev_release,
	.unlocked_ioctl	= fp_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice fp_miscdevice = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "fusepass",
	.fops	= &fp_dev_fops,
	/* Like /dev/fuse: any user may open it; mounting is what is checked. */
	.mode	= 0666,
};

int fp_dev_init(void)
{
	return misc_register(&fp_miscdevice);
}

void fp_dev_exit(void)
{
	misc_deregister(&fp_miscdevice);
}
