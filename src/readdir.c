// SPDX-License-Identifier: GPL-2.0
/*
 * readdir.c - directories served by the daemon: OPENDIR, READDIR,
 * READDIRPLUS, RELEASEDIR, FSYNCDIR.
 */
#include <linux/fs.h>

#include "fusepass.h"

void fp_advise_use_readdirplus(struct inode *dir)
{
	set_bit(FP_I_ADVISE_RDPLUS, &fp_inode(dir)->state);
}

const struct file_operations fp_dir_fops = {
	.llseek		= generic_file_llseek,
	.read		= generic_read_dir,
};
