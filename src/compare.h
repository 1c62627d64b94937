/* SPDX-License-Identifier: GPL-2.0 */
/* Page-by-page comparison of two page-table trees (src/compare.c). */
#ifndef SHADOWMAP_COMPARE_H
#define SHADOWMAP_COMPARE_H

#include "shadowmap.h"
#include "lookup.h"
#include "stop.h"

/* Pages compared and the first mismatch. */
struct sm_compare_result {
	unsigned long pages;		/* pages compared */
	unsigned long mismatches;
	unsigned long bad_va;		/* first mismatch: shadow VA */
	struct sm_leaf_info shadow;	/* first mismatch: both sides */
	struct sm_leaf_info live;
	const char *why;		/* first mismatch: which field */
	/*
	 * In: the live side is the linear map of memory the kernel may
	 * re-protect after the shadow was built.  A mismatch where the live
	 * leaf is no longer as map_mem() made it is then counted in changed,
	 * not in mismatches.
	 */
	bool linear_may_change;
	unsigned long changed;
};

int sm_compare(pgd_t *shadow, unsigned long shadow_va, unsigned long live_va,
	       unsigned long size, struct sm_compare_result *res);
int sm_compare_chunks(pgd_t *shadow, const struct sm_chunk *chunks,
		      unsigned int nr, struct sm_compare_result *res,
		      struct sm_stop *stop);

#endif /* SHADOWMAP_COMPARE_H */
