// SPDX-License-Identifier: GPL-2.0
/*
 * notify.c - notifications from the daemon (a write with unique 0).
 */
#include <linux/uio.h>

#include "fusepass.h"

int fp_notify(struct fp_conn *conn, int code, unsigned int size,
	      struct iov_iter *from)
{
	return -EINVAL;
}
