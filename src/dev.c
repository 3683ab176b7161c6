// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - the /dev/fusepass character device: the daemon's side of a
 * connection.
 *
 * One read returns one message (a request, an INTERRUPT or FORGETs; see
 * dev_read.c); one write carries one reply or notification. Everything
 * written is checked against what the request expects before any of it
 * is used, and a reply that does not fit is refused with an error to the
 * writer (the request then fails with -EIO): the daemon is not trusted.
 */
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "fusepass.h"

struct fp_dev *fp_dev_get(struct file *file)
{
	/* Pairs with the cmpxchg in fp_dev_attach(). */
	return smp_load_acquire((struct fp_dev **)&file->private_data);
}

unsigned int fp_pq_hash(u64 unique)
{
	return hash_long(unique & ~FP_INT_REQ_BIT, FP_PQ_HASH_BITS);
}

/* Is there a message for the daemon? Racy by design; rechecked locked. */
bool fp_dev_has_work(struct fp_conn *conn)
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
