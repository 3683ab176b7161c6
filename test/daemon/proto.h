/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The FUSE wire structs for the test programs: from fusepass's UAPI header
 * when it defines them (the Makefile checks), else the system's
 * <linux/fuse.h>. Both describe the same protocol.
 */
#ifndef FP_TEST_PROTO_H
#define FP_TEST_PROTO_H

#ifdef FP_UAPI_FUSEPASS
#include <linux/fusepass.h>
#else
#include <linux/fuse.h>
#endif

#ifndef FUSE_INT_REQ_BIT
#define FUSE_INT_REQ_BIT (1ULL << 0)
#endif

#endif
