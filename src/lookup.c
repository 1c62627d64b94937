// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only walks: one routine looks a VA up in any tree, the live kernel
 * tables (init_mm, reached through init_task.active_mm) or a shadow.  It
 * goes through the kernel's pXd_offset() helpers, so 3, 4 and 5 levels,
 * folded at build or at run time, and blocks and contiguous entries all
 * come out right.  The hardware walker (AT S1E1R) is the third opinion.
 *
 * Comparison, per page: output address, memory type (AttrIndx) and the
 * permissions.  The bits ignored are:
 *   - the output address bits (compared as an address instead);
 *   - bit 1, page vs block descriptor, and PTE_CONT: the leaf kind may
 *     differ (a shadow with leaf=cont or leaf=block against a PTE mapping);
 *   - PTE_AF: the access flag is not a permission;
 *   - the software bits 55-58 and 63 (PTE_DIRTY, PTE_SPECIAL, ...).
 * Everything else is compared, nG, DBM (= PTE_WRITE), SH, GP included, after
 * folding the table descriptors' PXNTable, UXNTable and APTable into the
 * leaf's PXN, UXN, AP[2] (read-only) and AP[1] (EL0) bits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/irqflags.h>
#include <linux/seq_file.h>
#include <asm/mmu.h>
#include <asm/sysreg.h>
#include <asm/barrier.h>

#include "shadowmap.h"
#include "compat.h"

/* PXNTable, UXNTable, APTable[1:0], NSTable */
#define SM_TABLE_ATTRS		GENMASK_ULL(63, 59)
#define SM_APTABLE_NO_EL0	BIT_ULL(61)
#define SM_APTABLE_RDONLY	BIT_ULL(62)
#define SM_CMP_IGNORED		(PTE_AF | PTE_CONT | SM_PTE_SWBITS | \
				 PTE_TABLE_BIT)

/*
 * init_mm is not exported, and init_task.active_mm is only &init_mm until
 * the idle task first borrows a user mm (lazy TLB).  The kernel's own
 * tables are what TTBR1_EL1 points at: swapper_pg_dir.
 */
pgd_t *sm_live_pgd(void)
{
	u64 ttbr = read_sysreg(ttbr1_el1) & ~(TTBR_ASID_MASK | TTBR_CNP_BIT);
	phys_addr_t pa = ttbr;

	/* 52-bit PA: BADDR[51:48] sits in TTBR bits 5:2 (phys_to_ttbr()) */
	if (IS_ENABLED(CONFIG_ARM64_PA_BITS_52))
		pa = (ttbr & GENMASK_ULL(47, 6)) |
		     ((ttbr & GENMASK_ULL(5, 2)) << 46);
	return __va(pa & ~((phys_addr_t)PAGE_SIZE - 1));
}
EXPORT_SYMBOL_GPL(sm_live_pgd);

static phys_addr_t sm_leaf_phys(u64 desc)
{
	return __pte_to_phys(__pte(desc));
}

/* A leaf descriptor without its output address: the attribute bits. */
static u64 sm_leaf_attrs(u64 desc)
{
	return desc ^ __phys_to_pte_val(sm_leaf_phys(desc));
}

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
EXPORT_SYMBOL_GPL(sm_lookup);

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
EXPORT_SYMBOL_GPL(sm_hw_translate);

/* The MAIR_EL1 attribute byte a descriptor's AttrIndx selects. */
u8 sm_mair_attr(u64 desc)
{
	unsigned int idx = (desc & PTE_ATTRINDX_MASK) >> 2;

	return read_sysreg(mair_el1) >> (8 * idx);
}
EXPORT_SYMBOL_GPL(sm_mair_attr);

/* Attributes compared: see the list at the top of this file. */
static u64 sm_effective_attrs(const struct sm_leaf_info *li)
{
	u64 a = sm_leaf_attrs(li->desc);

	a &= ~SM_CMP_IGNORED;
	if (li->table_attrs & PMD_TABLE_PXN)
		a |= PTE_PXN;
	if (li->table_attrs & PMD_TABLE_UXN)
		a |= PTE_UXN;
	if (li->table_attrs & SM_APTABLE_RDONLY)
		a |= PTE_RDONLY;
	if (li->table_attrs & SM_APTABLE_NO_EL0)
		a &= ~PTE_USER;
	return a;
}

static const char *sm_compare_one(const struct sm_leaf_info *s,
				  const struct sm_leaf_info *l)
{
	u64 diff;

	if (s->level < 0)
		return "shadow unmapped";
	if (l->level < 0)
		return "live unmapped";
	if (s->pa != l->pa)
		return "output address";
	diff = sm_effective_attrs(s) ^ sm_effective_attrs(l);
	if (diff & PTE_ATTRINDX_MASK)
		return "memory type";
	if (diff)
		return "permissions";
	return NULL;
}

int sm_compare(struct sm_shadow *sh, unsigned long shadow_va,
	       unsigned long live_va, unsigned long size,
	       struct sm_compare_result *res)
{
	struct sm_leaf_info s, l;
	pgd_t *live = sm_live_pgd();
	unsigned long off;
	const char *why;

