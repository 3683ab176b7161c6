// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - open files served by the daemon: OPEN/OPENDIR and the
 * RELEASE owed for each (shared by regular files and directories),
 * CREATE and TMPFILE, FLUSH, FSYNC, and POSIX locks and flock.
 *
 * An fp_file is the daemon's file handle (fh) for one open. It is
 * reference counted (writeback may hold it past close); when the last
 * reference goes, the RELEASE prepared at open is sent in the background.
 */
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "fusepass.h"

struct fp_release_args {
	struct fp_args args;
	struct fuse_release_in in;
	struct inode *inode;		/* held until the daemon answered */
};

struct fp_file *fp_file_alloc(struct fp_conn *conn, bool release)
{
	struct fp_file *ff;

	ff = kzalloc(sizeof(*ff), GFP_KERNEL_ACCOUNT);
	if (!ff)
		return NULL;
	if (release) {
		ff->release_args = kzalloc(sizeof(*ff->release_args),
					   GFP_KERNEL_ACCOUNT);
		if (!ff->release_args) {
			kfree(ff);
			return NULL;
		}
	}
	ff->conn = fp_conn_get(conn);
	refcount_set(&ff->count, 1);
	INIT_LIST_HEAD(&ff->write_entry);
	mutex_init(&ff->readdir.lock);
	RB_CLEAR_NODE(&ff->polled_node);
	init_waitqueue_head(&ff->poll_wait);
	return ff;
}

static void fp_file_free(struct fp_file *ff)
{
	kfree(ff->release_args);
	mutex_destroy(&ff->readdir.lock);
	fp_conn_put(ff->conn);
	kfree(ff);
}

struct fp_file *fp_file_get(struct fp_file *ff)
{
	refcount_inc(&ff->count);
	return ff;
}

static void fp_release_end(struct fp_conn *conn, struct fp_args *args,
			   int error)
{
	struct fp_release_args *ra = container_of(args, struct fp_release_args,
						  args);

	if (ra->inode)
		iput(ra->inode);
	kfree(ra);
}

/*
 * Drop a reference; the last one sends the RELEASE prepared by
 * fp_file_release_prepare() (in the background unless @sync).
 */
void fp_file_put(struct fp_file *ff, bool sync)
{
	struct fp_release_args *ra;
	struct fp_conn *conn = ff->conn;

	if (!refcount_dec_and_test(&ff->count))
		return;

	ra = ff->release_args;
	ff->release_args = NULL;
	if (ra && ra->args.opcode) {
		if (sync) {
			fp_simple_request(conn, &ra->args);
			fp_release_end(conn, &ra->args, 0);
		} else if (fp_background_request(conn, &ra->args,
						 GFP_KERNEL | __GFP_NOFAIL)) {
			fp_release_end(conn, &ra->args, -ENOTCONN);
		}
	} else {
		kfree(ra);
	}
	fp_file_free(ff);
}

/*
 * OPEN or OPENDIR @nodeid. A daemon that said it needs neither
 * (NO_OPEN_SUPPORT) and answers -ENOSYS gets no more of them, and no
 * RELEASEs either.
 */
struct fp_file *fp_send_open(struct fp_conn *conn, u64 nodeid,
			     unsigned int flags, bool isdir)
{
	bool *no_open = isdir ? &conn->no_opendir : &conn->no_open;
	struct fuse_open_in in = {};
	struct fuse_open_out out = {};
	struct fp_args args = {};
	struct fp_file *ff;
	int err;

	ff = fp_file_alloc(conn, true);
	if (!ff)
		return ERR_PTR(-ENOMEM);
	ff->nodeid = nodeid;

	if (READ_ONCE(*no_open))
		goto no_open;

	in.flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY);
	if (!(conn->init_flags & FUSE_ATOMIC_O_TRUNC))
		in.flags &= ~O_TRUNC;
	if ((conn->init_flags & FUSE_HANDLE_KILLPRIV_V2) &&
	    (in.flags & O_TRUNC) && !capable(CAP_FSETID))
		in.open_flags |= FUSE_OPEN_KILL_SUIDGID;

	args.opcode = isdir ? FUSE_OPENDIR : FUSE_OPEN;
	args.nodeid = nodeid;
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS && (conn->init_flags & (isdir ?
			FUSE_NO_OPENDIR_SUPPORT : FUSE_NO_OPEN_SUPPORT))) {
		WRITE_ONCE(*no_open, true);
		goto no_open;
	}
	if (err) {
		fp_file_put(ff, false);
		return ERR_PTR(err);
	}
	ff->fh = out.fh;
	ff->open_flags = out.open_flags;
	ff->backing_id = out.backing_id;
	if (isdir)
		ff->open_flags &= ~(FOPEN_DIRECT_IO | FOPEN_PASSTHROUGH);
	return ff;

