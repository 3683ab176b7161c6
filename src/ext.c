// SPDX-License-Identifier: GPL-2.0
/*
 * ext.c - extension blocks after entry replies (ABI 1.3), and the backed
 * entries a daemon chooses with them.
 *
 * A BACKING block turns the entry into a backed inode: the backing id's
 * object stands behind it, and from then on the kernel serves it (and,
 * for a directory, everything below it) from there, as in the no-daemon
 * mode. The daemon's node of that entry is remembered, so that filter
 * requests can name it, and FORGOTten when the inode goes.
 *
 * Such a dentry's parent is not its backing object's parent, so it is
 * revalidated like a daemon's name: by the entry timeout, then by asking
 * the daemon again.
 */
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "fusepass.h"

/*
 * Expect blocks @offset bytes into the last out argument of @args (which
 * must be variable in size).
 */
void fp_ext_init(struct fp_args *args, struct fp_ext *ext,
		 unsigned int offset, bool remove_ok)
{
	memset(ext, 0, offsetof(struct fp_ext, buf));
	ext->offset = offset;
	ext->remove_ok = remove_ok;
	args->ext = ext;
	args->out_argvar = true;
}

/* Make room for blocks after the last out argument of an entry reply. */
void fp_ext_arg(struct fp_args *args, struct fp_ext *ext)
{
	struct fp_arg *arg = &args->out_args[args->out_numargs++];

	arg->size = sizeof(ext->buf);
	arg->value = ext->buf;
	fp_ext_init(args, ext, 0, false);
}

/*
 * Send an entry request whose reply may carry blocks: 0 or an error. The
 * blocks' verdict is in ext->err; ext->fb must be given back with
 * fp_ext_done() whatever the caller makes of the reply.
 */
int fp_entry_request(struct fp_conn *conn, struct fp_args *args)
{
	ssize_t ret = fp_simple_request(conn, args);

	return ret < 0 ? ret : 0;
}

static int fp_ext_refuse(u32 opcode, const char *why, long long value)
{
	pr_warn_ratelimited("%s reply refused: %s (%lld)\n",
			    fp_opcode_name(opcode), why, value);
	return -EIO;
}

static int fp_ext_backing(struct fp_conn *conn, u32 opcode,
			  struct fp_ext *ext,
			  const struct fusepass_ext_backing *b)
{
	u64 masks = b->prefilter | b->postfilter;

	if (b->h.size != sizeof(*b))
		return fp_ext_refuse(opcode, "BACKING block size", b->h.size);
	if (b->reserved0 || b->reserved1)
		return fp_ext_refuse(opcode, "BACKING reserved field not zero", 0);
	if (masks & ~FUSEPASS_FILTERABLE)
		return fp_ext_refuse(opcode, "filter of an opcode that cannot be filtered",
				     __ffs64(masks & ~FUSEPASS_FILTERABLE));
	if (ext->fb || ext->remove)
		return fp_ext_refuse(opcode, "second BACKING or REMOVE block", 0);
	ext->fb = fp_backing_lookup(conn, b->backing_id);
	if (!ext->fb)
		return fp_ext_refuse(opcode, "unknown backing id", b->backing_id);
	ext->prefilter = b->prefilter;
	ext->postfilter = b->postfilter;
	return 0;
}

/* Check the @size bytes of blocks at @data; fill @ext with what they say. */
static int fp_ext_check(struct fp_conn *conn, u32 opcode, struct fp_ext *ext,
			const u8 *data, unsigned int size)
{
	unsigned int pos = 0, blocks = 0;
	int err = 0;

	while (!err && pos < size) {
		const struct fusepass_ext_header *h = (const void *)(data + pos);

		if (size - pos < sizeof(*h) || h->size < sizeof(*h) ||
		    h->size > size - pos || h->size % 8)
			err = fp_ext_refuse(opcode, "bad block size", size - pos);
		else if (++blocks > FUSEPASS_EXT_MAX_BLOCKS)
			err = fp_ext_refuse(opcode, "too many blocks", blocks);
		else if (h->flags)
			err = fp_ext_refuse(opcode, "block flags not zero", h->flags);
		else if (h->type == FUSEPASS_EXT_BACKING)
			err = fp_ext_backing(conn, opcode, ext, (const void *)h);
		else if (h->type == FUSEPASS_EXT_REMOVE_BACKING &&
			 ext->remove_ok &&
			 h->size == sizeof(struct fusepass_ext_remove) &&
			 !ext->fb && !ext->remove)
			ext->remove = true;
		else
			err = fp_ext_refuse(opcode, "unexpected block type", h->type);
		if (!err)
			pos += h->size;
	}
	if (err)
		fp_ext_done(ext);
	return err;
}

/*
 * From the daemon's write of a successful reply to @args, once it is
 * copied: check the blocks and take references to the backing ids they
 * name, which the daemon may close as soon as its write returns.
 */