	for (off = 0; off < size; off += PAGE_SIZE) {
		sm_lookup(sm_shadow_pgd(sh), shadow_va + off, &s);
		sm_lookup(live, live_va + off, &l);
		res->pages++;
		if (!(res->pages % 512))
			cond_resched();
		why = sm_compare_one(&s, &l);
		if (!why)
			continue;
		if (!res->mismatches++) {
			res->bad_va = shadow_va + off;
			res->shadow = s;
			res->live = l;
			res->why = why;
		}
	}
	return res->mismatches ? -EFAULT : 0;
}
EXPORT_SYMBOL_GPL(sm_compare);

int sm_compare_chunks(struct sm_shadow *sh, const struct sm_chunk *chunks,
		      unsigned int nr, struct sm_compare_result *res)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		sm_compare(sh, chunks[i].va, chunks[i].va,
			   chunks[i].nr_pages * PAGE_SIZE, res);
		cond_resched();
	}
	return res->mismatches ? -EFAULT : 0;
}
EXPORT_SYMBOL_GPL(sm_compare_chunks);

/*
 * Check the live walker on up to nr sample pages of [va, va + size): its
 * output address against vmalloc_to_pfn() or __pa(), and against AT S1E1R,
 * whose PAR_EL1.ATTR must be the MAIR byte the leaf's AttrIndx selects.
 */
int sm_check_live(unsigned long va, unsigned long size, unsigned int nr,
		  unsigned long *checked, unsigned long *bad)
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
EXPORT_SYMBOL_GPL(sm_check_live);

/* arch/arm64/mm/ptdump.c's attribute names, same spelling */
struct sm_prot_bits {
	u64 mask;
	u64 val;
	const char *set;
	const char *clear;
};

static const struct sm_prot_bits sm_pte_bits[] = {
	{ PTE_VALID, PTE_VALID, " ", "F" },
	{ PTE_USER, PTE_USER, "USR", "   " },
	{ PTE_RDONLY, PTE_RDONLY, "ro", "RW" },
	{ PTE_PXN, PTE_PXN, "NX", "x " },
	{ PTE_SHARED, PTE_SHARED, "SHD", "   " },
	{ PTE_AF, PTE_AF, "AF", "  " },
	{ PTE_NG, PTE_NG, "NG", "  " },
	{ PTE_CONT, PTE_CONT, "CON", "   " },
	{ PTE_TABLE_BIT, PTE_TABLE_BIT, "   ", "BLK" },
	{ PTE_UXN, PTE_UXN, "UXN", "   " },
	{ PTE_GP, PTE_GP, "GP", "  " },
	{ PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL_NC), "MEM/NORMAL-NC" },
	{ PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL), "MEM/NORMAL" },
	{ PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL_TAGGED),
	  "MEM/NORMAL-TAGGED" },
};

static const char * const sm_ptdump_level[SM_LVL_NR] = {
	"PGD", "P4D", "PUD", "PMD", "PTE",
};

static void sm_ptdump_line(struct seq_file *m, unsigned long start,
			   unsigned long end, int level, u64 prot)
{
	static const char units[] = "KMGTPE";
	const char *unit = units;
	unsigned long delta;
	const char *s;
	int i;

	seq_printf(m, "0x%016lx-0x%016lx   ", start, end);
	delta = (end - start) >> 10;
	while (!(delta & 1023) && unit[1]) {
		delta >>= 10;
		unit++;
	}
	seq_printf(m, "%9lu%c %s", delta, *unit, sm_ptdump_level[level]);
	for (i = 0; i < ARRAY_SIZE(sm_pte_bits); i++) {
		s = (prot & sm_pte_bits[i].mask) == sm_pte_bits[i].val ?
		    sm_pte_bits[i].set : sm_pte_bits[i].clear;
		if (s)
			seq_printf(m, " %s", s);
	}
	/* the device types, named by their MAIR byte, as ptdump does */
	if (sm_mair_attr(prot) == 0x00)
		seq_puts(m, " DEVICE/nGnRnE");
	else if (sm_mair_attr(prot) == 0x04)
		seq_puts(m, " DEVICE/nGnRE");
	seq_puts(m, "\n");
}

/* The shadow over each chunk, in /sys/kernel/debug/kernel_page_tables form */
void sm_ptdump(struct seq_file *m, struct sm_shadow *sh,
	       const struct sm_chunk *chunks, unsigned int nr)
{
	unsigned long va, end, start = 0;
	struct sm_leaf_info li;
	int level = -1;
	u64 prot = 0, p;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		seq_printf(m, "---[ shadow chunk %u ]---\n", i);
		va = chunks[i].va;
		end = va + chunks[i].nr_pages * PAGE_SIZE;
		level = -1;
		while (va < end) {
			sm_lookup(sm_shadow_pgd(sh), va, &li);
			p = li.level < 0 ? 0 : sm_leaf_attrs(li.desc);
			if (level >= 0 && (li.level != level || p != prot)) {
				sm_ptdump_line(m, start, va, level, prot);
				level = -1;
			}
			if (level < 0 && li.level >= 0) {
				start = va;
				level = li.level;
				prot = p;
			}
			va = li.level < 0 ? va + PAGE_SIZE :
			     min(li.va_base + li.size, end);
			if (!(va & (PMD_SIZE - 1)))
				cond_resched();
		}
		if (level >= 0)
			sm_ptdump_line(m, start, end, level, prot);
		cond_resched();
	}
}
