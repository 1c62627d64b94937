/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counted instructions: every barrier and TLBI the walker and the remap
 * slots issue goes through one of these, which bumps its counter.  The
 * sequences are the kernel's own (arch/arm64/include/asm/tlbflush.h and
 * set_pte()), so the counts are what the kernel would issue.
 */
#ifndef SHADOWMAP_COUNTED_H
#define SHADOWMAP_COUNTED_H

#include <asm/barrier.h>
#include <asm/tlbflush.h>

#include "shadowmap.h"

static inline void sm_dsb_ishst(struct sm_stats *st)
{
	dsb(ishst);
	st->cnt[SM_CNT_DSB]++;
}

static inline void sm_isb(struct sm_stats *st)
{
	isb();
	st->cnt[SM_CNT_ISB]++;
}

/* set_pte()/set_pmd()/... of a valid kernel entry: the barriers after it */
static inline void sm_entry_sync(struct sm_stats *st)
{
	sm_dsb_ishst(st);
	sm_isb(st);
}

/*
 * The same barriers in a loop over entries, which counts them once at its
 * end with sm_count_entry_syncs(): a count per entry would be work inside
 * the loop that the kernel's set_pte() does not do.
 */
static __always_inline void sm_entry_sync_bare(void)
{
	dsb(ishst);
	isb();
}

static inline void sm_count_entry_syncs(struct sm_stats *st, u64 nr)
{
	st->cnt[SM_CNT_DSB] += nr;
	st->cnt[SM_CNT_ISB] += nr;
}

/* flush_tlb_kernel_range(): DSB ISHST, one TLBI per page, DSB ISH, ISB. */
static inline void sm_flush_tlb(struct sm_stats *st, unsigned long va,
				unsigned int nr)
{
	flush_tlb_kernel_range(va, va + nr * PAGE_SIZE);
	st->cnt[SM_CNT_TLBI] += nr;
	st->cnt[SM_CNT_DSB] += 2;
	st->cnt[SM_CNT_ISB]++;
}

/*
 * flush_tlb_kernel_range() of any size: past MAX_TLBI_OPS (6.1) or
 * MAX_DVM_OPS (6.12) pages, both PTRS_PER_PTE, it is flush_tlb_all(): one
 * TLBI VMALLE1IS in the same DSB, DSB, ISB frame.
 */
static inline void sm_flush_tlb_kernel_range(struct sm_stats *st,
					     unsigned long start,
					     unsigned long end)
{
	u64 pages = (end - start) >> PAGE_SHIFT;

	flush_tlb_kernel_range(start, end);
	st->cnt[SM_CNT_TLBI] += pages > PTRS_PER_PTE ? 1 : pages;
	st->cnt[SM_CNT_DSB] += 2;
	st->cnt[SM_CNT_ISB]++;
}

/* __flush_tlb_kernel_pgtable(): one VA, walk caches included. */
static inline void sm_flush_tlb_pgtable(struct sm_stats *st,
					unsigned long va)
{
	__flush_tlb_kernel_pgtable(va);
	st->cnt[SM_CNT_TLBI]++;
	st->cnt[SM_CNT_DSB] += 2;
	st->cnt[SM_CNT_ISB]++;
}

#endif /* SHADOWMAP_COUNTED_H */
