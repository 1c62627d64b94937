// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/shadowmap/events (0444): the kernel's own hot-add and
 * hot-remove events measured live (src/probes.c), one line each, then one
 * total line per kind; no kernel or physical addresses.  ranges (0400): the
 * hot-added ranges the module recorded (src/hotplug.c).  The interface is
 * described in docs/debugfs.md.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "debugfs.h"
#include "probes.h"
#include "hotplug.h"

static void sm_event_keys(struct seq_file *m, const u64 *cnt)
{
	unsigned int i;

	for (i = 0; i < SM_LIVE_CNT_NR; i++)
		seq_printf(m, " %s=%llu", sm_live_counter_names[i], cnt[i]);
	seq_putc(m, '\n');
}

static int events_show(struct seq_file *m, void *v)
{
	unsigned int n, total, i, k, count[SM_LIVE_NR] = {};
	u64 size[SM_LIVE_NR] = {}, sum[SM_LIVE_NR][SM_LIVE_CNT_NR] = {};
	struct sm_live_event *ev;

	ev = kvcalloc(SM_LIVE_MAX_EVENTS, sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	n = sm_probes_events(ev, SM_LIVE_MAX_EVENTS, &total);

	sm_probes_show_status(m);
	if (total > n)
		seq_printf(m, "# %u oldest events dropped\n", total - n);
	for (i = 0; i < n; i++) {
		const struct sm_live_event *e = &ev[i];

		seq_printf(m, "event=%u kind=%s size=%llu ret=%d counted=%d",
			   e->index, sm_live_kind_names[e->kind], e->size,
			   e->ret, e->counted);
		sm_event_keys(m, e->cnt);
		count[e->kind]++;
		size[e->kind] += e->size;
		for (k = 0; k < SM_LIVE_CNT_NR; k++)
			sum[e->kind][k] += e->cnt[k];
	}
	for (i = 0; i < SM_LIVE_NR; i++) {
		seq_printf(m, "total kind=%s events=%u size=%llu",
			   sm_live_kind_names[i], count[i], size[i]);
		sm_event_keys(m, sum[i]);
	}
	kvfree(ev);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(events);

static int ranges_show(struct seq_file *m, void *v)
{
	sm_hotplug_show_ranges(&sm_hotplug, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ranges);

void sm_debugfs_events_init(struct dentry *dir)
{
	debugfs_create_file("events", 0444, dir, NULL, &events_fops);
	debugfs_create_file("ranges", 0400, dir, NULL, &ranges_fops);
}
