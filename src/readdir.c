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

static int fp_dir_open(struct inode *inode, struct file *file)
{
	return fp_open_common(inode, file, true);
}

static int fp_dir_release(struct inode *inode, struct file *file)
{
	fp_release_common(inode, file, true);
	return 0;
}

const struct file_operations fp_dir_fops = {
	.open		= fp_dir_open,
	.release	= fp_dir_release,
	.llseek		= generic_file_llseek,
	.read		= generic_read_dir,
};
