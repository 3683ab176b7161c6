// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - the /dev/fusepass character device.
 *
 * A FUSE daemon opens it and reads requests / writes replies. The
 * protocol is not served yet: the device can be opened, and reading or
 * writing fails with -EPERM as FUSE's does on an unmounted connection.
 */
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "fusepass.h"

static int fp_dev_open(struct inode *inode, struct file *file)
{
	/* Not seekable; a connection is bound at mount time via fd=. */
	return stream_open(inode, file);
}

static ssize_t fp_dev_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	return -EPERM;
}

static ssize_t fp_dev_write(struct file *file, const char __user *buf,
			    size_t len, loff_t *ppos)
{
	return -EPERM;
}

static const struct file_operations fp_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= fp_dev_open,
	.read		= fp_dev_read,
	.write		= fp_dev_write,
};

static struct miscdevice fp_miscdevice = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "fusepass",
	.fops	= &fp_dev_fops,
	/* Like /dev/fuse: any user may open it; mounting is what is checked. */
	.mode	= 0666,
};

int fp_dev_init(void)
{
	return misc_register(&fp_miscdevice);
}

void fp_dev_exit(void)
{
	misc_deregister(&fp_miscdevice);
}
