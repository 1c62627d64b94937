/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions: what a run shadow-maps, one file each (src/region_*.c).  A
 * region supplies prepare() and release(); prepare() fills an sm_area with
 * chunks (VA plus contiguous pfn or per-page pfns) and the pgprot the live
 * kernel maps them with, so that the shadow can be compared page by page
 * against the live tables.
 */
#ifndef SHADOWMAP_REGION_H
#define SHADOWMAP_REGION_H

#include "shadowmap.h"
#include "stop.h"

struct sm_extents;

struct sm_area {
	struct sm_chunk *chunks;
	unsigned int nr_chunks;
	u64 bytes;		/* bytes mapped, all chunks */
	u64 largest;		/* bytes in the largest chunk */
	pgprot_t prot;		/* what the live mapping uses */
	char note[96];		/* shown in `last`; no kernel addresses */
	/*
	 * hotplug: the tables of a fresh map of the chunks that the live
	 * tree had already (sm_live_tables_had()); -1 for other regions.
	 */
	long live_tables_had;
	void *priv;		/* the region's own */
	struct sm_stop *stop;	/* checked in long loops; may be NULL */
};

struct sm_region_ops {
	const char *name;
	/* Fill area from cfg; on error say why in err and free everything. */
	int (*prepare)(const struct sm_run_config *cfg, struct sm_area *area,
		       char *err, size_t errlen);
	/*
	 * Optional: refuse what prepare() would refuse from @cfg alone,
	 * before the lab frees the kept shadow for the new run.
	 */
	int (*check)(const struct sm_run_config *cfg, char *err, size_t errlen);
	/* Undo prepare(), if there is anything to undo; chunks are freed. */
	void (*release)(struct sm_area *area);
	/*
	 * The chunks are linear-map memory that can go offline while the
	 * area is kept: the lab frees it first (src/lab.c).
	 */
	bool offlinable;
};

extern const struct sm_region_ops sm_vmalloc_ops;
extern const struct sm_region_ops sm_contig_ops;
extern const struct sm_region_ops sm_ram_ops;
extern const struct sm_region_ops sm_hotplug_ops;

/* src/region.c */
const struct sm_region_ops *sm_region_ops(enum sm_region region);
int sm_area_prepare(const struct sm_run_config *cfg, struct sm_area *area,
		    struct sm_stop *stop, char *err, size_t errlen);
void sm_area_release(enum sm_region region, struct sm_area *area);
int sm_area_check(const struct sm_run_config *cfg, char *err, size_t errlen);
bool sm_area_overlaps(const struct sm_area *area, unsigned long pfn,
		      unsigned long nr);

/* src/region_ram.c: the System RAM a replica of map_mem() maps */
int sm_ram_extents(unsigned int leaf, struct sm_extents *out,
		   char *err, size_t errlen);
u64 sm_ram_table_bytes(const struct sm_extents *e, unsigned int leaf);

#endif /* SHADOWMAP_REGION_H */
