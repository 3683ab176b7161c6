// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module init and exit.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "fusepass.h"

struct kmem_cache *fp_inode_cachep;

static void fp_inode_init_once(void *obj)
{
	struct fp_inode *fi = obj;

	inode_init_once(&fi->vfs_inode);
	spin_lock_init(&fi->lock);
	mutex_init(&fi->mutex);
	init_waitqueue_head(&fi->page_waitq);
}

static int __init fp_init(void)
{
	int err;

	fp_inode_cachep = kmem_cache_create("fusepass_inode",
					    sizeof(struct fp_inode), 0,
					    SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
					    fp_inode_init_once);
	if (!fp_inode_cachep)
		return -ENOMEM;

	err = fp_req_init();
	if (err)
		goto err_cache;

	err = fp_control_init();
	if (err)
		goto err_req;

	err = fp_dev_init();
	if (err)
		goto err_control;

	err = register_filesystem(&fp_fs_type);
	if (err)
		goto err_dev;

	pr_info("loaded (ABI %d.%d)\n", FUSEPASS_ABI_MAJOR, FUSEPASS_ABI_MINOR);
	return 0;

err_dev:
	fp_dev_exit();
err_control:
	fp_control_exit();
err_req:
	fp_req_exit();
err_cache:
	kmem_cache_destroy(fp_inode_cachep);
	return err;
}

static void __exit fp_exit(void)
{
	unregister_filesystem(&fp_fs_type);
	fp_dev_exit();
	fp_control_exit();
	/* Inodes and connections are freed after RCU grace periods. */
	rcu_barrier();
	fp_req_exit();
	kmem_cache_destroy(fp_inode_cachep);
}

module_init(fp_init);
module_exit(fp_exit);

MODULE_DESCRIPTION("FUSE-compatible filesystem with stacked passthrough to backing files");
MODULE_LICENSE("GPL");
MODULE_ALIAS_FS("fusepass");