no_open:
	kfree(ff->release_args);
	ff->release_args = NULL;
	ff->open_flags = isdir ? FOPEN_CACHE_DIR : FOPEN_KEEP_CACHE;
	return ff;
}

/*
 * Fill in the RELEASE for @ff. @inode (may be NULL when the open failed
 * half way) is held until the daemon has answered.
 */
void fp_file_release_prepare(struct fp_file *ff, struct inode *inode,
			     unsigned int flags, bool isdir)
{
	struct fp_release_args *ra = ff->release_args;

	if (!ra)
		return;
	ra->in.fh = ff->fh;
	ra->in.flags = flags;
	ra->args.opcode = isdir ? FUSE_RELEASEDIR : FUSE_RELEASE;
	ra->args.nodeid = ff->nodeid;
	ra->args.in_numargs = 1;
	ra->args.in_args[0].size = sizeof(ra->in);
	ra->args.in_args[0].value = &ra->in;
	/* Sent even if the closing task is being killed. */
	ra->args.force = true;
	ra->args.nocreds = true;
	ra->args.end = fp_release_end;
	/* The open file pins the inode, so igrab() cannot fail here. */
	ra->inode = inode ? igrab(inode) : NULL;
}

/*
 * What every open the daemon accepted does with its FOPEN_* flags. Fails
 * (EIO) when they ask for an I/O mode the inode cannot be in.
 */
int fp_finish_open(struct inode *inode, struct file *file)
{
	struct fp_file *ff = file->private_data;
	int err;

	err = fp_iomode_open(inode, file);
	if (err)
		return err;
	if (ff->open_flags & FOPEN_STREAM)
		stream_open(inode, file);
	else if (ff->open_flags & FOPEN_NONSEEKABLE)
		nonseekable_open(inode, file);
	fp_io_finish_open(inode, file);
	return 0;
}

/*
 * OPEN, and what an O_TRUNC the daemon does atomically means for the
 * page cache: with a writeback cache no writeback WRITE may be in flight
 * while the daemon truncates, nor be sent afterwards beyond the new size.
 */
int fp_open_common(struct inode *inode, struct file *file, bool isdir)
{
	struct fp_conn *conn = fp_conn_of(inode);
	bool is_trunc = !isdir && (file->f_flags & O_TRUNC) &&
			(conn->init_flags & FUSE_ATOMIC_O_TRUNC);
	bool is_wb_trunc = is_trunc &&
			   (conn->init_flags & FUSE_WRITEBACK_CACHE);
	struct fp_file *ff;
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	err = generic_file_open(inode, file);
	if (err)
		return err;

	if (is_wb_trunc) {
		inode_lock(inode);
		fp_io_set_nowrite(inode);
	}
	ff = fp_send_open(conn, fp_node_id(inode), file->f_flags, isdir);
	if (!IS_ERR(ff) && is_trunc)
		fp_io_truncate_size(inode);
	if (is_wb_trunc)
		fp_io_release_nowrite(inode);
	err = PTR_ERR_OR_ZERO(ff);
	if (!err) {
		file->private_data = ff;
		err = fp_finish_open(inode, file);
		if (err) {
			/* Not opened: no ->release will send the RELEASE. */
			file->private_data = NULL;
			fp_file_release_prepare(ff, inode, file->f_flags, isdir);
			fp_file_put(ff, false);
		}
	}
	if (is_wb_trunc)
		inode_unlock(inode);
	return err;
}

void fp_release_common(struct inode *inode, struct file *file, bool isdir)
{
	struct fp_file *ff = file->private_data;
	struct fp_release_args *ra = ff->release_args;

	fp_io_release(inode, file);
	fp_iomode_release(inode, ff);
	fp_file_release_prepare(ff, inode, file->f_flags & ~O_EXCL, isdir);
	if (ra && ff->flock) {
		ra->in.release_flags |= FUSE_RELEASE_FLOCK_UNLOCK;
		ra->in.lock_owner = fp_lock_owner_id(ff->conn, (fl_owner_t)file);
	}
	fp_file_put(ff, false);
}

