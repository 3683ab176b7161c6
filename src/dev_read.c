// SPDX-License-Identifier: GPL-2.0
/*
 * dev_read.c - the daemon reading /dev/fusepass: one message per read
 * (a request, an INTERRUPT or FORGETs), by read(2) into its buffer or by
 * splice(2) into a pipe, where a request's page cache pages go by
 * reference. dev.c has the rest of the device: replies, poll, clone.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/uio.h>

#include "fusepass.h"

/*
 * Copy a request's pages to a reader's buffer (read(2), or a splice that
 * cannot take them by reference). Through copy_page_to_iter() older
 * kernels would hand a page cache page itself to a pipe, with buffer
 * operations that lock it: a page still locked by the request's sender
 * would make the daemon wait, reading the pipe, for the reply it has not
 * sent yet. So the copy is explicit.
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
 * How a request lands in a splice reader's pipe. A request with page
 * cache pages (a WRITE, a retrieve's NOTIFY_REPLY) is a page of its own
 * holding the @hdr_len bytes before the data, then the pages themselves,
 * by reference (@shared): see fp_read_share_pages(). When the pipe has
 * too few free buffers for that, a WRITE's data is copied to start on a
 * page of its own, @pad bytes after the @hdr_len bytes before it, so
 * that a daemon splicing it on to an O_DIRECT file keeps it aligned.
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
	size_t room;			/* bytes the pipe can take */
	unsigned int slots;		/* buffers the pipe can take */
	struct bio_vec *bvec;		/* @npages pages, from ready() */
	unsigned int npages;
	struct bio_vec *shared;		/* @nshared referenced pages */
	unsigned int nshared;
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

/*
 * Hold the request's pages for a pipe: the daemon reads the data from
 * the page cache itself, with no page allocated, cleared or copied for
 * it (a WRITE carries up to max_write bytes). The pages stay alive for
 * as long as the pipe holds them; what the daemon reads is what they
 * hold then, as on FUSE, which does the same. Only page cache pages come
 * here: pages pinned from a user's memory never do (direct I/O goes
 * through a buffer of its own, see io.c).
 */
static int fp_read_share_pages(struct fp_req *req,
			       struct fp_read_layout *layout)
{
	struct fp_args *args = req->args;
	struct fp_args_pages *ap = container_of(args, struct fp_args_pages,
						args);
	unsigned int size = args->in_args[args->in_numargs - 1].size;
	unsigned int i;

	layout->shared = kcalloc(ap->num_pages, sizeof(*layout->shared),
				 GFP_KERNEL);
	if (!layout->shared)
		return -ENOMEM;
	for (i = 0; i < ap->num_pages && size; i++) {
		unsigned int len = min(ap->descs[i].length, size);

		get_page(ap->pages[i]);
		bvec_set_page(&layout->shared[layout->nshared++], ap->pages[i],
			      len, ap->descs[i].offset);
		size -= len;
	}
	return size ? -EINVAL : 0;
}

/*
 * The request as the daemon reads it, into @to; with @shared, all but
 * the data pages, which fp_read_share_pages() passes by reference.
 */
static int fp_copy_request_to_iter(struct fp_req *req, struct iov_iter *to,
				   unsigned int pad, bool shared)
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
			int err;

			if (shared)
				break;
			err = fp_copy_pages_to_iter(
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
	bool shared;
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

	shared = false;
	if (layout && req->args->in_pages && req->args->in_numargs > 1) {
		struct fp_args_pages *ap = container_of(req->args,
						struct fp_args_pages, args);
		unsigned int hdr = reqsize -
			req->args->in_args[req->args->in_numargs - 1].size;

		if (hdr < PAGE_SIZE && layout->slots > ap->num_pages) {
			layout->hdr_len = hdr;
			shared = true;
		} else if (req->in_h.opcode == FUSE_WRITE && hdr < PAGE_SIZE &&
			   nbytes >= reqsize + PAGE_SIZE - hdr) {
			layout->hdr_len = hdr;
			layout->pad = PAGE_SIZE - hdr;
		}
	}
	err = fp_read_dest_ready(to, layout,
				 shared ? layout->hdr_len :
				 reqsize + (layout ? layout->pad : 0));
	if (!err)
		err = fp_copy_request_to_iter(req, to,
					      layout ? layout->pad : 0, shared);
	if (!err && shared)
		err = fp_read_share_pages(req, layout);

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

ssize_t fp_dev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct fp_dev *fud = fp_dev_get(iocb->ki_filp);

	if (!fud)
		return -EPERM;
	return fp_dev_do_read(fud, iocb->ki_filp, to, NULL);
}

static void fp_read_layout_free(struct fp_read_layout *layout)
{
	unsigned int i;

	for (i = 0; i < layout->npages; i++)
		if (layout->bvec[i].bv_page)
			__free_page(layout->bvec[i].bv_page);
	kfree(layout->bvec);
	for (i = 0; i < layout->nshared; i++)
		if (layout->shared[i].bv_page)
			put_page(layout->shared[i].bv_page);
	kfree(layout->shared);
}

/*
 * Give @page to the pipe (our reference goes with it, or the pipe drops
 * it when it cannot take the buffer). Never PIPE_BUF_FLAG_CAN_MERGE
 * (flags 0): a write to the pipe must not land in a page cache page.
 * nosteal_pipe_buf_ops: never stolen (into another file by
 * SPLICE_F_MOVE), nor confirmed, which would wait for a page lock the
 * request's sender may hold until the reply.
 */
static void fp_pipe_give_page(struct pipe_inode_info *pipe,
			      struct page *page, unsigned int offset,
			      unsigned int len)
{
	struct pipe_buffer buf = {
		.ops = &nosteal_pipe_buf_ops,
		.page = page,
		.offset = offset,
		.len = len,
	};

	add_to_pipe(pipe, &buf);
}

/*
 * A message read into a pipe: into pages of our own, and a request's
 * page cache pages by reference (see fp_read_layout). Every buffer has
 * the kernel's nosteal_pipe_buf_ops, never operations of this module: a
 * pipe may hold its buffers long after the module is unloaded.
 */
ssize_t fp_dev_splice_read(struct file *in, loff_t *ppos,
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
	layout.slots = pipe->max_usage - min(pipe->max_usage,
				pipe_occupancy(pipe->head, pipe->tail));
	npages = min_t(size_t, layout.slots, DIV_ROUND_UP(len, PAGE_SIZE));
	if (!npages)
		return -EAGAIN;
	layout.room = min_t(size_t, len, (size_t)npages << PAGE_SHIFT);

	ret = fp_dev_do_read(fud, in, &to, &layout);
	if (ret > 0) {
		size_t end = ret + layout.pad, off = 0;

		for (i = 0; i < layout.npages && off < end;
		     i++, off += PAGE_SIZE) {
			size_t n = min_t(size_t, PAGE_SIZE, end - off);

			if (layout.hdr_len && i == 0)
				n = layout.hdr_len;
			fp_pipe_give_page(pipe, layout.bvec[i].bv_page, 0, n);
			layout.bvec[i].bv_page = NULL;
		}
		for (i = 0; i < layout.nshared; i++) {
			struct bio_vec *bv = &layout.shared[i];

			fp_pipe_give_page(pipe, bv->bv_page, bv->bv_offset,
					  bv->bv_len);
			bv->bv_page = NULL;
		}
	}
	fp_read_layout_free(&layout);
	return ret;
}
