/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's own hot-add and hot-remove, measured live (src/probes.c). */
#ifndef SHADOWMAP_PROBES_H
#define SHADOWMAP_PROBES_H

#include <linux/types.h>

struct seq_file;

enum sm_live_kind {
	SM_LIVE_ADD,
	SM_LIVE_REMOVE,
	SM_LIVE_NR
};

extern const char * const sm_live_kind_names[SM_LIVE_NR];

/*
 * What one event counts; the events file prints them in this order and
 * sums them per kind.  Each fixmap clear is followed by one TLBI, so the
 * clears are named for what they cost.
 */
enum sm_live_counter {
	SM_LIVE_TIME_NS,	/* arch_{add,remove}_memory(), entry to return */
	SM_LIVE_MAP_CALLS,	/* __create_pgd_mapping() calls seen */
	SM_LIVE_MAP_NS,		/* their time, entry to return */
	SM_LIVE_MAP_PROBE_NS,	/* estimated probe overhead inside map_ns */
	SM_LIVE_FIXMAP_MAPS,	/* __set_fixmap() maps during the event */
	SM_LIVE_TLBI,		/* __set_fixmap() clears: one TLBI each */
	SM_LIVE_MAP_FIXMAP_MAPS, /* the same, inside __create_pgd_mapping() */
	SM_LIVE_MAP_TLBI,
	SM_LIVE_PGTABLES,	/* __pgd_pgtable_alloc() calls */
	SM_LIVE_MAP_PGTABLES,	/* the same, inside __create_pgd_mapping() */
	SM_LIVE_CNT_NR
};

extern const char * const sm_live_counter_names[SM_LIVE_CNT_NR];

struct sm_live_event {
	unsigned int index;	/* 1, 2, ...: never reused */
	enum sm_live_kind kind;
	int ret;		/* arch_add_memory()'s return value */
	bool counted;		/* fixmap counted throughout (live_fixmap) */
	phys_addr_t start;	/* physical: only in the 0400 file */
	u64 size;
	u64 cnt[SM_LIVE_CNT_NR];
};

#define SM_LIVE_MAX_EVENTS	1024

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

#endif /* SHADOWMAP_PROBES_H */
