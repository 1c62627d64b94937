/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory hot-add as shadowmap sees it: the ranges that came online since the
 * module was loaded (src/hotplug.c), the kernel's own linear-map creation for
 * them measured live with kprobes (src/probes.c), and the System RAM ranges
 * of the "ram" region (src/ram.c).
 */
#ifndef SHADOWMAP_HOTPLUG_H
#define SHADOWMAP_HOTPLUG_H

#include <linux/types.h>

struct seq_file;

/* One physically contiguous range, mapped at its linear-map VA __va(start). */
struct sm_extent {
	phys_addr_t start;
	u64 size;
};

/* A list of extents, mapped one call each, in order, into one shadow. */
struct sm_extents {
	struct sm_extent *ext;	/* kvmalloc'ed; sm_extents_free() */
	unsigned int nr;
	u64 bytes;		/* sum of the sizes */
};

void sm_extents_free(struct sm_extents *e);

/* Fill a region's area with one chunk per extent (region.h). */
struct sm_area;
int sm_area_from_extents(const struct sm_extents *e, struct sm_area *area,
			 char *err, size_t errlen);

/* sm_run_config.index for the hotplug region */
#define SM_HOTPLUG_INDEX_LAST	0		/* the most recent range */
#define SM_HOTPLUG_INDEX_ALL	UINT_MAX	/* every range, in order */
#define SM_HOTPLUG_INDEX_FROM	0x80000000U	/* "index=N+": N and later */

/* Most ranges the notifier records; more are dropped with a warning. */
#define SM_HOTPLUG_MAX_RANGES	4096

int sm_hotplug_init(void);
void sm_hotplug_exit(void);

/* Under sm_lock: the ram or hotplug area in use (NULL when released). */
void sm_hotplug_area_set(const struct sm_area *area);
void sm_hotplug_area_release(struct sm_area *area);

/*
 * The extents of recorded range @index (1-based), of the most
 * recent one (SM_HOTPLUG_INDEX_LAST), of all of them (SM_HOTPLUG_INDEX_ALL)
 * or of N and every later one (N | SM_HOTPLUG_INDEX_FROM), in order.
 * On error, err says why: -ENOENT when nothing was
 * recorded or no such index, -EBUSY when the range is going offline.
 */
int sm_hotplug_extents(unsigned int index, struct sm_extents *out,
		       char *err, size_t errlen);

/*
 * True when every section of [pfn, pfn + nr) is online and not going
 * offline.  Under sm_lock, it then stays mapped until the area that maps it
 * is released: MEM_GOING_OFFLINE frees that first.
 */
bool sm_hotplug_pfns_stable(unsigned long pfn, unsigned long nr);

/* KUnit: run the memory notifier on a made-up event. */
int sm_hotplug_notify_test(unsigned long action, unsigned long pfn,
			   unsigned long nr);

/* For debugfs "ranges" (0400: physical addresses). */
void sm_hotplug_show_ranges(struct seq_file *m);
unsigned int sm_hotplug_nr_ranges(void);

/* src/probes.c: the kernel's own hot-add and hot-remove, measured live. */
enum sm_live_kind {
	SM_LIVE_ADD,
	SM_LIVE_REMOVE,
};

struct sm_live_event {
	unsigned int index;	/* 1, 2, ...: never reused */
	enum sm_live_kind kind;
	int ret;		/* arch_add_memory()'s return value */
	bool counted;		/* fixmap counted throughout (live_fixmap) */
	phys_addr_t start;	/* physical: only in the 0400 file */
	u64 size;
	u64 time_ns;		/* arch_{add,remove}_memory(), entry to return */
	u64 map_ns;		/* its __create_pgd_mapping(), entry to return */
	unsigned int map_calls;	/* how many; 0: the probes did not see it */
	u64 fix_maps;		/* __set_fixmap() maps during the event */
	u64 fix_clears;		/* __set_fixmap() clears: each one TLBI */
	u64 map_fix_maps;	/* the same, inside __create_pgd_mapping() */
	u64 map_fix_clears;
	u64 pgtables;		/* __pgd_pgtable_alloc() calls */
	u64 map_pgtables;	/* the same, inside __create_pgd_mapping() */
	u64 map_probe_ns;	/* estimated probe overhead inside map_ns */
};

int sm_probes_init(void);
void sm_probes_exit(void);

/*
 * Copy the recorded events, oldest first, into @dst (at most @max); returns
 * how many.  *@total gets the number of events seen since load, which is
 * larger when the oldest were overwritten.
 */
unsigned int sm_probes_events(struct sm_live_event *dst, unsigned int max,
			      unsigned int *total);
/* The live add event whose range contains [start, start + size), or 0. */
unsigned int sm_probes_add_event(phys_addr_t start, u64 size);
/* One line: which symbols are probed, which are unavailable and why. */
void sm_probes_show_status(struct seq_file *m);

#define SM_LIVE_MAX_EVENTS	1024

/* src/ram.c: the "ram" region, a replica of map_mem(). */
int sm_ram_extents(unsigned int leaf, struct sm_extents *out,
		   char *err, size_t errlen);
u64 sm_ram_table_bytes(const struct sm_extents *e, unsigned int leaf);

/* debugfs/events.c */
struct dentry;
void sm_debugfs_events_init(struct dentry *dir);

#endif /* SHADOWMAP_HOTPLUG_H */
