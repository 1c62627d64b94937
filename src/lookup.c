// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only walks: one routine looks a VA up in any tree, the live kernel
 * tables (init_mm, reached through init_task.active_mm) or a shadow.  It
 * goes through the kernel's pXd_offset() helpers, so 3, 4 and 5 levels,
 * folded at build or at run time, and blocks and contiguous entries all
 * come out right.  The hardware walker (AT S1E1R) is the third opinion:
 * sm_check_live() checks the walk against it and against vmalloc_to_pfn()
 * or __pa() on sample pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/irqflags.h>
#include <asm/mmu.h>
#include <asm/sysreg.h>
#include <asm/barrier.h>

#include "shadowmap.h"
#include "lookup.h"
#include "compat.h"

/* PXNTable, UXNTable, APTable[1:0], NSTable */
#define SM_TABLE_ATTRS		GENMASK_ULL(63, 59)

/*
 * init_mm is not exported, and init_task.active_mm is only &init_mm until
 * the idle task first borrows a user mm (lazy TLB).  The kernel's own
 * tables are what TTBR1_EL1 points at: swapper_pg_dir.
 */
pgd_t *sm_live_pgd(void)
{
	u64 ttbr = read_sysreg(ttbr1_el1) & ~(SM_TTBR_ASID_MASK | SM_TTBR_CNP);
	phys_addr_t pa = ttbr;

	/* 52-bit PA: BADDR[51:48] sits in TTBR bits 5:2 (phys_to_ttbr()) */
	if (IS_ENABLED(CONFIG_ARM64_PA_BITS_52))
		pa = (ttbr & GENMASK_ULL(47, 6)) |
		     ((ttbr & GENMASK_ULL(5, 2)) << 46);
	return __va(pa & ~((phys_addr_t)PAGE_SIZE - 1));
}
EXPORT_SYMBOL_NS_GPL(sm_live_pgd, SM_NS);

static void sm_set_leaf_info(struct sm_leaf_info *out, unsigned long va,
			     u64 desc, int level, unsigned long size)
{
	out->desc = desc;
	out->level = level;
	out->size = size;
	out->va_base = va & ~(size - 1);
	out->pa = sm_leaf_phys(desc) + (va - out->va_base);
}

void sm_lookup(pgd_t *pgd, unsigned long va, struct sm_leaf_info *out)
{
	pgd_t *pgdp;
	p4d_t *p4dp;
	pud_t *pudp;
	pmd_t *pmdp;
	pte_t *ptep;
	pgd_t pgdv;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;
	pte_t pte;

	memset(out, 0, sizeof(*out));
	out->level = -1;

	pgdp = pgd_offset_pgd(pgd, va);
	pgdv = READ_ONCE(*pgdp);
	if (sm_p4d_present()) {
		if (pgd_none(pgdv) || pgd_bad(pgdv))
			return;
		out->table_attrs |= pgd_val(pgdv) & SM_TABLE_ATTRS;
	}
	p4dp = p4d_offset(pgdp, va);
	p4d = READ_ONCE(*p4dp);
	if (sm_pud_present()) {
		if (p4d_none(p4d) || p4d_bad(p4d))
			return;
		out->table_attrs |= p4d_val(p4d) & SM_TABLE_ATTRS;
	}
	pudp = pud_offset(p4dp, va);
	pud = READ_ONCE(*pudp);
	if (sm_pmd_present()) {
		if (pud_none(pud) || !pud_valid(pud))
			return;
		if (pud_leaf(pud)) {
			sm_set_leaf_info(out, va, pud_val(pud), SM_LVL_PUD,
					 PUD_SIZE);
			return;
		}
		out->table_attrs |= pud_val(pud) & SM_TABLE_ATTRS;
	}
	pmdp = pmd_offset(pudp, va);
	pmd = READ_ONCE(*pmdp);
	if (pmd_none(pmd) || !pmd_valid(pmd))
		return;
	if (pmd_leaf(pmd)) {
		sm_set_leaf_info(out, va, pmd_val(pmd), SM_LVL_PMD, PMD_SIZE);
		return;
	}
	out->table_attrs |= pmd_val(pmd) & SM_TABLE_ATTRS;
	ptep = pte_offset_kernel(pmdp, va);
	pte = READ_ONCE(*ptep);
	if (!pte_valid(pte))
		return;
	sm_set_leaf_info(out, va, pte_val(pte), SM_LVL_PTE, PAGE_SIZE);
}
EXPORT_SYMBOL_NS_GPL(sm_lookup, SM_NS);

