/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels shadowmap supports: Debian 12's 6.1 and
 * 6.12.  Feature tests where possible; each entry names its versions.
 */
#ifndef SHADOWMAP_COMPAT_H
#define SHADOWMAP_COMPAT_H

#include <linux/version.h>
#include <linux/pgtable.h>
#include <linux/mmzone.h>

/*
 * 6.1 has no pXdp_get() accessors for the upper levels (added in 6.5 as
 * generic fallbacks, arm64 overrides some of them later).  They are macros
 * or have a macro guard where an arch overrides them, so test for that.
 */
#ifndef pmdp_get
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline pmd_t sm_pmdp_get(pmd_t *pmdp) { return READ_ONCE(*pmdp); }
static inline pud_t sm_pudp_get(pud_t *pudp) { return READ_ONCE(*pudp); }
static inline p4d_t sm_p4dp_get(p4d_t *p4dp) { return READ_ONCE(*p4dp); }
static inline pgd_t sm_pgdp_get(pgd_t *pgdp) { return READ_ONCE(*pgdp); }
#define pmdp_get sm_pmdp_get
#define pudp_get sm_pudp_get
#define p4dp_get sm_p4dp_get
#define pgdp_get sm_pgdp_get
#endif
#endif

/*
 * Which levels exist at run time.  6.1 folds at build time only
 * (CONFIG_PGTABLE_LEVELS, at most 4).  6.9 added run-time folding for LPA2:
 * with 52-bit VA configured, a CPU or command line without LPA2 runs 4 (or
 * 3) levels, reported by pgtable_l5_enabled() and pgtable_l4_enabled().
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
static inline bool sm_p4d_present(void)
{
	return CONFIG_PGTABLE_LEVELS > 4 && pgtable_l5_enabled();
}

static inline bool sm_pud_present(void)
{
	return CONFIG_PGTABLE_LEVELS > 3 && pgtable_l4_enabled();
}
#else
static inline bool sm_p4d_present(void)
{
	return CONFIG_PGTABLE_LEVELS > 4;
}

static inline bool sm_pud_present(void)
{
	return CONFIG_PGTABLE_LEVELS > 3;
}
#endif

static inline bool sm_pmd_present(void)
{
	return CONFIG_PGTABLE_LEVELS > 2;
}

/* 6.1 defines no p4d_index(): its p4d is always folded. */
#ifdef p4d_index
#define sm_p4d_index(addr)	p4d_index(addr)
#else
#define sm_p4d_index(addr)	0UL
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
