// SPDX-License-Identifier: GPL-2.0
/*
 * Repaint a kept shadow.  split turns every block into a table of PTEs:
 * what a kernel that mapped its linear map with blocks (its boot CPU has
 * BBML2) must do when a secondary CPU lacks BBML2 ("mode 3" of the seed's
 * "FEAT_BBM level 2" series).  A PMD block becomes a PTE table; a PUD block
 * a PMD table of PTE tables; a contiguous group (PMD blocks or PTEs with
 * the contiguous hint) is done as one unit and loses its hint, as the
 * kernel's split to PTEs does.  collapse is the reverse at the PMD level:
 * a PTE table whose entries map one aligned, physically contiguous block's
 * worth of pages with the same attributes becomes a block, and its page is
 * freed.
 *
 * Per unit, with the kernel's own instructions (set_pmd() and friends,
 * flush_tlb_kernel_range()); the shadow is never live, but these are the
 * instructions a live repaint issues:
 *   seq=bbm    clear each entry (set_pmd(0): no barrier), TLBI the unit's
 *              range, then write each new entry (DSB ISHST + ISB each)
 *   seq=bbml2  write each new entry over the old one (DSB + ISB each), then
 *              TLBI the unit's range
 * flush_tlb_kernel_range() is DSB ISHST, a TLBI per page, DSB ISH, ISB, or
 * past PTRS_PER_PTE pages one TLBI VMALLE1IS.  A collapse also issues
 * __flush_tlb_kernel_pgtable() for the table it frees: the walk caches may
 * hold it.  New tables are written whole through the linear map (so not
 * zeroed), then one DSB ISHST makes them visible before their descriptor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "repaint.h"
#include "shadow.h"
#include "walker.h"
#include "lookup.h"
#include "counted.h"
#include "compat.h"
#include "budget.h"

const char * const sm_repaint_op_names[] = {
	[SM_REPAINT_SPLIT] = "split",
	[SM_REPAINT_COLLAPSE] = "collapse",
};
EXPORT_SYMBOL_NS_GPL(sm_repaint_op_names, SM_NS);

const char * const sm_repaint_seq_names[] = {
	[SM_SEQ_BBM] = "bbm",
	[SM_SEQ_BBML2] = "bbml2",
};
EXPORT_SYMBOL_NS_GPL(sm_repaint_seq_names, SM_NS);

static_assert(ARRAY_SIZE(sm_repaint_op_names) == SM_REPAINT_OP_NR);
static_assert(ARRAY_SIZE(sm_repaint_seq_names) == SM_SEQ_NR);

/* The largest unit of entries: a contiguous group of PTEs or of PMDs. */
#define SM_RP_MAX_GROUP		max(CONT_PTES, CONT_PMDS)

/* Resched and check for a stop every this many PTEs scanned. */
#define SM_RP_SCAN_EVERY	4096

struct sm_rp {
	struct sm_shadow *sh;
	enum sm_repaint_op op;
	enum sm_repaint_seq seq;
	bool dry;			/* count units, change nothing */
	struct sm_stats *st;
	struct sm_stop *stop;
	atomic_long_t *done;
	u64 *vals;			/* a unit's new entries */
	unsigned long scanned;
	struct sm_repaint_out out;
};

int sm_repaint_parse(enum sm_repaint_op op, char *args,
		     struct sm_repaint_args *a, char *err, size_t errlen)
{
	char *key, *val;
	bool seen = false;
	int ret, i;

	a->op = op;
	a->seq = SM_SEQ_BBM;
	while ((ret = sm_next_word(&args, &key, &val, err, errlen)) > 0) {
		if (strcmp(key, "seq") || seen) {
			sm_err("%s: '%s' %s (want seq=bbm or seq=bbml2)",
			       sm_repaint_op_names[op], key,
			       seen ? "given twice" : "is not a key");
			return -EINVAL;
		}
		seen = true;
		i = match_string(sm_repaint_seq_names, SM_SEQ_NR, val);
		if (i < 0) {
			sm_err("%s: seq=%s: want bbm or bbml2",
			       sm_repaint_op_names[op], val);
			return -EINVAL;
		}
		a->seq = i;
	}
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_repaint_parse, SM_NS);

/*
 * Replace @n entries from @entry with rp->vals, for [va, va + size): the
 * sequence of the file's comment.  @counter counts the entries written.
 */
