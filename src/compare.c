// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow against live, page by page, through the one lookup walk of
 * src/lookup.c: both sides are plain pgd_t trees.
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
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "compare.h"
#include "compat.h"

/* APTable[1:0] of a table descriptor */
#define SM_APTABLE_NO_EL0	BIT_ULL(61)
#define SM_APTABLE_RDONLY	BIT_ULL(62)
#define SM_CMP_IGNORED		(PTE_AF | PTE_CONT | SM_PTE_SWBITS | \
				 SM_PTE_TABLE_BIT)

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

static int sm_compare_stoppable(pgd_t *shadow, unsigned long shadow_va,
				unsigned long live_va, unsigned long size,
				struct sm_compare_result *res,
				struct sm_stop *stop)
{
	struct sm_leaf_info s, l;
	pgd_t *live = sm_live_pgd();
	unsigned long off;
	const char *why;
	int ret;

	for (off = 0; off < size; off += PAGE_SIZE) {
		ret = sm_stop_point(stop, off >> PAGE_SHIFT, 512);
		if (ret)
			return ret;
		sm_lookup(shadow, shadow_va + off, &s);
		sm_lookup(live, live_va + off, &l);
		res->pages++;
		why = sm_compare_one(&s, &l);
		if (!why)
			continue;
		if (res->linear_may_change && !sm_leaf_linear_plain(&l)) {
			res->changed++;
			continue;
		}
		if (!res->mismatches++) {
			res->bad_va = shadow_va + off;
			res->shadow = s;
			res->live = l;
			res->why = why;
		}
	}
	return res->mismatches ? -EFAULT : 0;
}

int sm_compare(pgd_t *shadow, unsigned long shadow_va, unsigned long live_va,
	       unsigned long size, struct sm_compare_result *res)
{
	return sm_compare_stoppable(shadow, shadow_va, live_va, size, res,
				    NULL);
}
EXPORT_SYMBOL_NS_GPL(sm_compare, SM_NS);

/* -EFAULT on a mismatch, or @stop's errno when it stopped the compare. */
int sm_compare_chunks(pgd_t *shadow, const struct sm_chunk *chunks,
		      unsigned int nr, struct sm_compare_result *res,
		      struct sm_stop *stop)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = sm_compare_stoppable(shadow, chunks[i].va, chunks[i].va,
					   chunks[i].nr_pages * PAGE_SIZE, res,
					   stop);
		if (ret && ret != -EFAULT)
			return ret;
		cond_resched();
	}
	return res->mismatches ? -EFAULT : 0;
}
EXPORT_SYMBOL_NS_GPL(sm_compare_chunks, SM_NS);
