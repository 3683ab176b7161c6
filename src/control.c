// SPDX-License-Identifier: GPL-2.0
/*
 * control.c - /sys/fs/fusepass/connections/DEV/: a directory per daemon
 * connection, named by the decimal device number of its mount (st_dev),
 * as fusectl's /sys/fs/fuse/connections/ for FUSE:
 *
 *   waiting               requests in flight (read)
 *   abort                 write anything: abort the connection
 *   max_background        background requests in flight at most
 *   congestion_threshold  background requests making the mount congested
 *   stats                 requests sent by opcode, backed operations
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "fusepass.h"

static struct kobject *fp_ctl_root;	/* /sys/fs/fusepass */
static struct kobject *fp_ctl_conns;	/* .../connections */

struct fp_ctl {
	struct kobject kobj;
	struct fp_conn *conn;		/* held */
};

static struct fp_conn *fp_ctl_conn(struct kobject *kobj)
{
	return container_of(kobj, struct fp_ctl, kobj)->conn;
}

static ssize_t waiting_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&fp_ctl_conn(kobj)->num_waiting));
}

static ssize_t abort_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	fp_conn_abort(fp_ctl_conn(kobj));
	return count;
}

static ssize_t max_background_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(fp_ctl_conn(kobj)->max_background));
}

static ssize_t max_background_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct fp_conn *conn = fp_ctl_conn(kobj);
	unsigned int val;

	if (kstrtouint(buf, 0, &val) || !val || val > FP_MAX_BACKGROUND_LIMIT)
		return -EINVAL;
	spin_lock(&conn->lock);
	if (conn->connected) {
		conn->max_background = val;
		fp_flush_bg_queue_locked(conn);
	}
	spin_unlock(&conn->lock);
	return count;
}

static ssize_t congestion_threshold_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(fp_ctl_conn(kobj)->congestion_threshold));
}

static ssize_t congestion_threshold_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	struct fp_conn *conn = fp_ctl_conn(kobj);
	unsigned int val;

	if (kstrtouint(buf, 0, &val) || !val || val > FP_MAX_BACKGROUND_LIMIT)
		return -EINVAL;
	WRITE_ONCE(conn->congestion_threshold, val);
	return count;
}

static ssize_t stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct fp_conn *conn = fp_ctl_conn(kobj);
	unsigned int op;
	int len = 0;

	for (op = 1; op < ARRAY_SIZE(conn->stats.requests); op++) {
		s64 n = atomic64_read(&conn->stats.requests[op]);

		if (n)
			len += sysfs_emit_at(buf, len, "request %s %lld\n",
					     fp_opcode_name(op), n);
	}
	len += sysfs_emit_at(buf, len, "passthrough_read %lld\n",
			     (s64)atomic64_read(&conn->stats.passthrough_read));
	len += sysfs_emit_at(buf, len, "passthrough_write %lld\n",
			     (s64)atomic64_read(&conn->stats.passthrough_write));
	len += sysfs_emit_at(buf, len, "passthrough_mmap %lld\n",
			     (s64)atomic64_read(&conn->stats.passthrough_mmap));
	len += sysfs_emit_at(buf, len, "backed_ops %lld\n",
			     (s64)atomic64_read(&conn->stats.backed_ops));
	len += sysfs_emit_at(buf, len, "prefilter %lld\n",
			     (s64)atomic64_read(&conn->stats.prefilter));
	len += sysfs_emit_at(buf, len, "postfilter %lld\n",
			     (s64)atomic64_read(&conn->stats.postfilter));
	return len;
}

static struct kobj_attribute fp_ctl_attrs[] = {
	__ATTR_RO_MODE(waiting, 0400),
	__ATTR_WO(abort),
	__ATTR(max_background, 0600, max_background_show, max_background_store),
	__ATTR(congestion_threshold, 0600, congestion_threshold_show,
	       congestion_threshold_store),
	__ATTR_RO_MODE(stats, 0444),
};

static struct attribute *fp_ctl_attr_list[ARRAY_SIZE(fp_ctl_attrs) + 1];

static const struct attribute_group fp_ctl_group = {
	.attrs = fp_ctl_attr_list,
};

static void fp_ctl_release(struct kobject *kobj)
{
	struct fp_ctl *ctl = container_of(kobj, struct fp_ctl, kobj);

	fp_conn_put(ctl->conn);
	kfree(ctl);
}

static const struct kobj_type fp_ctl_ktype = {
	.release	= fp_ctl_release,
	.sysfs_ops	= &kobj_sysfs_ops,
};

/* Give a connection its control directory (its dev must be set). */
int fp_control_add(struct fp_conn *conn)
{
	struct fp_ctl *ctl;
	int err;

	ctl = kzalloc(sizeof(*ctl), GFP_KERNEL);
	if (!ctl)
		return -ENOMEM;
	ctl->conn = fp_conn_get(conn);
	err = kobject_init_and_add(&ctl->kobj, &fp_ctl_ktype, fp_ctl_conns,
				   "%u", conn->dev);
	if (err)
		goto err_put;
	err = sysfs_create_group(&ctl->kobj, &fp_ctl_group);
	if (err)
		goto err_del;
	conn->ctl = &ctl->kobj;
	return 0;

err_del:
	kobject_del(&ctl->kobj);
err_put:
	kobject_put(&ctl->kobj);
	return err;
}

void fp_control_remove(struct fp_conn *conn)
{
	struct kobject *kobj = conn->ctl;

	if (!kobj)
		return;
	conn->ctl = NULL;
	sysfs_remove_group(kobj, &fp_ctl_group);
	kobject_del(kobj);
	kobject_put(kobj);
}

int fp_control_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fp_ctl_attrs); i++)
		fp_ctl_attr_list[i] = &fp_ctl_attrs[i].attr;

	fp_ctl_root = kobject_create_and_add("fusepass", fs_kobj);
	if (!fp_ctl_root)
		return -ENOMEM;
	fp_ctl_conns = kobject_create_and_add("connections", fp_ctl_root);
	if (!fp_ctl_conns) {
		kobject_put(fp_ctl_root);
		return -ENOMEM;
	}
	return 0;
}

void fp_control_exit(void)
{
	kobject_put(fp_ctl_conns);
	kobject_put(fp_ctl_root);
}
