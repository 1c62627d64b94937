/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions: what a run shadow-maps.  A region type supplies prepare() and
 * release(); prepare() fills an sm_area with chunks (VA plus contiguous pfn
 * or per-page pfns) and the pgprot the live kernel maps them with, so that
 * the shadow can be compared page by page against the live tables.
 */
#ifndef SHADOWMAP_REGION_H
#define SHADOWMAP_REGION_H

#include "shadowmap.h"

struct sm_area {
	struct sm_chunk *chunks;
	unsigned int nr_chunks;
	u64 bytes;		/* bytes mapped, all chunks */
	u64 largest;		/* bytes in the largest chunk */
	pgprot_t prot;		/* what the live mapping uses */
	char note[96];		/* shown in `last`; no kernel addresses */
	void *priv;		/* the region type's own */
};

struct sm_region_ops {
	const char *name;
	/* Fill area from cfg; on error say why in err and free everything. */
	int (*prepare)(const struct sm_run_config *cfg, struct sm_area *area,
		       char *err, size_t errlen);
	/* Undo prepare(); area->chunks is freed by the caller. */
	void (*release)(struct sm_area *area);
};

/* Defined weak in src/region.c until their region files exist. */
extern const struct sm_region_ops sm_vmalloc_ops;
extern const struct sm_region_ops sm_contig_ops;
extern const struct sm_region_ops sm_ram_ops;
extern const struct sm_region_ops sm_hotplug_ops;

const struct sm_region_ops *sm_region_ops(enum sm_region region);
int sm_area_prepare(const struct sm_run_config *cfg, struct sm_area *area,
		    char *err, size_t errlen);
void sm_area_release(enum sm_region region, struct sm_area *area);

#endif /* SHADOWMAP_REGION_H */
