/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ranges of memory that came online while the module is loaded, as the
 * memory notifier reports them (src/hotplug.c).  The module keeps one set,
 * sm_hotplug; KUnit builds private ones and feeds them made-up events.
 */
#ifndef SHADOWMAP_HOTPLUG_H
#define SHADOWMAP_HOTPLUG_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct seq_file;
struct sm_extents;

/* Most ranges a set records; more are dropped with a warning. */
#define SM_HOTPLUG_MAX_RANGES	4096

/*
 * Called on MEM_GOING_OFFLINE, after the ranges are marked going and
 * without the set's lock: free whatever maps [pfn, pfn + nr).  It may wait.
 */
typedef void (*sm_hotplug_going_fn)(unsigned long pfn, unsigned long nr);

struct sm_hotplug {
	struct mutex lock;		/* everything below */
	struct list_head ranges;	/* oldest first */
	unsigned int nr;
	unsigned int next_index;	/* 1, 2, ...: never reused */
	unsigned int dropped;		/* ranges not recorded */
	bool overflow_warned;
	/* The range going offline now (offlining is serialized). */
	unsigned long going_pfn, going_nr;
	sm_hotplug_going_fn going_offline;
};

extern struct sm_hotplug sm_hotplug;

void sm_hotplug_init(struct sm_hotplug *hp, sm_hotplug_going_fn going);
void sm_hotplug_destroy(struct sm_hotplug *hp);
/* One memory notifier event (MEM_ONLINE, MEM_GOING_OFFLINE, ...). */
void sm_hotplug_event(struct sm_hotplug *hp, unsigned long action,
		      unsigned long pfn, unsigned long nr);

/* The module's set, fed by a memory notifier until unregistered. */
int sm_hotplug_register(sm_hotplug_going_fn going);
void sm_hotplug_unregister(void);

/*
 * The extents of recorded range @index (1-based), of the most recent one
 * (SM_HOTPLUG_INDEX_LAST), of all of them (SM_HOTPLUG_INDEX_ALL) or of N
 * and every later one (N | SM_HOTPLUG_INDEX_FROM), in order; *@picked gets
 * the index of the last one.  On error, err says why: -ENOENT when nothing
 * was recorded or no such index, -EBUSY when the range is going offline.
 */
int sm_hotplug_extents(struct sm_hotplug *hp, unsigned int index,
		       struct sm_extents *out, unsigned int *picked,
		       char *err, size_t errlen);

/* True when every section of [pfn, pfn + nr) is online and not going. */
bool sm_hotplug_pfns_stable(struct sm_hotplug *hp, unsigned long pfn,
			    unsigned long nr);
unsigned int sm_hotplug_nr_ranges(struct sm_hotplug *hp);
/* 1 if the oldest range is mapped with blocks, 0 if not, -ENOENT. */
int sm_hotplug_block_mapped(struct sm_hotplug *hp);
/* For debugfs "ranges" (0400: physical addresses). */
void sm_hotplug_show_ranges(struct sm_hotplug *hp, struct seq_file *m);

#endif /* SHADOWMAP_HOTPLUG_H */
