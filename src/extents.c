// SPDX-License-Identifier: GPL-2.0
/*
 * Extents of physical memory and the areas made of them: one chunk per
 * extent at its linear-map VA, with the linear map's pgprot.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "extents.h"
#include "region.h"

void sm_extents_free(struct sm_extents *e)
{
	kvfree(e->ext);
	e->ext = NULL;
	e->nr = 0;
	e->bytes = 0;
}
EXPORT_SYMBOL_NS_GPL(sm_extents_free, SM_NS);

/* Keep the first @limit bytes of @e, in its order; 0 keeps all. */
void sm_extents_truncate(struct sm_extents *e, u64 limit)
{
	unsigned int i;
	u64 taken = 0;

	if (!limit || limit >= e->bytes)
		return;
	for (i = 0; i < e->nr && taken < limit; i++) {
		e->ext[i].size = min(e->ext[i].size, limit - taken);
		taken += e->ext[i].size;
	}
	e->nr = i;
	e->bytes = taken;
}
EXPORT_SYMBOL_NS_GPL(sm_extents_truncate, SM_NS);

int sm_area_from_extents(const struct sm_extents *e, struct sm_area *area,
			 char *err, size_t errlen)
{
	unsigned int i;

	/* Every page left out: an area of no chunk would build nothing. */
	if (!e->nr) {
		scnprintf(err, errlen, "nothing to map: every page of it is left out");
		return -ENOENT;
	}
	area->chunks = kvcalloc(e->nr, sizeof(*area->chunks), GFP_KERNEL | __GFP_NOWARN);
	if (!area->chunks) {
		scnprintf(err, errlen, "out of memory for %u chunks", e->nr);
		return -ENOMEM;
	}
	for (i = 0; i < e->nr; i++) {
		struct sm_chunk *c = &area->chunks[i];

		c->pfn = PHYS_PFN(e->ext[i].start);
		c->va = (unsigned long)pfn_to_kaddr(c->pfn);
		c->nr_pages = e->ext[i].size >> PAGE_SHIFT;
		area->largest = max(area->largest, e->ext[i].size);
	}
	area->nr_chunks = e->nr;
	area->bytes = e->bytes;
	/* map_mem() and arch_add_memory() (pgprot_mhp()) map it so */
	area->prot = pgprot_tagged(PAGE_KERNEL);
	return 0;
}
