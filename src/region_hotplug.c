// SPDX-License-Identifier: GPL-2.0
/*
 * The hotplug region: memory hot-added since the module was loaded
 * (src/hotplug.c records it), at its linear-map VA.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "region.h"
#include "budget.h"
#include "compat.h"
#include "extents.h"
#include "hotplug.h"
#include "lookup.h"

/*
 * Region "hotplug": one chunk per recorded range, in the order they came
 * online, each mapped by its own call into one shadow, as arch_add_memory()
 * mapped each into swapper_pg_dir.  With size=, only the first size bytes
 * of them, in that order.
 */
/*
 * Which tables the kernel's hot-add of these ranges found already.  A fresh
 * shadow makes one table per span its chunks touch at every level; the
 * kernel made only those its linear map did not have, for the memory
 * mapped around them (boot memory, at 64K the PMD table beside the block).
 * A table was there before iff it maps something outside the chunks: an
 * entry wholly outside them, a block that reaches outside, or a table
 * below that was there before.  Hot-remove frees the tables it empties,
 * so none is left over from an earlier hot-add.
 */

/* The next level below @level with tables of its own, folding aside. */
static int sm_next_level(int level)
{
	if (level < SM_LVL_P4D && sm_p4d_present())
		return SM_LVL_P4D;
	if (level < SM_LVL_PUD && sm_pud_present())
		return SM_LVL_PUD;
	if (level < SM_LVL_PMD && sm_pmd_present())
		return SM_LVL_PMD;
	return SM_LVL_PTE;
}

/* The live entry for @va in the table of @level, or 0 (none above). */
static u64 sm_live_entry(unsigned long va, int level)
{
	u64 *slot = sm_lookup_slot(sm_live_pgd(), va, level);

	return slot ? READ_ONCE(*slot) : 0;
}

/* Bytes of [va, va + len) that chunk @ch covers. */
static unsigned long sm_chunk_cover(const struct sm_chunk *ch,
				    unsigned long va, unsigned long len)
{
	unsigned long lo = max(va, ch->va);
	unsigned long hi = min(va + (len - 1),
			       ch->va + (ch->nr_pages * PAGE_SIZE - 1));

	return lo <= hi ? hi - lo + 1 : 0;
}

/* Bytes of [va, va + len) that the chunks cover (they do not overlap). */
static unsigned long sm_chunks_cover(const struct sm_area *area,
				     unsigned long va, unsigned long len)
{
	unsigned long cover = 0;
	unsigned int i;

	for (i = 0; i < area->nr_chunks; i++)
		cover += sm_chunk_cover(&area->chunks[i], va, len);
	return cover;
}

/* Whether the live table of @level over [va, va + span) was there before. */
static bool sm_live_table_had(const struct sm_area *area, int level,
			      unsigned long va, unsigned long span)
{
	unsigned long step = sm_entry_span(level);
	unsigned long n, e, cover;
	u64 desc;

	for (n = 0; n < span / step; n++) {
		e = va + n * step;
		cover = sm_chunks_cover(area, e, step);
		if (cover == step)
			continue;
		desc = sm_live_entry(e, level);
		if (!desc)
			continue;
		/* a PTE or a block reaching outside the chunks */
		if (!cover || level == SM_LVL_PTE || !(desc & SM_PTE_TABLE_BIT))
			return true;
		if (sm_live_table_had(area, sm_next_level(level), e, step))
			return true;
	}
	return false;
}

/*
 * Only a chunk's first and last span at a level can be partly outside it:
 * those are looked at, the rest is the hot-add's own.  Some thousands of
 * ranges (a server's 512 GiB in 128 MiB blocks) cost a few million steps.
 */
static long sm_live_tables_had(const struct sm_area *area)
{
	unsigned long span, s, last, edge[2];
	unsigned int i, j, k;
	long had = 0;
	int level = SM_LVL_PGD;

	do {
		level = sm_next_level(level);
		span = sm_table_span(level);
		for (i = 0; i < area->nr_chunks; i++) {
			const struct sm_chunk *ch = &area->chunks[i];

			cond_resched();
			last = ch->va + (ch->nr_pages * PAGE_SIZE - 1);
			edge[0] = ALIGN_DOWN(ch->va, span);
			edge[1] = ALIGN_DOWN(last, span);
			for (k = 0; k < 2; k++) {
				s = edge[k];
				if (k && s == edge[0])
					break;
				if (sm_chunk_cover(ch, s, span) == span)
					continue;
				/* counted with an earlier chunk? */
				for (j = 0; j < i; j++)
					if (sm_chunk_cover(&area->chunks[j], s,
							   span))
						break;
				if (j == i &&
				    sm_chunks_cover(area, s, span) != span)
					had += sm_live_table_had(area, level, s,
								 span);
			}
		}
	} while (level != SM_LVL_PTE);
	return had;
}

/* The ranges asked for exist and none is going offline. */
static int sm_hotplug_check(const struct sm_run_config *cfg, char *err,
			    size_t errlen)
{
	unsigned int picked = 0;
	struct sm_extents e;
	int ret;

	ret = sm_hotplug_extents(&sm_hotplug, cfg->index, &e, &picked, err,
				 errlen);
	if (!ret)
		sm_extents_free(&e);
	return ret;
}

static int sm_hotplug_prepare(const struct sm_run_config *cfg,
			      struct sm_area *area, char *err, size_t errlen)
{
	const char *cut = cfg->size ? " (first, size=)" : "";
	unsigned int picked = 0;
	struct sm_extents e;
	int ret;

	ret = sm_hotplug_extents(&sm_hotplug, cfg->index, &e, &picked, err,
				 errlen);
	if (ret)
		return ret;
	sm_extents_truncate(&e, cfg->size);
	ret = sm_budget_check("region=hotplug tables",
			      sm_budget_tables(e.bytes) + e.nr * PAGE_SIZE,
			      err, errlen) ?:
	      sm_area_from_extents(&e, area, err, errlen);
	sm_extents_free(&e);
	if (ret)
		return ret;
	area->live_tables_had = sm_live_tables_had(area);
	if (cfg->index == SM_HOTPLUG_INDEX_ALL)
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=all: %u ranges, %lluM%s",
			  area->nr_chunks, area->bytes >> 20, cut);
	else if (cfg->index & SM_HOTPLUG_INDEX_FROM)
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=%u+: %u ranges, %lluM%s",
			  cfg->index & ~SM_HOTPLUG_INDEX_FROM,
			  area->nr_chunks, area->bytes >> 20, cut);
	else
		scnprintf(area->note, sizeof(area->note),
			  "hotplug index=%u: %lluM%s",
			  picked, area->bytes >> 20, cut);
	return 0;
}

const struct sm_region_ops sm_hotplug_ops = {
	.name = "hotplug",
	.check = sm_hotplug_check,
	.prepare = sm_hotplug_prepare,
	.offlinable = true,
};
