// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c - FUSE_IOCTL and FUSE_POLL for daemon-served files and (with
 * FUSE_HAS_IOCTL_DIR) directories.
 *
 * An ioctl argument is opaque to the kernel. In restricted mode (every
 * daemon's) the command's _IOC_SIZE bytes at the argument are copied in
 * and out as its _IOC_DIR says. In unrestricted mode the daemon answers
 * FUSE_IOCTL_RETRY with the user memory areas it wants, and the ioctl is
 * sent again with them. Those areas are the daemon's word: their number
 * and total size are bounded, and every copy is checked by the uaccess
 * helpers, so the caller's memory is reached only as the caller could.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "fusepass.h"

/* An unrestricted ioctl that keeps asking for more is broken. */
#define FP_IOCTL_MAX_RETRIES	16

/* User memory areas of an ioctl: where its data comes from or goes. */
struct fp_ioctl_iov {
	void __user *base;
	size_t len;
};

/* Total size of @n areas, or -ENOMEM past @max (the request size limit). */
static ssize_t fp_ioctl_iov_size(const struct fp_ioctl_iov *iov,
				 unsigned int n, size_t max)
{
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (iov[i].len > max - total)
			return -ENOMEM;
		total += iov[i].len;
	}
	return total;
}

/*
 * The areas a RETRY reply asks for: fuse_ioctl_iovecs (7.16 on), or
 * before that the daemon's struct iovec, which is the 32-bit one for a
 * 32-bit daemon answering a compat ioctl.
 */
static int fp_ioctl_parse_iovs(struct fp_conn *conn, struct fp_ioctl_iov *dst,
			       const void *src, size_t size, unsigned int count,
			       bool compat)
{
	const struct fuse_ioctl_iovec *fiov = src;
	unsigned int i;

#ifdef CONFIG_COMPAT
	if (conn->minor < 16 && compat &&
	    size == count * sizeof(struct compat_iovec)) {
		const struct compat_iovec *ciov = src;

		for (i = 0; i < count; i++) {
			dst[i].base = compat_ptr(ciov[i].iov_base);
			dst[i].len = ciov[i].iov_len;
		}
		return 0;
	}
#endif
	if (size != count * sizeof(*fiov))
		return -EIO;
	for (i = 0; i < count; i++) {
		if (fiov[i].base != (unsigned long)fiov[i].base ||
		    fiov[i].len != (size_t)fiov[i].len)
			return -EIO;
#ifdef CONFIG_COMPAT
		/* A 32-bit caller has no memory above 4 GiB. */
		if (compat && (fiov[i].base > U32_MAX || fiov[i].len > U32_MAX))
			return -EIO;
#endif
		dst[i].base = u64_to_user_ptr(fiov[i].base);
		dst[i].len = fiov[i].len;
	}
	return 0;
}

static int fp_ioctl_copy_in(void *buf, const struct fp_ioctl_iov *iov,
			    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (copy_from_user(buf, iov[i].base, iov[i].len))
			return -EFAULT;
		buf += iov[i].len;
	}
	return 0;
}

static int fp_ioctl_copy_out(const void *buf, size_t size,
			     const struct fp_ioctl_iov *iov, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && size; i++) {
		size_t len = min(size, iov[i].len);

		if (copy_to_user(iov[i].base, buf, len))
			return -EFAULT;
		buf += len;
		size -= len;
	}
	return 0;
}

