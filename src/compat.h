/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels shadowmap supports: Debian 12's 6.1 and
 * 6.12.  Feature tests where possible; each entry names its versions.
 */
#ifndef SHADOWMAP_COMPAT_H
#define SHADOWMAP_COMPAT_H

#include <linux/pgtable.h>
#include <linux/mmzone.h>

/*
 * Which levels exist at run time.  6.1 folds at build time only, and its
 * generic mm_pXd_folded() say so.  6.9 added run-time folding for LPA2 and
 * arm64's own mm_p4d_folded()/mm_pud_folded() (pgtable_l5_enabled(),
 * pgtable_l4_enabled()): with 52-bit VA configured, a CPU or command line
 * without LPA2 runs 4 levels.  The mm argument is unused on arm64.
 */
static inline bool sm_p4d_present(void)
{
	return !mm_p4d_folded(NULL);
}

static inline bool sm_pud_present(void)
{
	return !mm_pud_folded(NULL);
}

static inline bool sm_pmd_present(void)
{
	return !mm_pmd_folded(NULL);
}

/* 6.1 defines no p4d_index(): its p4d is always folded. */
#ifdef p4d_index
#define sm_p4d_index(addr)	p4d_index(addr)
#else
#define sm_p4d_index(addr)	((void)(addr), 0UL)
#endif

/* 6.1 has no PTE_SWBITS_MASK (6.6+); bits 55-58 are software-defined. */
#ifdef PTE_SWBITS_MASK
#define SM_PTE_SWBITS	PTE_SWBITS_MASK
#else
#define SM_PTE_SWBITS	(BIT_ULL(63) | GENMASK_ULL(58, 55))
#endif

/* 6.8 renamed MAX_ORDER (exclusive) to MAX_PAGE_ORDER (inclusive). */
#ifdef MAX_PAGE_ORDER
#define SM_MAX_ORDER	MAX_PAGE_ORDER
#else
#define SM_MAX_ORDER	(MAX_ORDER - 1)
#endif

#endif /* SHADOWMAP_COMPAT_H */