/* ---- CREATE and TMPFILE ---------------------------------------------- */

/* finish_open() callback: the file is ours from here on. */
static int fp_create_finish(struct inode *inode, struct file *file)
{
	int err = generic_file_open(inode, file);

	if (!err)
		err = fp_finish_open(inode, file);
	return err;
}

/*
 * What a request is built from (protocol minor, INIT flags) is known once
 * INIT is answered; O_TMPFILE may come before any other request did.
 */
static int fp_wait_init(struct fp_conn *conn)
{
	if (wait_event_killable(conn->blocked_waitq,
				READ_ONCE(conn->initialized)))
		return -EINTR;
	/* Pairs with the barrier before initialized is set. */
	smp_rmb();
	return 0;
}

/*
 * CREATE (or TMPFILE) @entry in @dir and open it: one request that
 * answers with a new entry and an open file handle, both checked before
 * use. A reply that cannot be used still owes the daemon a RELEASE and
 * a FORGET. A CREATE reply may back the new file (a BACKING block): the
 * daemon's open is then RELEASEd at once, and the VFS opens the backed
 * inode as any other.
 */
static int fp_create_open(struct inode *dir, struct dentry *entry,
			  struct file *file, unsigned int flags, umode_t mode,
			  u32 opcode)
{
	struct fp_conn *conn = fp_conn_of(dir);
	struct fuse_entry_out outentry = {};
	struct fuse_open_out outopen = {};
	struct fuse_create_in in = {};
	struct fp_args args = {};
	struct fp_forget *forget;
	struct fp_file *ff;
	struct inode *inode;
	struct fp_ext ext;
	int err;

	err = fp_wait_init(conn);
	if (err)
		return err;
	forget = fp_forget_alloc();
	if (!forget)
		return -ENOMEM;
	ff = fp_file_alloc(conn, true);
	if (!ff) {
		kfree(forget);
		return -ENOMEM;
	}

	if (!(conn->init_flags & FUSE_DONT_MASK))
		mode &= ~current_umask();
	flags &= ~O_NOCTTY;
	in.flags = flags;
	in.mode = mode;
	in.umask = current_umask();
	if ((conn->init_flags & FUSE_HANDLE_KILLPRIV_V2) && (flags & O_TRUNC) &&
	    !(flags & O_EXCL) && !capable(CAP_FSETID))
		in.open_flags |= FUSE_OPEN_KILL_SUIDGID;

	args.opcode = opcode;
	args.nodeid = fp_node_id(dir);
	args.in_numargs = 2;
	args.in_args[0].size = conn->minor < 12 ? sizeof(struct fuse_open_in) :
						  sizeof(in);
	args.in_args[0].value = &in;
	args.in_args[1].size = entry->d_name.len + 1;
	args.in_args[1].value = (void *)entry->d_name.name;
	args.out_numargs = 2;
	args.out_args[0].size = sizeof(outentry);
	args.out_args[0].value = &outentry;
	args.out_args[1].size = sizeof(outopen);
	args.out_args[1].value = &outopen;
	ext.fb = NULL;
	ext.err = 0;
	if (opcode == FUSE_CREATE)
		fp_ext_arg(&args, &ext);
	err = fp_entry_request(conn, &args);
	if (err) {
		kfree(forget);
		fp_file_put(ff, false);
		return err;
	}

	ff->fh = outopen.fh;
	ff->nodeid = outentry.nodeid;
	ff->open_flags = outopen.open_flags;
	ff->backing_id = outopen.backing_id;
	flags &= ~(O_CREAT | O_EXCL | O_TRUNC);
	if (!S_ISREG(outentry.attr.mode) || fp_valid_entry(&outentry, false) ||
	    outentry.nodeid == FUSE_ROOT_ID) {
		pr_warn_ratelimited("daemon answered %s with an unusable entry or open file\n",
				    fp_opcode_name(opcode));
		err = -EIO;
		goto err_release;
	}
	err = ext.err;
	if (err)
		goto err_release;
	if (ext.fb) {
		if (!S_ISREG(file_inode(ext.fb->file)->i_mode)) {
			err = -EIO;
			goto err_release;
		}
		fp_file_release_prepare(ff, NULL, flags, false);
		fp_file_put(ff, false);
		inode = fp_ext_iget(dir->i_sb, &ext, outentry.nodeid, forget);
		if (!IS_ERR(inode)) {
			fp_ext_set_dentry(entry, &ext, &outentry);
			d_instantiate(entry, inode);
		}
		fp_ext_done(&ext);
		fp_invalidate_attr(dir);
		if (IS_ERR(inode))
			return PTR_ERR(inode);
		/* Created; the VFS opens it through the backed inode. */
		return finish_no_open(file, NULL);
	}
	inode = fp_iget_node(dir->i_sb, outentry.nodeid, outentry.generation,
			     &outentry.attr, fp_entry_attr_timeout(&outentry),
			     0);
	if (!inode) {
		err = -ENOMEM;
		goto err_release;
	}
	kfree(forget);

	d_instantiate(entry, inode);
	fp_change_entry_timeout(entry, &outentry);
	fp_invalidate_attr(dir);

	file->private_data = ff;
	err = finish_open(file, entry, fp_create_finish);
	if (err && !(file->f_mode & FMODE_OPENED)) {
		/* Not opened: no ->release will come to send the RELEASE. */
		file->private_data = NULL;
		fp_file_release_prepare(ff, inode, flags, false);
		fp_file_put(ff, false);
	}
	return err;

err_release:
	fp_ext_done(&ext);
	ff->nodeid = outentry.nodeid;
	fp_file_release_prepare(ff, NULL, flags, false);
	fp_file_put(ff, false);
	if (outentry.nodeid)
		fp_queue_forget(conn, forget, outentry.nodeid, 1);
	else
		kfree(forget);
	return err;
}