static long fp_do_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg, unsigned int flags)
{
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	size_t max = (size_t)conn->max_pages << PAGE_SHIFT;
	/* Room in the reply for the areas of a RETRY, at least. */
	size_t iov_room = FUSE_IOCTL_MAX_IOV * sizeof(struct fuse_ioctl_iovec);
	struct fuse_ioctl_in in = {
		.fh = ff->fh,
		.cmd = cmd,
		.arg = arg,
		.flags = flags,
	};
	struct fuse_ioctl_out out = {};
	struct fp_ioctl_iov *iov, *in_iov = NULL, *out_iov = NULL;
	unsigned int in_iovs = 0, out_iovs = 0, retries = 0;
	void *in_buf = NULL, *out_buf = NULL;
	ssize_t in_size, out_size, transferred;
	long err;

	if (flags & FUSE_IOCTL_COMPAT) {
		in.flags |= FUSE_IOCTL_32BIT;
#ifdef CONFIG_X86_X32_ABI
		if (in_x32_syscall())
			in.flags |= FUSE_IOCTL_COMPAT_X32;
#endif
	}

	iov = kcalloc(FUSE_IOCTL_MAX_IOV, sizeof(*iov), GFP_KERNEL);
	if (!iov)
		return -ENOMEM;

	/* Restricted: the command itself says what to copy. */
	if (!(flags & FUSE_IOCTL_UNRESTRICTED)) {
		iov[0].base = (void __user *)arg;
		iov[0].len = _IOC_SIZE(cmd);
		if (_IOC_DIR(cmd) & _IOC_WRITE) {
			in_iov = iov;
			in_iovs = 1;
		}
		if (_IOC_DIR(cmd) & _IOC_READ) {
			out_iov = iov;
			out_iovs = 1;
		}
	}

retry:
	err = in_size = fp_ioctl_iov_size(in_iov, in_iovs, max);
	if (in_size < 0)
		goto out;
	err = out_size = fp_ioctl_iov_size(out_iov, out_iovs, max);
	if (out_size < 0)
		goto out;
	in.in_size = in_size;
	in.out_size = out_size;

	kvfree(in_buf);
	kvfree(out_buf);
	in_buf = NULL;
	out_buf = kvmalloc(max_t(size_t, out_size, iov_room), GFP_KERNEL);
	err = -ENOMEM;
	if (!out_buf)
		goto out;
	if (in_size) {
		in_buf = kvmalloc(in_size, GFP_KERNEL);
		if (!in_buf)
			goto out;
		err = fp_ioctl_copy_in(in_buf, in_iov, in_iovs);
		if (err)
			goto out;
	}

	{
		struct fp_args args = {};

		args.opcode = FUSE_IOCTL;
		args.nodeid = ff->nodeid;
		args.in_numargs = in_size ? 2 : 1;
		args.in_args[0].size = sizeof(in);
		args.in_args[0].value = &in;
		args.in_args[1].size = in_size;
		args.in_args[1].value = in_buf;
		args.out_numargs = 2;
		args.out_args[0].size = sizeof(out);
		args.out_args[0].value = &out;
		args.out_args[1].size = max_t(size_t, out_size, iov_room);
		args.out_args[1].value = out_buf;
		args.out_argvar = true;
		transferred = fp_simple_request(conn, &args);
	}
	/* A daemon without ioctls: the file has none. */
	err = transferred == -ENOSYS ? -ENOTTY : transferred;
	if (transferred < 0)
		goto out;

	if (out.flags & FUSE_IOCTL_RETRY) {
		err = -EIO;
		if (!(flags & FUSE_IOCTL_UNRESTRICTED) ||
		    ++retries > FP_IOCTL_MAX_RETRIES)
			goto out;
		err = -EINTR;
		if (fatal_signal_pending(current))
			goto out;
		err = -ENOMEM;
		if (out.in_iovs > FUSE_IOCTL_MAX_IOV ||
		    out.out_iovs > FUSE_IOCTL_MAX_IOV ||
		    out.in_iovs + out.out_iovs > FUSE_IOCTL_MAX_IOV)
			goto out;
		in_iovs = out.in_iovs;
		out_iovs = out.out_iovs;
		err = fp_ioctl_parse_iovs(conn, iov, out_buf, transferred,
					  in_iovs + out_iovs,
					  flags & FUSE_IOCTL_COMPAT);
		if (err)
			goto out;
		in_iov = iov;
		out_iov = iov + in_iovs;
		goto retry;
	}

	err = -EIO;
	if (transferred > out_size)
		goto out;
	err = fp_ioctl_copy_out(out_buf, transferred, out_iov, out_iovs);
	if (err)
		goto out;
	/* The result is the ioctl's return value: no kernel-internal errno. */
	err = out.result;
	if (err <= -ERESTARTSYS && err >= -MAX_ERRNO)
		err = -EIO;
out:
	kvfree(in_buf);
	kvfree(out_buf);
	kfree(iov);
	return err;
}

static long fp_ioctl_common(struct file *file, unsigned int cmd,
			    unsigned long arg, unsigned int flags)
{
	struct inode *inode = file_inode(file);

	if (!fp_allow_current(inode->i_sb))
		return -EACCES;
	if (fp_is_bad(inode))
		return -EIO;
	return fp_do_ioctl(file, cmd, arg, flags);
}

long fp_file_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return fp_ioctl_common(file, cmd, arg, 0);
}

long fp_file_compat_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return fp_ioctl_common(file, cmd, arg, FUSE_IOCTL_COMPAT);
}