static void sm_rp_replace(struct sm_rp *rp, u64 *entry, unsigned int n,
			  unsigned long va, unsigned long size, int counter)
{
	struct sm_stats *st = rp->st;
	unsigned int i;
	u64 t0 = 0;

	if (rp->seq == SM_SEQ_BBM) {
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++)
			WRITE_ONCE(entry[i], 0);
		st->cnt[SM_CNT_BBM_BREAKS] += n;
		sm_flush_tlb_kernel_range(st, va, va + size);
	}
	for (i = 0; i < n; i++) {
		WRITE_ONCE(entry[i], rp->vals[i]);
		sm_entry_sync(st);
	}
	st->cnt[counter] += n;
	if (rp->seq == SM_SEQ_BBM)
		rp->out.unmapped_ns += ktime_get_ns() - t0;
	else
		sm_flush_tlb_kernel_range(st, va, va + size);
}

/* One unit done: progress, and a stop point between units. */
static int sm_rp_unit_done(struct sm_rp *rp)
{
	rp->out.units++;
	if (rp->done)
		atomic_long_inc(rp->done);
	cond_resched();
	return sm_stop_check(rp->stop);
}

/* A table page for a unit, on @pages until the unit is hooked in. */
static void *sm_rp_alloc(struct sm_rp *rp, struct list_head *pages,
			 int level)
{
	struct page *page = sm_fail_table_now() ? NULL : alloc_page(SM_GFP);

	if (!page)
		return NULL;
	list_add_tail(&page->lru, pages);
	rp->st->cnt[SM_CNT_TABLE_PGD + level]++;
	return page_address(page);
}

/* The unit is hooked in: its pages are the shadow's from now on. */
static void sm_rp_own(struct sm_rp *rp, struct list_head *pages)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		sm_shadow_own_table(rp->sh, page);
	}
}

/* A unit that could not be made: its pages were never hooked in. */
static void sm_rp_drop(struct sm_rp *rp, struct list_head *pages)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		__free_page(page);
		rp->st->cnt[SM_CNT_TABLES_FREED]++;
	}
}

/* A PTE table mapping the block @desc maps: plain PTEs, no hint. */
static void sm_rp_fill_ptes(struct sm_rp *rp, u64 *ptes, u64 desc)
{
	phys_addr_t phys = sm_leaf_phys(desc);
	u64 attrs = (sm_leaf_attrs(desc) & ~PTE_CONT) | SM_PTE_TABLE_BIT;
	unsigned int i;

	for (i = 0; i < PTRS_PER_PTE; i++, phys += PAGE_SIZE)
		ptes[i] = __phys_to_pte_val(phys) | attrs;
	rp->st->cnt[SM_CNT_PTE] += PTRS_PER_PTE;
}

static u64 sm_rp_table_desc(void *table)
{
	return __phys_to_pte_val(virt_to_phys(table)) | SM_TABLE_DESC;
}

/* @n PMD blocks from @pmdp, mapping from @va: a PTE table each. */
static int sm_rp_split_pmds(struct sm_rp *rp, pmd_t *pmdp, unsigned long va,
			    unsigned int n)
{
	LIST_HEAD(pages);
	unsigned int i;
	u64 *ptes;

	if (rp->dry)
		return 0;
	for (i = 0; i < n; i++) {
		ptes = sm_rp_alloc(rp, &pages, SM_LVL_PTE);
		if (!ptes) {
			sm_rp_drop(rp, &pages);
			return -ENOMEM;
		}
		sm_rp_fill_ptes(rp, ptes, pmd_val(READ_ONCE(pmdp[i])));
		rp->vals[i] = sm_rp_table_desc(ptes);
	}
	/* the tables before the descriptors that point at them */
	sm_dsb_ishst(rp->st);
	sm_rp_replace(rp, (u64 *)pmdp, n, va, n * PMD_SIZE, SM_CNT_DESC_PMD);
	sm_rp_own(rp, &pages);
	return 0;
}

/* A PUD block: a PMD table of PTE tables. */
static int sm_rp_split_pud(struct sm_rp *rp, pud_t *pudp, unsigned long va)
{
	u64 desc = pud_val(READ_ONCE(*pudp));
	LIST_HEAD(pages);
	u64 *pmds, *ptes;
	unsigned int i;

	if (rp->dry)
		return 0;
	pmds = sm_rp_alloc(rp, &pages, SM_LVL_PMD);
	if (!pmds)
		return -ENOMEM;
	for (i = 0; i < PTRS_PER_PMD; i++) {
		ptes = sm_rp_alloc(rp, &pages, SM_LVL_PTE);
		if (!ptes) {
			sm_rp_drop(rp, &pages);
			return -ENOMEM;
		}
		sm_rp_fill_ptes(rp, ptes, desc + i * PMD_SIZE);
		pmds[i] = sm_rp_table_desc(ptes);
	}
	rp->st->cnt[SM_CNT_DESC_PMD] += PTRS_PER_PMD;
	sm_dsb_ishst(rp->st);
	rp->vals[0] = sm_rp_table_desc(pmds);
	sm_rp_replace(rp, (u64 *)pudp, 1, va, PUD_SIZE, SM_CNT_DESC_PUD);
	sm_rp_own(rp, &pages);
	return 0;
}

