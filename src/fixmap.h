/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The remap slots: the module's private fixmap (src/fixmap.c).  A walk
 * takes one set of slots, maps each table it fills through the slot of the
 * table's level (or through the lazy ring, or not at all: remap=none), and
 * gives the set back.
 */
#ifndef SHADOWMAP_FIXMAP_H
#define SHADOWMAP_FIXMAP_H

#include "shadowmap.h"

/* Slots in the lazy ring; one flush of the ring is this many TLBIs. */
#define SM_LAZY_SLOTS		16
/* 6.1 zeroes a new table through FIX_PTE: the PTE slot, its own index. */
#define SM_ZERO_SLOT		SM_LVL_NR
/* One set of slots per walker thread, as each CPU would need its own. */
#define SM_SLOT_SETS		SM_MAX_THREADS

struct sm_slot;

/* One walk's hold on a set of slots. */
struct sm_fixmap {
	enum sm_remap mode;
	struct sm_stats *st;		/* counts maps, unmaps, barriers */
	unsigned int set;
	struct sm_slot *slots;		/* this set's */
	struct sm_slot *held[SM_LVL_NR + 1];	/* per level, and SM_ZERO_SLOT */
	unsigned int lazy_next;
};

int sm_fixmap_init(void);
void sm_fixmap_exit(void);

void sm_fixmap_get(struct sm_fixmap *fm, unsigned int set, enum sm_remap mode,
		   struct sm_stats *st);
void sm_fixmap_put(struct sm_fixmap *fm);
void *sm_fixmap_map(struct sm_fixmap *fm, int idx, phys_addr_t phys);
void sm_fixmap_unmap(struct sm_fixmap *fm, int idx);
/* Calibration: flush the first @nr pages of this set's lazy ring. */
void sm_fixmap_flush_ring(struct sm_fixmap *fm, unsigned int nr);

/* Whether an unmap ends in a TLBI sequence, whose barriers a table needs. */
static inline bool sm_fixmap_unmap_syncs(enum sm_remap mode)
{
	return mode == SM_REMAP_CONT || mode == SM_REMAP_TABLE;
}

#endif /* SHADOWMAP_FIXMAP_H */
