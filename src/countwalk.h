/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The count walk (src/countwalk.c): every counter a build of the walker
 * would give, computed from the geometry alone, with no table allocated.
 */
#ifndef SHADOWMAP_COUNTWALK_H
#define SHADOWMAP_COUNTWALK_H

#include "shadowmap.h"

/*
 * A physically contiguous run of pages: [va, va + nr_pages * PAGE_SIZE)
 * maps [pa, ...).  Consecutive extents with the same @chunk are one chunk
 * (one walker call, as struct sm_chunk), so they must follow each other in
 * VA; a new @chunk value starts the next chunk.  Chunks are sorted by VA
 * and do not overlap.  Extents need not be maximal: neighbours of a chunk
 * that are physically contiguous count as one run, as sm_contig() sees
 * them.
 */
struct sm_geom_extent {
	unsigned long va;
	phys_addr_t pa;
	unsigned long nr_pages;
	unsigned int chunk;
};

/* A geometry: its extents are kvmalloc'ed; sm_geom_free(). */
struct sm_geom {
	struct sm_geom_extent *ext;
	unsigned int nr;
	unsigned int nr_chunks;
	u64 bytes;
};

/*
 * A flag of sm_count_walk() beside the shadow's: walk every table, none
 * counted by multiplying its like.  Slow; the tests' reference.
 */
#define SM_CW_EVERY_TABLE	BIT(8)

int sm_count_walk(const struct sm_walker *w, int flags,
		  const struct sm_geom_extent *ext, unsigned int nr,
		  struct sm_stats *st);
int sm_walker_flags(const struct sm_walker *w);

unsigned long sm_geom_runs(const struct sm_chunk *chunks, unsigned int nr);
int sm_geom_from_chunks(const struct sm_chunk *chunks, unsigned int nr,
			struct sm_geom *g);
int sm_geom_synthetic(u64 size, struct sm_geom *g);
int sm_geom_ram(u64 size, struct sm_geom *g);
void sm_geom_free(struct sm_geom *g);

#endif /* SHADOWMAP_COUNTWALK_H */
