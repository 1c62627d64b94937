/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels shadowmap supports: Debian 12's 6.1 and
 * 6.12, Debian 13's 6.12 and the 7.x of trixie-backports and sid.
 * Feature tests where possible; each entry names its versions.
 */
#ifndef SHADOWMAP_COMPAT_H
#define SHADOWMAP_COMPAT_H

#include <linux/pgtable.h>
#include <linux/mmzone.h>
#include <asm/mmu.h>
#include <asm/sysreg.h>

/*
 * The symbol namespace of everything exported, for shadowmap_kunit.ko
 * only.  6.1 to 6.12 stringify a bare identifier; 6.13 made the export and
 * import macros take a string literal.  Only the macros' bodies differ,
 * so Kbuild reads include/linux/export.h and says (SM_NS_STRINGIFIED).
 */
#ifdef SM_NS_STRINGIFIED
#define SM_NS	SHADOWMAP
#else
#define SM_NS	"SHADOWMAP"
#endif

/*
 * A per-CPU workqueue: 6.17 added WQ_PERCPU to say so, and 7.x WARNs at
 * alloc_workqueue() when neither it nor WQ_UNBOUND is given.  Before it,
 * per-CPU was the default (Kbuild finds the enum: SM_HAVE_WQ_PERCPU).
 */
#ifdef SM_HAVE_WQ_PERCPU
#define SM_WQ_PERCPU	WQ_PERCPU
#else
#define SM_WQ_PERCPU	0
#endif

/* Bit 1 of a descriptor, table or page against block: 7.x dropped the name. */
#ifdef PTE_TABLE_BIT
#define SM_PTE_TABLE_BIT	PTE_TABLE_BIT
#else
#define SM_PTE_TABLE_BIT	(_AT(pteval_t, 1) << 1)
#endif

/*
 * TTBR1_EL1's ASID (bits 63:48) and CnP (bit 0) fields: TTBR_ASID_MASK and
 * TTBR_CNP_BIT in 6.1 and 6.12; 7.x names only the generated sysreg fields.
 */
#ifdef TTBR_ASID_MASK
#define SM_TTBR_ASID_MASK	TTBR_ASID_MASK
#define SM_TTBR_CNP		TTBR_CNP_BIT
#else
#define SM_TTBR_ASID_MASK	GENMASK_ULL(63, 48)
#define SM_TTBR_CNP		BIT_ULL(0)
#endif

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

/*
 * The linear-map VA of PA 0 on a machine whose RAM starts at PA 0, with no
 * linear-region randomisation: __phys_to_virt(0) with the PHYS_OFFSET
 * arm64_memblock_init() would choose.  That is PAGE_OFFSET, except that a
 * 52-bit VA kernel running with fewer bits moves memory up: 6.1 by
 * _PAGE_OFFSET(48) - _PAGE_OFFSET(52) (64K pages only, where the fallback
 * is 48 bits), 6.12 by _PAGE_OFFSET(vabits_actual) - _PAGE_OFFSET(52)
 * (LPA2 brought 4K and 16K, 47 or 48 bits).  Both give this; vabits_actual
 * is an exported variable in 6.1, a TCR_EL1 read in 6.12.
 */
static inline unsigned long sm_linear_va0(void)
{
	return _PAGE_OFFSET(vabits_actual);
}

/*
 * How init_pte() runs pgattr_change_is_safe() for each entry, as Debian
 * builds it.  The 6.6+ one (it masks PTE_SWBITS_MASK; Debian 6.12): its
 * first test (either entry invalid: safe) is inlined into the loop, and
 * pgattr_change_is_safe.part.0 is called only when both are valid, so
 * filling a fresh table calls nothing (read from Debian 6.12's Image).
 * 6.1's: a call per entry.  check=kernel does the same (src/walker.c).
 */
#ifdef PTE_SWBITS_MASK
#define SM_PGATTR_TEST_INLINE	true
#else
#define SM_PGATTR_TEST_INLINE	false
#endif

#endif /* SHADOWMAP_COMPAT_H */