/*
 * The entry for va in the table of @level (enum sm_level below the pgd; a
 * level folded away is its parent's slot), or NULL when a level above is
 * none or a block.  Every entry is 64 bits on arm64.
 */
u64 *sm_lookup_slot(pgd_t *pgd, unsigned long va, int level)
{
	pgd_t *pgdp = pgd_offset_pgd(pgd, va);
	p4d_t *p4dp;
	pud_t *pudp;
	pmd_t *pmdp;

	if (sm_p4d_present() && pgd_none(READ_ONCE(*pgdp)))
		return NULL;
	p4dp = p4d_offset(pgdp, va);
	if (level == SM_LVL_P4D)
		return (u64 *)p4dp;
	if (sm_pud_present() && p4d_none(READ_ONCE(*p4dp)))
		return NULL;
	pudp = pud_offset(p4dp, va);
	if (level == SM_LVL_PUD)
		return (u64 *)pudp;
	if (sm_pmd_present() && (pud_none(READ_ONCE(*pudp)) ||
				 pud_leaf(READ_ONCE(*pudp))))
		return NULL;
	pmdp = pmd_offset(pudp, va);
	if (level == SM_LVL_PMD)
		return (u64 *)pmdp;
	if (pmd_none(READ_ONCE(*pmdp)) || pmd_leaf(READ_ONCE(*pmdp)))
		return NULL;
	return (u64 *)pte_offset_kernel(pmdp, va);
}

/* The PTE that maps va in a tree, or NULL if va is not PTE-mapped. */
pte_t *sm_lookup_ptep(pgd_t *pgd, unsigned long va)
{
	return (pte_t *)sm_lookup_slot(pgd, va, SM_LVL_PTE);
}

/* The hardware's stage-1 EL1 read translation of va. */
int sm_hw_translate(unsigned long va, phys_addr_t *pa, u8 *attr)
{
	unsigned long flags;
	u64 par;

	/* PAR_EL1 is not preserved across an interrupt. */
	local_irq_save(flags);
	asm volatile("at s1e1r, %0" : : "r" (va));
	isb();
	par = read_sysreg_par();
	local_irq_restore(flags);

	if (par & SYS_PAR_EL1_F)
		return -EFAULT;
	*pa = (par & GENMASK_ULL(51, 12)) & ~((phys_addr_t)PAGE_SIZE - 1);
	*attr = par >> 56;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(sm_hw_translate, SM_NS);

/* The MAIR_EL1 attribute byte a descriptor's AttrIndx selects. */
u8 sm_mair_attr(u64 desc)
{
	unsigned int idx = (desc & PTE_ATTRINDX_MASK) >> 2;

	return read_sysreg(mair_el1) >> (8 * idx);
}
EXPORT_SYMBOL_NS_GPL(sm_mair_attr, SM_NS);

/*
 * Check the live walker on up to nr sample pages of [va, va + size): its
 * output address against vmalloc_to_pfn() or __pa(), and against AT S1E1R,
 * whose PAR_EL1.ATTR must be the MAIR byte the leaf's AttrIndx selects.
 */
int sm_check_live(unsigned long va, unsigned long size, unsigned int nr,
		  bool linear_may_change, unsigned long *checked,
		  unsigned long *bad)
{
	unsigned long pages = size >> PAGE_SHIFT, step, i, a;
	pgd_t *live = sm_live_pgd();
	struct sm_leaf_info li;
	phys_addr_t hw_pa, sw_pa;
	u8 attr;

	step = max(1UL, pages / max(1U, nr));
	for (i = 0; i < pages; i += step) {
		a = va + i * PAGE_SIZE;
		sm_lookup(live, a, &li);
		/* As the comparison does: a page the kernel changed since */
		if (linear_may_change && !sm_leaf_linear_plain(&li))
			continue;
		(*checked)++;
		if (is_vmalloc_addr((void *)a))
			sw_pa = PFN_PHYS(vmalloc_to_pfn((void *)a));
		else
			sw_pa = __pa(a);
		if (li.level < 0 || li.pa != sw_pa ||
		    sm_hw_translate(a, &hw_pa, &attr) || hw_pa != li.pa ||
		    attr != sm_mair_attr(li.desc))
			(*bad)++;
	}
	return *bad ? -EFAULT : 0;
}
EXPORT_SYMBOL_NS_GPL(sm_check_live, SM_NS);

