// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/shadowmap/: the module's user interface.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/pgtable.h>
#include <linux/utsname.h>

#include "shadowmap.h"
#include "hotplug.h"

static struct dentry *sm_debugfs_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "shadowmap %s\n", SHADOWMAP_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "page_size: %lu\n", PAGE_SIZE);
	seq_printf(m, "pgtable_levels: %d\n", CONFIG_PGTABLE_LEVELS);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

int sm_debugfs_init(void)
{
	sm_debugfs_dir = debugfs_create_dir("shadowmap", NULL);
	if (IS_ERR(sm_debugfs_dir))
		return PTR_ERR(sm_debugfs_dir);
	debugfs_create_file("version", 0444, sm_debugfs_dir, NULL,
			    &version_fops);
	sm_debugfs_events_init(sm_debugfs_dir);
	return 0;
}

void sm_debugfs_exit(void)
{
	debugfs_remove_recursive(sm_debugfs_dir);
	sm_debugfs_dir = NULL;
}
