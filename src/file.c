// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - open regular files served by the daemon.
 */
#include <linux/fs.h>

#include "fusepass.h"

static const struct inode_operations fp_file_iops = {
	.permission	= fp_node_permission,
	.getattr	= fp_node_getattr,
	.setattr	= fp_node_setattr,
	.listxattr	= fp_node_listxattr,
	FP_NODE_ACL_IOPS,
};

static const struct file_operations fp_file_fops = {
	.llseek		= generic_file_llseek,
};

void fp_init_file_inode(struct inode *inode, u32 attr_flags)
{
	inode->i_op = &fp_file_iops;
	inode->i_fop = &fp_file_fops;
}

void fp_io_init_bdi(struct super_block *sb)
{
}

void fp_io_set_nowrite(struct inode *inode)
{
}

void fp_io_release_nowrite(struct inode *inode)
{
}