/*
 * The VFS calls this for opens of names not looked up yet and for every
 * O_CREAT on a negative name. Creating goes through CREATE; a daemon
 * without it gets MKNOD (through the directory's ->mknod) and then the
 * ordinary OPEN of the new file.
 */
int fp_atomic_open(struct inode *dir, struct dentry *entry, struct file *file,
		   unsigned int flags, umode_t mode)
{
	struct fp_conn *conn = fp_conn_of(dir);
	struct dentry *res = NULL;
	int err;

	if (fp_is_bad(dir))
		return -EIO;
	if (d_in_lookup(entry)) {
		res = dir->i_op->lookup(dir, entry, 0);
		if (IS_ERR(res))
			return PTR_ERR(res);
		if (res)
			entry = res;
	}
	if (!(flags & O_CREAT) || d_really_is_positive(entry))
		goto no_open;

	file->f_mode |= FMODE_CREATED;
	if (READ_ONCE(conn->no_create))
		goto mknod;
	err = fp_create_open(dir, entry, file, flags, mode, FUSE_CREATE);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_create, true);
		goto mknod;
	}
	if (err == -EEXIST)
		fp_invalidate_entry_cache(entry);
	dput(res);
	return err;

mknod:
	err = dir->i_op->mknod(&nop_mnt_idmap, dir, entry, mode, 0);
	if (err) {
		dput(res);
		return err;
	}
no_open:
	return finish_no_open(file, res);
}

/* O_TMPFILE: the daemon's TMPFILE (protocol 7.37) or not supported. */
int fp_tmpfile(struct mnt_idmap *idmap, struct inode *dir, struct file *file,
	       umode_t mode)
{
	struct fp_conn *conn = fp_conn_of(dir);
	int err;

	if (fp_is_bad(dir))
		return -EIO;
	/* Daemons older than 7.37 answer the unknown opcode with ENOSYS. */
	if (READ_ONCE(conn->no_tmpfile))
		return -EOPNOTSUPP;
	err = fp_create_open(dir, file->f_path.dentry, file, file->f_flags,
			     mode, FUSE_TMPFILE);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_tmpfile, true);
		err = -EOPNOTSUPP;
	}
	return err;
}

/* ---- FLUSH and FSYNC -------------------------------------------------- */

/*
 * Every close(2): dirty data first, then FLUSH with the closing owner,
 * which is also how the daemon drops that owner's POSIX locks.
 */
