/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-only walks of any page-table tree: the live kernel tables or a
 * shadow (src/lookup.c), and the hardware walker's opinion (AT S1E1R).
 */
#ifndef SHADOWMAP_LOOKUP_H
#define SHADOWMAP_LOOKUP_H

#include <linux/pgtable.h>

#include "shadowmap.h"

/* What a walk found for one VA. */
struct sm_leaf_info {
	u64 desc;		/* the leaf descriptor */
	u64 table_attrs;	/* hierarchical bits of the table descriptors */
	unsigned long va_base;	/* VA the leaf starts at */
	unsigned long size;	/* bytes the leaf maps */
	phys_addr_t pa;		/* output address of the looked-up page */
	int level;		/* enum sm_level, or -1 when not mapped */
};

pgd_t *sm_live_pgd(void);
void sm_lookup(pgd_t *pgd, unsigned long va, struct sm_leaf_info *out);
u64 *sm_lookup_slot(pgd_t *pgd, unsigned long va, int level);
pte_t *sm_lookup_ptep(pgd_t *pgd, unsigned long va);

/* The VA span one table of @level maps: its parent entry's. */
static inline unsigned long sm_table_span(int level)
{
	switch (level) {
	case SM_LVL_P4D:
		return PGDIR_SIZE;
	case SM_LVL_PUD:
		return P4D_SIZE;
	case SM_LVL_PMD:
		return PUD_SIZE;
	default:
		return PMD_SIZE;
	}
}

/* The VA one entry of a table of @level maps. */
static inline unsigned long sm_entry_span(int level)
{
	return level == SM_LVL_PTE ? PAGE_SIZE : sm_table_span(level + 1);
}

/*
 * Inline: compare and ptdump call these once per page, and an out-of-line
 * call costs a pointer-authentication pair (very slow under TCG).
 */
static inline phys_addr_t sm_leaf_phys(u64 desc)
{
	return __pte_to_phys(__pte(desc));
}

/* A leaf descriptor without its output address: the attribute bits. */
static inline u64 sm_leaf_attrs(u64 desc)
{
	return desc ^ __phys_to_pte_val(sm_leaf_phys(desc));
}

/*
 * Whether a live linear-map leaf is still as map_mem() made it: mapped,
 * writable, Normal Tagged.  The kernel changes some pages at run time
 * (set_memory_ro(), KFENCE, secretmem), and the ram region leaves those out
 * (src/region_ram.c).
 */
static inline bool sm_leaf_linear_plain(const struct sm_leaf_info *li)
{
	return li->level >= 0 && !(li->desc & PTE_RDONLY) &&
	       (li->desc & PTE_ATTRINDX_MASK) ==
	       PTE_ATTRINDX(MT_NORMAL_TAGGED);
}

int sm_hw_translate(unsigned long va, phys_addr_t *pa, u8 *attr);
u8 sm_mair_attr(u64 desc);
int sm_check_live(unsigned long va, unsigned long size, unsigned int nr,
		  bool linear_may_change, unsigned long *checked,
		  unsigned long *bad);

#endif /* SHADOWMAP_LOOKUP_H */