/* Directories have ioctls only if the daemon said it serves them. */
static long fp_dir_ioctl_common(struct file *file, unsigned int cmd,
				unsigned long arg, unsigned int flags)
{
	struct fp_file *ff = file->private_data;

	if (!(ff->conn->init_flags & FUSE_HAS_IOCTL_DIR))
		return -ENOTTY;
	return fp_ioctl_common(file, cmd, arg, flags | FUSE_IOCTL_DIR);
}

long fp_dir_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return fp_dir_ioctl_common(file, cmd, arg, 0);
}

long fp_dir_compat_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	return fp_dir_ioctl_common(file, cmd, arg, FUSE_IOCTL_COMPAT);
}

/* ---- poll ------------------------------------------------------------ */

/*
 * Files someone polls with FUSE_POLL_SCHEDULE_NOTIFY, by kernel handle
 * (kh). Handles are unique across connections, so one tree serves all;
 * a wakeup finds a file only through its own connection.
 */
static DEFINE_SPINLOCK(fp_poll_lock);
static struct rb_root fp_polled_files = RB_ROOT;
static u64 fp_poll_khctr;

static struct rb_node **fp_poll_find(u64 kh, struct rb_node **parent_out)
{
	struct rb_node **link = &fp_polled_files.rb_node;
	struct rb_node *parent = NULL;

	while (*link) {
		struct fp_file *ff = rb_entry(*link, struct fp_file,
					      polled_node);

		parent = *link;
		if (kh < ff->kh)
			link = &(*link)->rb_left;
		else if (kh > ff->kh)
			link = &(*link)->rb_right;
		else
			break;
	}
	if (parent_out)
		*parent_out = parent;
	return link;
}

/* The file's kernel handle, given at its first poll. */
static u64 fp_poll_kh(struct fp_file *ff)
{
	u64 kh;

	spin_lock(&fp_poll_lock);
	if (!ff->kh)
		ff->kh = ++fp_poll_khctr;
	kh = ff->kh;
	spin_unlock(&fp_poll_lock);
	return kh;
}

static void fp_poll_register(struct fp_file *ff)
{
	struct rb_node **link, *parent;

	spin_lock(&fp_poll_lock);
	if (RB_EMPTY_NODE(&ff->polled_node)) {
		link = fp_poll_find(ff->kh, &parent);
		if (!*link) {
			rb_link_node(&ff->polled_node, parent, link);
			rb_insert_color(&ff->polled_node, &fp_polled_files);
		}
	}
	spin_unlock(&fp_poll_lock);
}

/* At release: no more wakeups, and pollers stop waiting. */
void fp_poll_release(struct fp_file *ff)
{
	spin_lock(&fp_poll_lock);
	if (!RB_EMPTY_NODE(&ff->polled_node)) {
		rb_erase(&ff->polled_node, &fp_polled_files);
		RB_CLEAR_NODE(&ff->polled_node);
	}
	spin_unlock(&fp_poll_lock);
	wake_up_interruptible_all(&ff->poll_wait);
}

/* FUSE_NOTIFY_POLL: the daemon says the file with handle @kh is ready. */
void fp_poll_wakeup(struct fp_conn *conn, u64 kh)
{
	struct rb_node **link;

	spin_lock(&fp_poll_lock);
	link = fp_poll_find(kh, NULL);
	if (*link) {
		struct fp_file *ff = rb_entry(*link, struct fp_file,
					      polled_node);

		if (ff->conn == conn)
			wake_up_interruptible_sync(&ff->poll_wait);
	}
	spin_unlock(&fp_poll_lock);
}

__poll_t fp_file_poll(struct file *file, poll_table *wait)
{
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	struct fuse_poll_out out = {};
	struct fuse_poll_in in = {};
	struct fp_args args = {};
	int err;

	if (READ_ONCE(conn->no_poll))
		return DEFAULT_POLLMASK;

	poll_wait(file, &ff->poll_wait, wait);
	in.fh = ff->fh;
	in.kh = fp_poll_kh(ff);
	in.events = mangle_poll(poll_requested_events(wait));
	/* Ask for a notification only when someone will wait for it. */
	if (waitqueue_active(&ff->poll_wait)) {
		in.flags |= FUSE_POLL_SCHEDULE_NOTIFY;
		fp_poll_register(ff);
	}

	args.opcode = FUSE_POLL;
	args.nodeid = ff->nodeid;
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (!err)
		return demangle_poll(out.revents);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_poll, true);
		return DEFAULT_POLLMASK;
	}
	return EPOLLERR;
}