static int fp_flush(struct file *file, fl_owner_t id)
{
	struct inode *inode = file_inode(file);
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	bool wb = conn->init_flags & FUSE_WRITEBACK_CACHE;
	struct fuse_flush_in in = {};
	struct fp_args args = {};
	int err;

	if (fp_is_bad(inode))
		return -EIO;
	if ((ff->open_flags & FOPEN_NOFLUSH) && !wb)
		return 0;

	err = write_inode_now(inode, 1);
	if (err)
		return err;
	err = filemap_check_errors(file->f_mapping);
	if (err)
		return err;

	if (!READ_ONCE(conn->no_flush)) {
		in.fh = ff->fh;
		in.lock_owner = fp_lock_owner_id(conn, id);
		args.opcode = FUSE_FLUSH;
		args.nodeid = fp_node_id(inode);
		args.in_numargs = 1;
		args.in_args[0].size = sizeof(in);
		args.in_args[0].value = &in;
		args.force = true;
		err = fp_simple_request(conn, &args);
		if (err == -ENOSYS) {
			WRITE_ONCE(conn->no_flush, true);
			err = 0;
		}
	}
	/* The kernel does not count blocks a writeback cache wrote. */
	if (!err && wb)
		fp_invalidate_attr_mask(inode, STATX_BLOCKS);
	return err;
}

static int fp_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	struct fuse_fsync_in in = {};
	struct fp_args args = {};
	int err;

	if (fp_is_bad(inode))
		return -EIO;

	inode_lock(inode);
	/* Dirty pages acknowledged by the daemon, and errors reported. */
	err = file_write_and_wait_range(file, start, end);
	if (err)
		goto out;
	err = sync_inode_metadata(inode, 1);
	if (err || READ_ONCE(conn->no_fsync))
		goto out;

	in.fh = ff->fh;
	in.fsync_flags = datasync ? FUSE_FSYNC_FDATASYNC : 0;
	args.opcode = FUSE_FSYNC;
	args.nodeid = fp_node_id(inode);
	args.in_numargs = 1;
	args.in_args[0].size = sizeof(in);
	args.in_args[0].value = &in;
	err = fp_simple_request(conn, &args);
	if (err == -ENOSYS) {
		WRITE_ONCE(conn->no_fsync, true);
		err = 0;
	}
out:
	inode_unlock(inode);
	return err;
}

/* ---- POSIX locks and flock -------------------------------------------- */

static void fp_lk_fill(struct fp_args *args, struct file *file,
		       struct file_lock *fl, u32 opcode, pid_t pid, bool flock,
		       struct fuse_lk_in *in)
{
	struct file_lock_core *flc = fp_file_lock_core(fl);
	struct fp_file *ff = file->private_data;

	in->fh = ff->fh;
	in->owner = fp_lock_owner_id(ff->conn, flc->flc_owner);
	in->lk.start = fl->fl_start;
	in->lk.end = fl->fl_end;
	in->lk.type = flc->flc_type;
	in->lk.pid = pid;
	if (flock)
		in->lk_flags |= FUSE_LK_FLOCK;
	args->opcode = opcode;
	args->nodeid = fp_node_id(file_inode(file));
	args->in_numargs = 1;
	args->in_args[0].size = sizeof(*in);
	args->in_args[0].value = in;
}

/* GETLK: the conflicting lock the daemon reports, checked before use. */
static int fp_getlk(struct file *file, struct file_lock *fl)
{
	struct file_lock_core *flc = fp_file_lock_core(fl);
	struct fp_conn *conn = fp_conn_of(file_inode(file));
	struct fuse_lk_out out = {};
	struct fuse_lk_in in = {};
	struct fp_args args = {};
	int err;

	fp_lk_fill(&args, file, fl, FUSE_GETLK, 0, false, &in);
	args.out_numargs = 1;
	args.out_args[0].size = sizeof(out);
	args.out_args[0].value = &out;
	err = fp_simple_request(conn, &args);
	if (err)
		return err;

	switch (out.lk.type) {
	case F_UNLCK:
		break;
	case F_RDLCK:
	case F_WRLCK:
		if (out.lk.start > OFFSET_MAX || out.lk.end > OFFSET_MAX ||
		    out.lk.end < out.lk.start)
			return -EIO;
		fl->fl_start = out.lk.start;
		fl->fl_end = out.lk.end;
		/* The daemon names the holder in its pid namespace. */
		rcu_read_lock();
		flc->flc_pid = pid_nr_ns(find_pid_ns(out.lk.pid, conn->pid_ns),
					 &init_pid_ns);
		rcu_read_unlock();
		break;
	default:
		return -EIO;
	}
	flc->flc_type = out.lk.type;
	return 0;
}

