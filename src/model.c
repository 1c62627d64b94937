// SPDX-License-Identifier: GPL-2.0
/*
 * The cost model: counters times per-operation costs.
 *
 * Every operation the walker times is one the counters count exactly
 * (src/walker.c says which instructions each is), so a phase's time is a
 * sum of count * cost:
 *   alloc    = tables * (table_alloc, or table_alloc_zero for
 *              zero=allocator)
 *   zero     = tables * clear_page, plus for zero=separate the remap of
 *              each new table (remap_pair, or remap_map for remap=lazy)
 *   populate = leaves * entry_<barrier>_<check>[_cold] (fill=stepped:
 *              entry_stepped[_cold])
 *              + for pfns read from a list (vmalloc's), leaves *
 *                (entry_table_none_listed - entry_table_none, or
 *                entry_stepped_listed - entry_stepped): the load and the
 *                address each costs more than a run's next pfn
 *              + block leaves * block_rest (leaf=block): the alignment
 *                and contiguity tests and the encoding a block costs
 *                beyond an entry
 *              + descriptors * desc
 *              + the other remaps: remap_pair each (cont, table), or
 *                remap_map each plus lazy_flush per ring flush (lazy)
 *              + the other dsb+isb pairs * sync (barrier=table's one per
 *                table where the unmap issues none)
 *              + PTE tables * table_rest_<remap> + build_fixed: what
 *                builds took beyond all that, measured by calibration
 *                (src/calibrate.c); the upper tables' share is in
 *                build_fixed, one per level, so a build of blocks is not
 *                charged a PTE table's loop for each
 * Leaves written through a remap slot just mapped use the TLB-cold entry
 * costs; remap=none writes through the linear map, warm.  The other pairs
 * are what the ISB counter holds beyond the maps, flushes, descriptors and
 * barrier=entry leaves, which issue one each.  The counts are exact: what a
 * prediction can get wrong is the costs alone.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/math64.h>

#include "model.h"
#include "fixmap.h"

/* table_rest_<remap> follows enum sm_remap. */
static_assert(SM_COST_TABLE_REST_NONE - SM_COST_TABLE_REST_CONT ==
	      SM_REMAP_NONE - SM_REMAP_CONT);

static u64 sm_sum(const u64 *cnt, int first, int last)
{
	u64 n = 0;

	for (; first <= last; first++)
		n += cnt[first];
	return n;
}

/* @a - @b, or 0: the counts of a failed build must not wrap. */
static u64 sm_less(u64 a, u64 b)
{
	return a > b ? a - b : 0;
}

static enum sm_cost sm_entry_cost(const struct sm_walker *w)
{
	static const enum sm_cost cost[2][2][2] = {
		/* [barrier=table][check=none][cold] */
		{ { SM_COST_ENTRY_ENTRY_KERNEL,
		    SM_COST_ENTRY_ENTRY_KERNEL_COLD },
		  { SM_COST_ENTRY_ENTRY_NONE, SM_COST_ENTRY_ENTRY_NONE_COLD } },
		{ { SM_COST_ENTRY_TABLE_KERNEL,
		    SM_COST_ENTRY_TABLE_KERNEL_COLD },
		  { SM_COST_ENTRY_TABLE_NONE, SM_COST_ENTRY_TABLE_NONE_COLD } },
	};

	if (w->fill == SM_FILL_STEPPED)
		return w->remap != SM_REMAP_NONE ? SM_COST_ENTRY_STEPPED_COLD :
						   SM_COST_ENTRY_STEPPED;
	return cost[w->barrier == SM_BARRIER_TABLE][w->check == SM_CHECK_NONE]
		   [w->remap != SM_REMAP_NONE];
}

unsigned long sm_model_terms(const struct sm_walker *w)
{
	unsigned long terms = BIT(sm_entry_cost(w)) | BIT(SM_COST_DESC) |
			      BIT(SM_COST_SYNC) |
			      BIT(SM_COST_TABLE_REST_CONT + w->remap) |
			      BIT(SM_COST_BUILD_FIXED);

	if (w->leaf == SM_LEAF_BLOCK)
		terms |= BIT(SM_COST_BLOCK_REST);
	terms |= BIT(w->zero == SM_ZERO_ALLOCATOR ? SM_COST_TABLE_ALLOC_ZERO :
		     SM_COST_TABLE_ALLOC);
	if (w->zero != SM_ZERO_ALLOCATOR)
		terms |= BIT(SM_COST_CLEAR_PAGE);
	if (w->remap == SM_REMAP_LAZY)
		terms |= BIT(SM_COST_REMAP_MAP) | BIT(SM_COST_LAZY_FLUSH);
	else if (w->remap != SM_REMAP_NONE)
		terms |= BIT(SM_COST_REMAP_PAIR);
	return terms;
}
EXPORT_SYMBOL_NS_GPL(sm_model_terms, SM_NS);

