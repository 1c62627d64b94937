/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A build split over threads below the top level (src/split.c), shared by
 * the walker (src/walker.c, src/threads.c) and the count walk.
 */
#ifndef SHADOWMAP_SPLIT_H
#define SHADOWMAP_SPLIT_H

#include "shadowmap.h"

/*
 * A split build (threads>1, src/threads.c): one thread makes every table
 * above the PMD entries, and notes a piece per PMD table a chunk touches;
 * the threads then fill the PMD entries, a span of whole windows at a
 * time (src/split.c).
 */
struct sm_piece {
	unsigned long va, end;	/* in one chunk, under one PMD table */
	phys_addr_t table;	/* the walker's: that PMD table */
	unsigned int chunk;	/* the walker's chunk; the count walk's extent */
	unsigned int last;	/* the count walk's: past the chunk's extents */
};

struct sm_pieces {
	struct sm_piece *p;
	unsigned int nr, cap;
	unsigned int chunk, last;	/* stamped on each piece noted */
};

/* Spans per thread: enough that the threads that run faster take more. */
#define SM_SPLIT_UNITS		8

/* A unit of a split build: VAs [lo, hi], if any. */
struct sm_span {
	unsigned long lo, hi;
	bool any;
};

unsigned long sm_split_gran(const struct sm_walker *w, int flags);
unsigned long sm_pieces_bound(unsigned long va, unsigned long end);
int sm_pieces_alloc(struct sm_pieces *ps, unsigned long bound);
int sm_pieces_add(struct sm_pieces *ps, unsigned long va, unsigned long end,
		  phys_addr_t table);
void sm_split_cut(const struct sm_pieces *ps, unsigned int n,
		  unsigned long gran, struct sm_span *span);
bool sm_span_clip(const struct sm_span *span, const struct sm_piece *p,
		  unsigned long *addr, unsigned long *end);
void sm_pieces_free(struct sm_pieces *ps);

#endif /* SHADOWMAP_SPLIT_H */
