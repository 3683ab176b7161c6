// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c - symbolic links served by the daemon (READLINK).
 */
#include <linux/fs.h>

#include "fusepass.h"

const struct inode_operations fp_symlink_iops = {
	.permission	= fp_node_permission,
	.getattr	= fp_node_getattr,
	.setattr	= fp_node_setattr,
	.listxattr	= fp_node_listxattr,
};
