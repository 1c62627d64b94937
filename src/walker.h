/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The walker: __create_pgd_mapping() into a shadow, one chunk at a time
 * (src/walker.c), or split over kthreads (src/threads.c).
 */
#ifndef SHADOWMAP_WALKER_H
#define SHADOWMAP_WALKER_H

#include "shadowmap.h"

struct sm_shadow;

bool sm_chunk_ok(const struct sm_chunk *chunk);
int sm_walk_range(struct sm_shadow *sh, struct sm_stats *st,
		  const struct sm_chunk *chunk, unsigned long addr,
		  unsigned long end, unsigned int set);
/* On error the caller destroys the shadow. */
int sm_shadow_map(struct sm_shadow *sh, const struct sm_chunk *chunk);
int sm_shadow_map_threads(struct sm_shadow *sh, const struct sm_chunk *chunks,
			  unsigned int nr, unsigned int threads);

#endif /* SHADOWMAP_WALKER_H */
