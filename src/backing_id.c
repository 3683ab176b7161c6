// SPDX-License-Identifier: GPL-2.0
/*
 * backing_id.c - backing ids: files (and, for stacked use, directories)
 * a daemon registers with FUSE_DEV_IOC_BACKING_OPEN and then names by a
 * positive id in its replies. A file descriptor never travels in a reply.
 *
 * The rules are upstream's (Linux 6.9+): CAP_SYS_ADMIN in the initial
 * user namespace, zero flags and padding (fusepass defines one flag:
 * FUSEPASS_BACKING_DIR), a stacking depth check, and the opener's
 * credentials captured for per-open passthrough I/O. Ids die with the
 * connection; closing an id in use leaves its users working, as each use
 * holds its own reference.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/slab.h>

#include "fusepass.h"

struct fp_backing *fp_backing_get(struct fp_backing *fb)
{
	refcount_inc(&fb->count);
	return fb;
}

void fp_backing_put(struct fp_backing *fb)
{
	if (!refcount_dec_and_test(&fb->count))
		return;
	fput(fb->file);
	put_cred(fb->cred);
	kfree_rcu(fb, rcu);
}

/* The backing behind @id, with a reference, or NULL. */
struct fp_backing *fp_backing_lookup(struct fp_conn *conn, int id)
{
	struct fp_backing *fb;

	if (id <= 0)
		return NULL;
	rcu_read_lock();
	fb = idr_find(&conn->backing_ids, id);
	if (fb && !refcount_inc_not_zero(&fb->count))
		fb = NULL;
	rcu_read_unlock();
	return fb;
}

/*
 * The depth a daemon mount stacks to: what INIT negotiated for
 * passthrough, else one level (backing files on unstacked filesystems).
 */
static unsigned int fp_conn_stack_depth(struct fp_conn *conn)
{
	return conn->max_stack_depth ?: 1;
}

int fp_backing_open(struct fp_conn *conn, const struct fuse_backing_map *map)
{
	struct super_block *backing_sb;
	struct fp_backing *fb;
	struct file *file;
	int id;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((map->flags & ~FUSEPASS_BACKING_DIR) || map->padding)
		return -EINVAL;

	file = fget_raw(map->fd);
	if (!file)
		return -EBADF;

	id = -EINVAL;
	if (d_is_dir(file->f_path.dentry)) {
		if (!(map->flags & FUSEPASS_BACKING_DIR)) {
			id = -EISDIR;
			goto out_fput;
		}
	} else if (!d_is_reg(file->f_path.dentry)) {
		goto out_fput;
	}

	backing_sb = file_inode(file)->i_sb;
	id = -ELOOP;
	if (backing_sb->s_stack_depth >= fp_conn_stack_depth(conn) ||
	    backing_sb == conn->sb)
		goto out_fput;

	id = -ENOMEM;
	fb = kzalloc(sizeof(*fb), GFP_KERNEL_ACCOUNT);
	if (!fb)
		goto out_fput;
	fb->file = file;
	fb->cred = prepare_creds();
	if (!fb->cred) {
		kfree(fb);
		goto out_fput;
	}
	refcount_set(&fb->count, 1);

	idr_preload(GFP_KERNEL);
	spin_lock(&conn->lock);
	if (conn->connected)
		id = idr_alloc_cyclic(&conn->backing_ids, fb, 1, 0, GFP_ATOMIC);
	else
		id = -ENOTCONN;
	spin_unlock(&conn->lock);
	idr_preload_end();
	if (id < 0) {
		fp_backing_put(fb);	/* also drops the file */
		return id;
	}
	pr_debug("backing id %d: %pD\n", id, file);
	return id;

out_fput:
	fput(file);
	return id;
}

int fp_backing_close(struct fp_conn *conn, int id)
{
	struct fp_backing *fb;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (id <= 0)
		return -EINVAL;
	spin_lock(&conn->lock);
	fb = idr_remove(&conn->backing_ids, id);
	spin_unlock(&conn->lock);
	if (!fb)
		return -ENOENT;
	fp_backing_put(fb);
	return 0;
}

/* When the connection ends: drop every id (users keep their refs). */
void fp_backing_close_all(struct fp_conn *conn)
{
	struct fp_backing *fb;

	for (;;) {
		int id = 0;

		spin_lock(&conn->lock);
		fb = idr_get_next(&conn->backing_ids, &id);
		if (fb)
			idr_remove(&conn->backing_ids, id);
		spin_unlock(&conn->lock);
		if (!fb)
			break;
		fp_backing_put(fb);
	}
}
