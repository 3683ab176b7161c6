/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * fusepass - a FUSE-compatible filesystem with stacked passthrough to
 * backing files, for stock Linux kernels.
 *
 * This header is the whole user-visible ABI of fusepass: the filesystem
 * type, its mount options, and (as they arrive) the FUSE wire protocol at
 * the minor fusepass implements plus the fusepass extensions. It is
 * self-contained and compiles alone as C90.
 *
 * Filesystem type "fusepass", misc device /dev/fusepass.
 *
 * Mount options (mount(2) data, comma separated):
 *   root_dir=FD          fd (in the mounting process) of a directory the
 *                        mount stacks on; every inode below is backed by
 *                        the corresponding backing inode
 *   no_daemon            no FUSE daemon: all operations are served from
 *                        the backing tree (requires root_dir)
 *   fd=FD                fd of an open /dev/fusepass (daemon mode)
 *   rootmode=OCTAL       file type and mode of the root (FUSE's option)
 *   user_id=N            owner of the mount; without allow_other only
 *                        this user's tasks may use it
 *   group_id=N           group of the mount
 *   default_permissions  kernel checks permissions from the mode bits
 *   allow_other          any user may use the mount
 *
 * Mounting requires CAP_SYS_ADMIN in the initial user namespace. A
 * fusepass mount may stack on another stacked filesystem only up to a
 * depth of 2 (-ELOOP beyond).
 *
 * Changelog
 *   1.0  filesystem type, no-daemon stacked mode (root_dir, no_daemon)
 */
#ifndef _UAPI_LINUX_FUSEPASS_H
#define _UAPI_LINUX_FUSEPASS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* Version of this header's ABI (the fusepass extensions). */
#define FUSEPASS_ABI_MAJOR 1
#define FUSEPASS_ABI_MINOR 0

/* f_type reported by statfs(2) on a fusepass mount ("fpas"). */
#define FUSEPASS_SUPER_MAGIC 0x66706173

#endif /* _UAPI_LINUX_FUSEPASS_H */