void fp_ext_reply(struct fp_conn *conn, struct fp_args *args)
{
	struct fp_ext *ext = args->ext;
	const struct fp_arg *last = &args->out_args[args->out_numargs - 1];
	u32 opcode = args->opcode & FUSEPASS_OPCODE_MASK;

	if (last->size < ext->offset) {
		/* Not even the fixed part: the caller refuses the reply. */
		ext->err = 0;
		return;
	}
	ext->err = fp_ext_check(conn, opcode, ext,
				(const u8 *)last->value + ext->offset,
				last->size - ext->offset);
}

void fp_ext_done(struct fp_ext *ext)
{
	if (ext->fb)
		fp_backing_put(ext->fb);
	ext->fb = NULL;
}

/*
 * The backed inode for the BACKING block in @ext, answering the daemon's
 * entry @nodeid. Takes over @forget: the lookup of @nodeid is counted in
 * the inode, or given back at once if the inode already answers for
 * another node (a second name of the same backing object).
 */
struct inode *fp_ext_iget(struct super_block *sb, struct fp_ext *ext,
			  u64 nodeid, struct fp_forget *forget)
{
	struct fp_conn *conn = fp_sb(sb)->conn;
	const struct path *path = &ext->fb->file->f_path;
	struct fp_inode *fi;
	struct inode *inode;
	bool ours = false;

	if (d_really_is_negative(path->dentry)) {
		fp_queue_forget(conn, forget, nodeid, 1);
		return ERR_PTR(-ENOENT);
	}
	inode = fp_backed_iget(sb, path);
	if (IS_ERR(inode)) {
		fp_queue_forget(conn, forget, nodeid, 1);
		return inode;
	}
	fi = fp_inode(inode);
	spin_lock(&fi->lock);
	if (!fi->ext_nodeid) {
		fi->ext_nodeid = nodeid;
		fi->forget = forget;
		ours = true;
	}
	if (fi->ext_nodeid == nodeid) {
		fi->nlookup++;
		WRITE_ONCE(fi->prefilter, ext->prefilter);
		WRITE_ONCE(fi->postfilter, ext->postfilter);
	}
	spin_unlock(&fi->lock);
	if (fi->ext_nodeid != nodeid)
		fp_queue_forget(conn, forget, nodeid, 1);
	else if (!ours)
		kfree(forget);
	return inode;
}

/* Point a new (not yet visible) @dentry at the backing object of @ext. */
void fp_ext_set_dentry(struct dentry *dentry, struct fp_ext *ext,
		       const struct fuse_entry_out *out)
{
	struct fp_dentry *fpd = fp_dentry(dentry);
	const struct path *path = &ext->fb->file->f_path;

	if (fpd->lookup)
		fp_dentry_put(fpd);
	fp_change_entry_timeout(dentry, out);
	/* Before ->lookup: walkers seeing it must take the daemon's rules. */
	WRITE_ONCE(fpd->attached, true);
	smp_wmb();
	fp_dentry_set(fpd, path, path->dentry);
}

/* A backed child takes the filters of its backed directory. */
void fp_ext_inherit(struct inode *inode, const struct inode *dir)
{
	struct fp_inode *fi = fp_inode(inode);

	if (READ_ONCE(fi->ext_nodeid))
		return;
	WRITE_ONCE(fi->prefilter, READ_ONCE(fp_inode(dir)->prefilter));
	WRITE_ONCE(fi->postfilter, READ_ONCE(fp_inode(dir)->postfilter));
}

/*
 * Revalidation of an attached dentry: until its timeout it stands; then
 * the daemon is asked again, and the name stays if the reply backs it by
 * the same object. Below a backed directory (a LOOKUP post-filter chose
 * it) there is no node to ask: the name is looked up afresh.
 */
int fp_ext_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct fp_dentry *fpd = fp_dentry(dentry);
	struct inode *inode = d_inode_rcu(dentry);
	struct fuse_entry_out out;
	struct dentry *parent;
	struct inode *found;
	struct fp_ext ext;
	int err;

	if (!time_before64(READ_ONCE(fpd->time), get_jiffies_64()) &&
	    !(flags & (LOOKUP_EXCL | LOOKUP_REVAL | LOOKUP_RENAME_TARGET)))
		return 1;
	if (flags & LOOKUP_RCU)
		return -ECHILD;
	if (!inode)
		return 0;

	parent = dget_parent(dentry);
	if (!fp_is_node(d_inode(parent))) {
		dput(parent);
		return 0;
	}
	err = fp_lookup_name(dentry->d_sb, fp_node_id(d_inode(parent)),
			     &dentry->d_name, &out, &ext, &found);
	dput(parent);
	if (err == -ENOMEM || err == -EINTR)
		return err;
	if (err || !found)
		return 0;
	fp_ext_done(&ext);
	/* The same backed inode: the lookup was counted in it. */
	iput(found);
	if (found != inode)
		return 0;
	fp_change_entry_timeout(dentry, &out);
	return 1;
}

/* At eviction of a backed inode: give back the daemon's lookups. */
void fp_ext_evict(struct inode *inode)
{
	struct fp_inode *fi = fp_inode(inode);

	if (fi->ext_nodeid && fi->forget)
		fp_queue_forget(fp_conn_of(inode), fi->forget, fi->ext_nodeid,
				fi->nlookup);
	fi->forget = NULL;
	fi->ext_nodeid = 0;
}
