// SPDX-License-Identifier: GPL-2.0
/*
 * A build split over threads below the top level (threads>1).  The
 * caller's thread makes every table down to the PMD tables, as threads=1
 * would, and notes a piece per PMD table and chunk: the PMD entries still
 * to fill.  The pieces are then cut into SM_SPLIT_UNITS VA spans per
 * thread, at window boundaries, as equal in pages as the windows allow,
 * and the threads take the spans in turn, each walked on its own (its own
 * hold on a slot set): which thread walks a span changes no counter, and
 * a thread that runs slower (a busy CPU, a preempted vCPU) takes fewer
 * (src/walker.c, src/threads.c).  The count walk (src/countwalk.c) cuts
 * its pieces here too, so both cut alike.
 *
 * A window is a PMD entry, or a contiguous-PMD group where a group is
 * mapped or hinted as one (remap=cont, or contiguous hints allowed): no
 * entry, and no such group, is ever shared by two threads, so no table
 * below a PMD table is either, and every hint is what threads=1 gives.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "split.h"
#include "shadow.h"
#include "compat.h"

/* The window of a split: the unit that a thread owns whole. */
unsigned long sm_split_gran(const struct sm_walker *w, int flags)
{
	if (!sm_pmd_present())
		return PMD_SIZE;
	if (w->remap == SM_REMAP_CONT || !(flags & SM_NO_CONT))
		return CONT_PMD_SIZE;
	return PMD_SIZE;
}

/* The most pieces [va, end) can give: one per PMD table it touches. */
unsigned long sm_pieces_bound(unsigned long va, unsigned long end)
{
	return ((end - 1) >> PUD_SHIFT) - (va >> PUD_SHIFT) + 1;
}

int sm_pieces_alloc(struct sm_pieces *ps, unsigned long bound)
{
	memset(ps, 0, sizeof(*ps));
	if (bound > UINT_MAX)
		return -E2BIG;
	ps->p = kvmalloc_array(bound ?: 1, sizeof(*ps->p), GFP_KERNEL);
	if (!ps->p)
		return -ENOMEM;
	ps->cap = bound;
	return 0;
}

void sm_pieces_free(struct sm_pieces *ps)
{
	kvfree(ps->p);
	memset(ps, 0, sizeof(*ps));
}

/* Note [va, end) of the current chunk, under the PMD table at @table. */
int sm_pieces_add(struct sm_pieces *ps, unsigned long va, unsigned long end,
		  phys_addr_t table)
{
	if (WARN_ON_ONCE(ps->nr >= ps->cap))
		return -EOVERFLOW;
	ps->p[ps->nr++] = (struct sm_piece){ .va = va, .end = end,
					     .table = table,
					     .chunk = ps->chunk,
					     .last = ps->last };
	return 0;
}

static u64 sm_piece_pages(const struct sm_piece *p)
{
	return (p->end - p->va) >> PAGE_SHIFT;
}

/*
 * Cut the pieces (in VA order) into @n spans of whole windows of @gran
 * bytes: span k starts at the first window that starts at or after page
 * ceil(total * k / n) of the pieces.  Spans past the last cut are empty.
 */
void sm_split_cut(const struct sm_pieces *ps, unsigned int n,
		  unsigned long gran, struct sm_span *span)
{
	unsigned long win, last_win = 0, off;
	u64 total = 0, before = 0, target, pages;
	unsigned int i, k = 1;
	bool fresh;

	for (i = 0; i < ps->nr; i++)
		total += sm_piece_pages(&ps->p[i]);
	span[0].lo = 0;
	for (i = 0; i < ps->nr && k < n; i++) {
		const struct sm_piece *p = &ps->p[i];

		pages = sm_piece_pages(p);
		win = ALIGN_DOWN(p->va, gran);
		/* a window that an earlier piece began is owned already */
		fresh = !i || win != last_win;
		while (k < n) {
			target = div_u64(total * k + n - 1, n);
			if (fresh && before >= target) {
				span[k++].lo = win;
				continue;
			}
			if (target >= before + pages)
				break;
			off = target > before ? (target - before) << PAGE_SHIFT
					      : 0;
			/* the next window start; past the piece (or the top
			 * of the VA space): the next piece
			 */
			off = ALIGN(p->va + off, gran) - p->va;
			if (off >= p->end - p->va)
				break;
			span[k++].lo = p->va + off;
		}
		before += pages;
		last_win = ALIGN_DOWN(p->end - 1, gran);
	}
	for (i = 0; i < n; i++) {
		span[i].any = i < k;
		if (i >= k)
			span[i].lo = 0;
		span[i].hi = i + 1 < k ? span[i + 1].lo - 1 : ULONG_MAX;
	}
}
EXPORT_SYMBOL_NS_GPL(sm_split_cut, SM_NS);

/* The part [*addr, *end) of piece @p in @span, if any. */
bool sm_span_clip(const struct sm_span *span, const struct sm_piece *p,
		  unsigned long *addr, unsigned long *end)
{
	unsigned long lo, hi;

	if (!span->any)
		return false;
	lo = max(p->va, span->lo);
	hi = min(p->end - 1, span->hi);
	if (lo > hi)
		return false;
	*addr = lo;
	*end = hi + 1;
	return true;
}
EXPORT_SYMBOL_NS_GPL(sm_span_clip, SM_NS);