/* A contiguous group of PTEs from @ptep: the same PTEs without the hint. */
static void sm_rp_uncont_ptes(struct sm_rp *rp, pte_t *ptep, unsigned long va)
{
	unsigned int i;

	if (rp->dry)
		return;
	for (i = 0; i < CONT_PTES; i++)
		rp->vals[i] = pte_val(READ_ONCE(ptep[i])) & ~PTE_CONT;
	sm_rp_replace(rp, (u64 *)ptep, CONT_PTES, va, CONT_PTE_SIZE,
		      SM_CNT_PTE);
}

/* split in a PTE table: the contiguous groups [addr, end) touches. */
static int sm_rp_scan_ptes(struct sm_rp *rp, pmd_t *pmdp, unsigned long addr,
			   unsigned long end)
{
	unsigned long next;
	pte_t *ptep;
	int ret;

	for (; addr != end; addr = next) {
		ret = sm_stop_point(rp->stop, rp->scanned++, SM_RP_SCAN_EVERY);
		if (ret)
			return ret;
		ptep = pte_offset_kernel(pmdp, addr);
		if (!pte_valid(READ_ONCE(*ptep)) ||
		    !(pte_val(READ_ONCE(*ptep)) & PTE_CONT)) {
			next = addr + PAGE_SIZE;
			continue;
		}
		next = pte_cont_addr_end(addr, end);
		addr &= CONT_PTE_MASK;
		sm_rp_uncont_ptes(rp, pte_offset_kernel(pmdp, addr), addr);
		ret = sm_rp_unit_done(rp);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The block a PTE table's entries make, or 0: every entry valid, the
 * output addresses one aligned, contiguous block, the attributes the same
 * (the contiguous hint aside).
 */
static u64 sm_rp_block_of(const pte_t *ptes)
{
	u64 first = pte_val(READ_ONCE(ptes[0]));
	phys_addr_t phys = sm_leaf_phys(first);
	u64 attrs = sm_leaf_attrs(first) & ~PTE_CONT, e;
	unsigned int i;

	if (!pte_valid(__pte(first)) || (phys & ~PMD_MASK))
		return 0;
	for (i = 1; i < PTRS_PER_PTE; i++) {
		e = pte_val(READ_ONCE(ptes[i]));
		if (!pte_valid(__pte(e)) ||
		    sm_leaf_phys(e) != phys + i * PAGE_SIZE ||
		    (sm_leaf_attrs(e) & ~PTE_CONT) != attrs)
			return 0;
	}
	return __phys_to_pte_val(phys) | (attrs & ~SM_PTE_TABLE_BIT);
}

/* collapse: the PTE table under @pmdp, mapping from @va, into a block. */
static int sm_rp_collapse_pmd(struct sm_rp *rp, pmd_t *pmdp,
			      unsigned long va)
{
	pte_t *ptes = pte_offset_kernel(pmdp, va);
	u64 block = sm_rp_block_of(ptes);

	if (!block)
		return 0;
	if (rp->dry)
		return 1;
	rp->vals[0] = block;
	sm_rp_replace(rp, (u64 *)pmdp, 1, va, PMD_SIZE, SM_CNT_PMD_BLOCK);
	/* no walk cache may keep the table once it is freed */
	sm_flush_tlb_pgtable(rp->st, va);
	sm_shadow_free_table(rp->sh, virt_to_page(ptes));
	rp->st->cnt[SM_CNT_TABLES_FREED]++;
	return 1;
}

static int sm_rp_pmds(struct sm_rp *rp, pud_t *pudp, unsigned long addr,
		      unsigned long end)
{
	unsigned long next, base;
	unsigned int n;
	pmd_t *pmdp;
	pmd_t pmd;
	int ret;

	for (; addr != end; addr = next) {
		pmdp = pmd_offset(pudp, addr);
		pmd = READ_ONCE(*pmdp);
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmd) || !pmd_valid(pmd))
			continue;
		if (!pmd_leaf(pmd)) {
			if (rp->op == SM_REPAINT_SPLIT) {
				ret = sm_rp_scan_ptes(rp, pmdp, addr, next);
			} else {
				ret = sm_rp_collapse_pmd(rp, pmdp,
							 addr & PMD_MASK);
				if (ret > 0)
					ret = sm_rp_unit_done(rp);
			}
			if (ret)
				return ret;
			continue;
		}
		if (rp->op != SM_REPAINT_SPLIT)
			continue;
		n = 1;
		base = addr & PMD_MASK;
		if (pmd_val(pmd) & PTE_CONT) {
			n = CONT_PMDS;
			next = pmd_cont_addr_end(addr, end);
			base = addr & CONT_PMD_MASK;
		}
		ret = sm_rp_split_pmds(rp, pmd_offset(pudp, base), base, n);
		if (!ret)
			ret = sm_rp_unit_done(rp);
		if (ret)
			return ret;
	}
	return 0;
}

