// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - pre- and post-filters: the requests a daemon asked to see for
 * operations the kernel serves from backing objects (ABI 1.3).
 *
 * A BACKING block carries two opcode masks. Before a masked operation the
 * daemon gets opcode | FUSEPASS_PREFILTER and may refuse it; after it,
 * opcode | FUSEPASS_POSTFILTER with the result, which it may replace.
 * Operations outside the masks never leave the kernel (fp_filtered() is
 * the only cost they pay).
 */
#include <linux/fs.h>
#include <linux/slab.h>

#include "fusepass.h"

/*
 * The node a filter request names: @dentry's own if the daemon gave it
 * one, else its nearest ancestor's that has one (the root at worst).
 */
static u64 fp_filter_nodeid(const struct dentry *dentry)
{
	struct dentry *d = dget((struct dentry *)dentry);
	u64 nodeid;

	for (;;) {
		struct inode *inode = d_inode(d);
		struct dentry *parent;

		nodeid = fp_is_node(inode) ? fp_node_id(inode) :
					     READ_ONCE(fp_inode(inode)->ext_nodeid);
		if (nodeid || IS_ROOT(d))
			break;
		parent = dget_parent(d);
		dput(d);
		d = parent;
	}
	dput(d);
	return nodeid ?: FUSE_ROOT_ID;
}

/*
 * Send one filter request about @name, naming the node of @node_dentry,
 * with @result as error_in. @args may already hold out arguments.
 */
static int fp_filter_send(struct fp_conn *conn, struct fp_args *args,
			  const struct dentry *node_dentry,
			  const struct qstr *name, u32 opcode, int result,
			  const struct fp_filter_arg *extra)
{
	struct fusepass_filter_in in = {
		.error_in = result,
		.namelen = name->len,
	};
	void *buf = NULL;
	int err;

	args->opcode = opcode;
	args->nodeid = fp_filter_nodeid(node_dentry);
	args->in_numargs = 2;
	args->in_args[0].size = sizeof(in);
	args->in_args[0].value = &in;
	/* Dentry names are NUL-terminated. */
	args->in_args[1].size = name->len + 1;
	args->in_args[1].value = (void *)name->name;
	if (extra && extra->name2) {
		/* RENAME2: fuse_rename2_in, then the new name. */
		size_t len = strlen(extra->name2) + 1;

		*extra->newdir = fp_filter_nodeid(extra->newparent);
		buf = kmalloc(extra->size + len, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, extra->value, extra->size);
		memcpy(buf + extra->size, extra->name2, len);
		args->in_args[2].size = extra->size + len;
		args->in_args[2].value = buf;
		args->in_numargs = 3;
	} else if (extra && extra->size) {
		args->in_args[2].size = extra->size;
		args->in_args[2].value = (void *)extra->value;
		args->in_numargs = 3;
	}
	if (opcode & FUSEPASS_PREFILTER)
		atomic64_inc(&conn->stats.prefilter);
	else
		atomic64_inc(&conn->stats.postfilter);
	err = fp_simple_request(conn, args);
	kfree(buf);
	return err;
}

/* The object itself, or for a name in directory @masks, the directory. */
static const struct dentry *fp_filter_node(const struct inode *masks,
					   const struct dentry *dentry)
{
	return d_inode(dentry) == masks ? dentry : dentry->d_parent;
}

/*
 * Before an operation in @masks's prefilter: 0 lets it proceed, an error
 * refuses it. @dentry is the object (GETATTR, SETATTR, OPEN, OPENDIR) or
 * the name in @masks (namespace operations).
 */
int fp_filter_pre_send(struct inode *masks, struct dentry *dentry,
		       u32 opcode, const struct fp_filter_arg *extra)
{
	struct fp_conn *conn = fp_sb(dentry->d_sb)->conn;
	struct fp_args args = {};

	return fp_filter_send(conn, &args, fp_filter_node(masks, dentry),
			      &dentry->d_name, opcode | FUSEPASS_PREFILTER, 0,
			      extra);
}

/* After the operation: the result to return, @result or the daemon's. */
int fp_filter_post_send(struct inode *masks, struct dentry *dentry,
			u32 opcode, int result,
			const struct fp_filter_arg *extra)
{
	struct fp_conn *conn = fp_sb(dentry->d_sb)->conn;
	struct fp_args args = {};
	int err;

	err = fp_filter_send(conn, &args, fp_filter_node(masks, dentry),
			     &dentry->d_name,
			     opcode | FUSEPASS_POSTFILTER, result, extra);
	return err ?: result;
}

/*
 * The LOOKUP post-filter of @dentry in backed directory @dir, after the
 * backing lookup gave @result (0 or -ENOENT for a negative name). An
 * empty reply keeps the backing answer (returns 1); an error replaces it;
 * an entry with a REMOVE_BACKING block makes the name the daemon's node
 * (*out filled, ext->remove set), one with a BACKING block backs it by
 * that id (*out filled, ext->fb held). Returns 0 in those two cases.
 */
int fp_filter_lookup_post(struct inode *dir, struct dentry *dentry,
			  int result, struct fuse_entry_out *out,
			  struct fp_ext *ext)
{
	struct fp_conn *conn = fp_sb(dir->i_sb)->conn;
	struct {
		struct fuse_entry_out out;
		u8 blocks[FUSEPASS_EXT_MAX_SIZE];
	} *reply;
	struct fp_args args = {};
	struct fp_forget *forget;
	unsigned int size;
	int err;

	reply = kzalloc(sizeof(*reply), GFP_KERNEL);
	forget = fp_forget_alloc();
	if (!reply || !forget) {
		kfree(reply);
		kfree(forget);
		return -ENOMEM;
	}
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(*reply);
	args.out_args[0].value = reply;
	fp_ext_init(&args, ext, sizeof(reply->out), true);
	err = fp_filter_send(conn, &args, dentry->d_parent, &dentry->d_name,
			     FUSE_LOOKUP | FUSEPASS_POSTFILTER, result, NULL);
	/* A variable-size reply: its size, or an error. */
	if (err < 0)
		goto out;
	size = args.out_args[0].size;
	if (!size) {
		err = 1;
		goto out;
	}

	err = -EIO;
	*out = reply->out;
	if (size < sizeof(reply->out)) {
		pr_warn_ratelimited("LOOKUP post-filter reply of %u bytes refused\n",
				    size);
		goto out;
	}
	if (fp_valid_entry(out, false) || out->nodeid == FUSE_ROOT_ID)
		goto out_forget;
	err = ext->err;
	if (err)
		goto out_forget;
	if (ext->fb || ext->remove) {
		/* The caller counts the node's lookup, or FORGETs it. */
		kfree(reply);
		ext->forget = forget;
		return 0;
	}
	pr_warn_ratelimited("LOOKUP post-filter entry without a block refused\n");
	err = -EIO;
out_forget:
	/* The daemon counted a lookup of the node it named. */
	if (out->nodeid) {
		fp_queue_forget(conn, forget, out->nodeid, 1);
		forget = NULL;
	}
out:
	fp_ext_done(ext);
	kfree(forget);
	kfree(reply);
	return err;
}