static int fp_setlk(struct file *file, struct file_lock *fl, bool flock)
{
	struct file_lock_core *flc = fp_file_lock_core(fl);
	struct fp_conn *conn = fp_conn_of(file_inode(file));
	u32 opcode = (flc->flc_flags & FL_SLEEP) ? FUSE_SETLKW : FUSE_SETLK;
	struct pid *pid = flc->flc_type != F_UNLCK ? task_tgid(current) : NULL;
	struct fuse_lk_in in = {};
	struct fp_args args = {};
	int err;

	/* Lock managers (NFS servers) would need callbacks: not served. */
	if (fl->fl_lmops && fl->fl_lmops->lm_grant)
		return -ENOLCK;
	/* Unlocking at close is the daemon's part of FLUSH. */
	if ((flc->flc_flags & FL_CLOSE_POSIX) == FL_CLOSE_POSIX)
		return 0;

	fp_lk_fill(&args, file, fl, opcode, pid_nr_ns(pid, conn->pid_ns),
		   flock, &in);
	err = fp_simple_request(conn, &args);
	/* A lock wait interrupted by a signal restarts. */
	if (err == -EINTR)
		err = -ERESTARTSYS;
	return err;
}

/* Without FUSE_POSIX_LOCKS the locks are the kernel's, on this node. */
static int fp_file_lock(struct file *file, int cmd, struct file_lock *fl)
{
	struct fp_conn *conn = fp_conn_of(file_inode(file));

	if (cmd == F_CANCELLK)
		return 0;
	if (!(conn->init_flags & FUSE_POSIX_LOCKS)) {
		if (cmd == F_GETLK) {
			posix_test_lock(file, fl);
			return 0;
		}
		return posix_lock_file(file, fl, NULL);
	}
	if (cmd == F_GETLK)
		return fp_getlk(file, fl);
	return fp_setlk(file, fl, false);
}

/*
 * flock(2) goes to the daemon as a lock with FUSE_LK_FLOCK when it said
 * it does them (before 7.17, POSIX_LOCKS said so for both).
 */
static int fp_file_flock(struct file *file, int cmd, struct file_lock *fl)
{
	struct fp_file *ff = file->private_data;
	struct fp_conn *conn = ff->conn;
	u64 want = conn->minor >= 17 ? FUSE_FLOCK_LOCKS : FUSE_POSIX_LOCKS;

	if (!(conn->init_flags & want))
		return locks_lock_file_wait(file, fl);
	/* RELEASE unlocks it, whoever still holds the file. */
	ff->flock = true;
	return fp_setlk(file, fl, true);
}

/* ---- operations ------------------------------------------------------- */

static int fp_file_open(struct inode *inode, struct file *file)
{
	return fp_open_common(inode, file, false);
}

static int fp_file_release(struct inode *inode, struct file *file)
{
	fp_release_common(inode, file, false);
	return 0;
}

static const struct inode_operations fp_file_iops = {
	.permission	= fp_node_permission,
	.getattr	= fp_node_getattr,
	.setattr	= fp_node_setattr,
	.listxattr	= fp_node_listxattr,
	FP_NODE_ACL_IOPS,
};

static const struct file_operations fp_file_fops = {
	.open		= fp_file_open,
	.release	= fp_file_release,
	.flush		= fp_flush,
	.fsync		= fp_fsync,
	.llseek		= fp_file_llseek,
	.read_iter	= fp_file_read_iter,
	.write_iter	= fp_file_write_iter,
	.mmap		= fp_file_mmap,
	.splice_read	= copy_splice_read,
	.splice_write	= iter_file_splice_write,
	.lock		= fp_file_lock,
	.flock		= fp_file_flock,
	/* Leases as on any local file (7.0 no longer assumes that). */
	.setlease	= generic_setlease,
	.fallocate	= fp_file_fallocate,
	.copy_file_range = fp_copy_file_range,
	.unlocked_ioctl	= fp_file_ioctl,
	.compat_ioctl	= fp_file_compat_ioctl,
	.poll		= fp_file_poll,
};

void fp_init_file_inode(struct inode *inode, u32 attr_flags)
{
	struct fp_inode *fi = fp_inode(inode);

	inode->i_op = &fp_file_iops;
	inode->i_fop = &fp_file_fops;
	inode->i_data.a_ops = &fp_file_aops;
	INIT_LIST_HEAD(&fi->queued_writes);
	fi->writectr = 0;
	fi->nowrite = 0;
}
