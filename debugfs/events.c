// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/shadowmap/events (0444): the kernel's own hot-add and
 * hot-remove events measured live (src/probes.c), one line each, then one
 * total line per kind.  No kernel or physical addresses.
 *
 *   # probes: add=arch_add_memory ... fixmap=__set_fixmap missed=0 probe_hit_ns=N
 *   event=1 kind=add size=134217728 ret=0 counted=1 time_ns=... map_calls=1
 *     map_ns=... map_probe_ns=... fixmap_maps=... tlbi=... map_fixmap_maps=...
 *     map_tlbi=... pgtables=... map_pgtables=...         (all on one line)
 *   total kind=add events=16 size=2147483648 time_ns=... (the same keys)
 *
 * A probe line entry is the symbol probed, "off", or
 * "unavailable:<symbol>(errno)".  time_ns: arch_{add,remove}_memory() entry
 * to return; map_ns: its __create_pgd_mapping() part (map_calls says how
 * many were seen; 0 means no time); map_probe_ns: the probes' estimated
 * share of map_ns.  tlbi counts fixmap clears (each is one TLBI) during the
 * whole event, map_tlbi those inside __create_pgd_mapping(): the figure a
 * shadow run's tlbi compares with; pgtables and map_pgtables likewise count
 * the tables allocated.  The keys are src/probes.h's sm_live_counter_names.
 * counted=0: live_fixmap was off, so the fixmap and table counts are 0 and
 * map_ns carries no trap from inside the page-table loops: the time to
 * compare with a shadow run's.  Hot-remove
 * frees tables through the linear map and flushes with its own TLBIs, which
 * are not counted: its tlbi is 0.
 *
 * /sys/kernel/debug/shadowmap/ranges (0400): the hot-added ranges that are
 * online, with the index that "run region=hotplug index=N" takes (N, N+ for
 * N and later, or all) and the live add event that mapped each.
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
