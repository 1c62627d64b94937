/* SPDX-License-Identifier: GPL-2.0 */
/* /sys/kernel/debug/shadowmap/ */
#ifndef SHADOWMAP_DEBUGFS_H
#define SHADOWMAP_DEBUGFS_H

struct dentry;

int sm_debugfs_init(void);
void sm_debugfs_exit(void);
/* debugfs/events.c: the live events and the hot-added ranges */
void sm_debugfs_events_init(struct dentry *dir);

#endif /* SHADOWMAP_DEBUGFS_H */
