/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physically contiguous extents, mapped at their linear-map VA, and the
 * areas the ram and hotplug regions make of them (src/extents.c).
 */
#ifndef SHADOWMAP_EXTENTS_H
#define SHADOWMAP_EXTENTS_H

#include <linux/types.h>

struct sm_area;

/* One physically contiguous range, mapped at its linear-map VA. */
struct sm_extent {
	phys_addr_t start;
	u64 size;
};

/* A list of extents, mapped one call each, in order, into one shadow. */
struct sm_extents {
	struct sm_extent *ext;	/* kvmalloc'ed; sm_extents_free() */
	unsigned int nr;
	u64 bytes;		/* sum of the sizes */
};

void sm_extents_free(struct sm_extents *e);
void sm_extents_truncate(struct sm_extents *e, u64 limit);
int sm_area_from_extents(const struct sm_extents *e, struct sm_area *area,
			 char *err, size_t errlen);

#endif /* SHADOWMAP_EXTENTS_H */