static int sm_rp_puds(struct sm_rp *rp, p4d_t *p4dp, unsigned long addr,
		      unsigned long end)
{
	unsigned long next;
	pud_t *pudp;
	pud_t pud;
	int ret;

	for (; addr != end; addr = next) {
		pudp = pud_offset(p4dp, addr);
		pud = READ_ONCE(*pudp);
		next = pud_addr_end(addr, end);
		if (sm_pmd_present()) {
			if (pud_none(pud) || !pud_valid(pud))
				continue;
			if (pud_leaf(pud)) {
				if (rp->op != SM_REPAINT_SPLIT)
					continue;
				ret = sm_rp_split_pud(rp, pudp,
						      addr & PUD_MASK);
				if (!ret)
					ret = sm_rp_unit_done(rp);
				if (ret)
					return ret;
				continue;
			}
		}
		ret = sm_rp_pmds(rp, pudp, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

static int sm_rp_p4ds(struct sm_rp *rp, pgd_t *pgdp, unsigned long addr,
		      unsigned long end)
{
	unsigned long next;
	p4d_t *p4dp;
	p4d_t p4d;
	int ret;

	for (; addr != end; addr = next) {
		p4dp = p4d_offset(pgdp, addr);
		p4d = READ_ONCE(*p4dp);
		next = p4d_addr_end(addr, end);
		if (sm_pud_present() && (p4d_none(p4d) || p4d_bad(p4d)))
			continue;
		ret = sm_rp_puds(rp, p4dp, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

static int sm_rp_range(struct sm_rp *rp, unsigned long addr,
		       unsigned long end)
{
	unsigned long next;
	pgd_t *pgdp;
	pgd_t pgd;
	int ret;

	for (; addr != end; addr = next) {
		pgdp = pgd_offset_pgd(rp->sh->pgd, addr);
		pgd = READ_ONCE(*pgdp);
		next = pgd_addr_end(addr, end);
		if (sm_p4d_present() && (pgd_none(pgd) || pgd_bad(pgd)))
			continue;
		ret = sm_rp_p4ds(rp, pgdp, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

static int sm_rp_chunks(struct sm_rp *rp, const struct sm_chunk *chunks,
			unsigned int nr)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = sm_rp_range(rp, chunks[i].va,
				  chunks[i].va + chunks[i].nr_pages * PAGE_SIZE);
		if (ret)
			return ret;
	}
	return 0;
}

u64 sm_repaint_units(struct sm_shadow *sh, const struct sm_chunk *chunks,
		     unsigned int nr, enum sm_repaint_op op)
{
	struct sm_stats st = {};
	struct sm_rp rp = { .sh = sh, .op = op, .dry = true, .st = &st };

	sm_rp_chunks(&rp, chunks, nr);
	return rp.out.units;
}
EXPORT_SYMBOL_NS_GPL(sm_repaint_units, SM_NS);

int sm_repaint(struct sm_shadow *sh, const struct sm_chunk *chunks,
	       unsigned int nr, const struct sm_repaint_args *a,
	       struct sm_stats *st, struct sm_stop *stop, atomic_long_t *done,
	       struct sm_repaint_out *out)
{
	struct sm_rp rp = {
		.sh = sh, .op = a->op, .seq = a->seq, .st = st, .stop = stop,
		.done = done,
	};
	u64 t0 = ktime_get_ns();
	int ret;

	rp.vals = kcalloc(SM_RP_MAX_GROUP, sizeof(*rp.vals), GFP_KERNEL);
	if (!rp.vals)
		return -ENOMEM;
	ret = sm_rp_chunks(&rp, chunks, nr);
	kfree(rp.vals);
	st->ns[SM_PHASE_REPAINT] = ktime_get_ns() - t0;
	st->cnt[SM_CNT_TABLE_BYTES] = sm_shadow_tables(sh) * PAGE_SIZE;
	*out = rp.out;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_repaint, SM_NS);