void sm_model_predict(const struct sm_costs *costs, const struct sm_walker *w,
		      const struct sm_stats *st, bool listed,
		      struct sm_prediction *out)
{
	const u64 *cnt = st->cnt, *ps = costs->ps;
	bool lazy = w->remap == SM_REMAP_LAZY;
	u64 tables = sm_sum(cnt, SM_CNT_TABLE_PGD, SM_CNT_TABLE_PTE);
	u64 descs = sm_sum(cnt, SM_CNT_DESC_PGD, SM_CNT_DESC_PMD);
	u64 leaves = sm_sum(cnt, SM_CNT_PTE, SM_CNT_PUD_BLOCK);
	u64 blocks = sm_sum(cnt, SM_CNT_PMD_BLOCK, SM_CNT_PUD_BLOCK);
	bool stepped = w->fill == SM_FILL_STEPPED;
	u64 maps = cnt[SM_CNT_REMAP_MAP], zero_maps = 0, flushes, syncs;
	u64 map_ps = ps[lazy ? SM_COST_REMAP_MAP : SM_COST_REMAP_PAIR];
	u64 alloc_ps, zero_ps, populate_ps;

	alloc_ps = tables * ps[w->zero == SM_ZERO_ALLOCATOR ?
			       SM_COST_TABLE_ALLOC_ZERO : SM_COST_TABLE_ALLOC];

	zero_ps = 0;
	if (w->zero != SM_ZERO_ALLOCATOR)
		zero_ps = cnt[SM_CNT_BYTES_ZEROED] / PAGE_SIZE *
			  ps[SM_COST_CLEAR_PAGE];
	if (w->zero == SM_ZERO_SEPARATE && w->remap != SM_REMAP_NONE)
		zero_maps = min(tables, maps);
	zero_ps += zero_maps * map_ps;

	/* A ring flush is one TLBI per slot; any other unmap flushes one. */
	flushes = lazy ? cnt[SM_CNT_TLBI] / SM_LAZY_SLOTS : cnt[SM_CNT_TLBI];
	syncs = sm_less(cnt[SM_CNT_ISB], maps + flushes + descs +
			(w->barrier == SM_BARRIER_ENTRY ? leaves : 0));
	populate_ps = leaves * ps[sm_entry_cost(w)] + descs * ps[SM_COST_DESC] +
		      (maps - zero_maps) * map_ps + syncs * ps[SM_COST_SYNC];
	if (listed)
		populate_ps += (cnt[SM_CNT_PTE] + cnt[SM_CNT_PTE_CONT]) *
			       (stepped ?
				sm_less(ps[SM_COST_ENTRY_STEPPED_LISTED],
					ps[SM_COST_ENTRY_STEPPED]) :
				sm_less(ps[SM_COST_ENTRY_TABLE_NONE_LISTED],
					ps[SM_COST_ENTRY_TABLE_NONE]));
	populate_ps += blocks * ps[SM_COST_BLOCK_REST];
	if (lazy)
		populate_ps += flushes * ps[SM_COST_LAZY_FLUSH];
	populate_ps += cnt[SM_CNT_TABLE_PTE] *
		       ps[SM_COST_TABLE_REST_CONT + w->remap] +
		       ps[SM_COST_BUILD_FIXED];

	out->ns[SM_PHASE_ALLOC] = div_u64(alloc_ps, 1000);
	out->ns[SM_PHASE_ZERO] = div_u64(zero_ps, 1000);
	out->ns[SM_PHASE_POPULATE] = div_u64(populate_ps, 1000);
	out->ns[SM_PHASE_BUILD] = div_u64(alloc_ps + zero_ps + populate_ps,
					  1000);
}
EXPORT_SYMBOL_NS_GPL(sm_model_predict, SM_NS);
