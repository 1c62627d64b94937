// SPDX-License-Identifier: GPL-2.0
/*
 * The count walk: every counter of struct sm_stats that a build would give
 * (sm_shadow_create(), then sm_shadow_map() per chunk, or
 * sm_shadow_map_threads() for threads>1, as src/run.c builds), from the
 * walker's axes and the geometry alone.  No table or page is allocated.
 *
 * It is the walker's own recursion (src/walker.c) down to the PMD entries,
 * each step replaced by what it counts, with two shortcuts:
 *  - a PTE table's leaves and its remap=cont per-block remaps are counted
 *    arithmetically, so the work is per PTE table (and per extent), never
 *    per page;
 *  - whether a table is already there: chunks are sorted by VA, and a
 *    split build's threads each walk their own windows in VA order
 *    (src/split.c), so a table seen again is always the last one made at
 *    its level.
 * The lazy ring is simulated by its number of free and dirty slots, which
 * alone decide when it flushes (src/fixmap.c), and starts clean at each
 * walker call (sm_fixmap_get()), as sm_fixmap_put() leaves it.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "countwalk.h"
#include "shadow.h"
#include "fixmap.h"
#include "split.h"
#include "lookup.h"
#include "compat.h"

/* One count walk: the walker's context, and the state it would leave. */
struct sm_cw {
	const struct sm_walker *w;
	int flags;
	u64 *cnt;
	/* the chunk under walk: extents [cur, last), cur at or before addr */
	const struct sm_geom_extent *ext;
	unsigned int cur, last;
	/* the lazy ring of the walker call in progress */
	unsigned int free, dirty;
	/* the last table made per level, by the VA its table maps from */
	unsigned long made[SM_LVL_NR];
	bool made_any[SM_LVL_NR];
	/* a split build's first pass: stop at PMD tables, note them */
	struct sm_pieces *upper;
	int err;
};

static unsigned long sm_ext_end(const struct sm_geom_extent *e)
{
	return e->va + (e->nr_pages << PAGE_SHIFT);
}

/* set_pXd()'s or set_pte()'s barriers: sm_entry_sync() */
static void sm_cw_sync(struct sm_cw *c, u64 n)
{
	c->cnt[SM_CNT_DSB] += n;
	c->cnt[SM_CNT_ISB] += n;
}

/* sm_flush_tlb() */
static void sm_cw_flush(struct sm_cw *c, unsigned int nr)
{
	c->cnt[SM_CNT_TLBI] += nr;
	c->cnt[SM_CNT_DSB] += 2;
	c->cnt[SM_CNT_ISB]++;
}

/* sm_fixmap_map(): the lazy ring flushes when no slot is free */
static void sm_cw_map(struct sm_cw *c)
{
	if (c->w->remap == SM_REMAP_NONE)
		return;
	if (c->w->remap == SM_REMAP_LAZY) {
		if (!c->free) {
			c->free = c->dirty;
			c->dirty = 0;
			sm_cw_flush(c, SM_LAZY_SLOTS);
		}
		c->free--;
	}
	sm_cw_sync(c, 1);
	c->cnt[SM_CNT_REMAP_MAP]++;
}

/* sm_fixmap_unmap(): lazy leaves the slot dirty, the others flush it */
static void sm_cw_unmap(struct sm_cw *c)
{
	if (c->w->remap == SM_REMAP_NONE)
		return;
	c->cnt[SM_CNT_REMAP_UNMAP]++;
	if (c->w->remap == SM_REMAP_LAZY)
		c->dirty++;
	else
		sm_cw_flush(c, 1);
}

/* sm_table_done() */
static void sm_cw_table_done(struct sm_cw *c, bool nosync)
{
	if (nosync && !sm_fixmap_unmap_syncs(c->w->remap))
		sm_cw_sync(c, 1);
	sm_cw_unmap(c);
}

/* @n leaves of one kind: sm_set_leaf() */
static void sm_cw_leaves(struct sm_cw *c, enum sm_counter counter, u64 n)
{
	c->cnt[counter] += n;
	if (c->w->barrier == SM_BARRIER_ENTRY)
		sm_cw_sync(c, n);
}

static void sm_cw_zero_combined(struct sm_cw *c)
{
	c->cnt[SM_CNT_DSB]++;
	c->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
}

/* sm_alloc_table() */
static void sm_cw_alloc_table(struct sm_cw *c, enum sm_level level)
{
	c->cnt[SM_CNT_TABLE_PGD + level]++;
	c->cnt[SM_CNT_TABLE_BYTES] += PAGE_SIZE;
	if (c->w->zero == SM_ZERO_ALLOCATOR) {
		c->cnt[SM_CNT_DSB]++;
		c->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
	} else if (c->w->zero == SM_ZERO_SEPARATE) {
		sm_cw_map(c);
		sm_cw_unmap(c);
		c->cnt[SM_CNT_BYTES_ZEROED] += PAGE_SIZE;
	}
}

/* sm_next_table(); returns whether the table is new (its *fresh) */
static bool sm_cw_next_table(struct sm_cw *c, enum sm_level level,
			     unsigned long addr, bool map)
{
	unsigned long base = addr & ~(sm_table_span(level) - 1);

	if (c->made_any[level] && c->made[level] == base) {
		if (map)
			sm_cw_map(c);
		return false;
	}
	c->made[level] = base;
	c->made_any[level] = true;
	sm_cw_alloc_table(c, level);
	if (map) {
		sm_cw_map(c);
		if (c->w->zero == SM_ZERO_COMBINED)
			sm_cw_zero_combined(c);
	}
	/* sm_populate() one level up */
	sm_cw_sync(c, 1);
	c->cnt[SM_CNT_DESC_PGD + level - 1]++;
	return !map;
}

/* The extent that holds @addr; @addr never goes back within a call. */
static const struct sm_geom_extent *sm_cw_seek(struct sm_cw *c,
					       unsigned long addr)
{
	while (c->cur + 1 < c->last && sm_ext_end(&c->ext[c->cur]) - 1 < addr)
		c->cur++;
	return &c->ext[c->cur];
}

/* sm_phys() */
static phys_addr_t sm_cw_phys(struct sm_cw *c, unsigned long addr)
{
	const struct sm_geom_extent *e = sm_cw_seek(c, addr);

	return e->pa + (addr - e->va);
}

/* PA minus VA: the same all along a physically contiguous run. */
static u64 sm_cw_delta(const struct sm_geom_extent *e)
{
	return (u64)e->pa - e->va;
}

/*
 * The end of the physically contiguous run that starts at extent *@i,
 * stopping once it reaches @end; *@i is left at the run's last extent.
 */
static unsigned long sm_cw_run_end(struct sm_cw *c, unsigned int *i,
				   unsigned long end)
{
	const struct sm_geom_extent *e = &c->ext[*i];
	unsigned long run_end = sm_ext_end(e);

	while (run_end - 1 < end - 1 && *i + 1 < c->last &&
	       sm_cw_delta(&c->ext[*i + 1]) == sm_cw_delta(e)) {
		++*i;
		run_end = sm_ext_end(&c->ext[*i]);
	}
	return run_end;
}

/* sm_contig(): [addr, end) is one physically contiguous run */
static bool sm_cw_contig(struct sm_cw *c, unsigned long addr,
			 unsigned long end)
{
	unsigned int i;

	sm_cw_seek(c, addr);
	i = c->cur;
	return sm_cw_run_end(c, &i, end) - 1 >= end - 1;
}

/* Blocks of @size (a power of two) wholly inside [addr, addr + len). */
static u64 sm_cw_blocks_in(unsigned long addr, unsigned long len,
			   unsigned long size)
{
	unsigned long off = addr & (size - 1);
	u64 q = (off + (u64)len) / size;

	return off ? (q ? q - 1 : 0) : q;
}

/* Blocks of @size that [addr, addr + len) touches. */
static u64 sm_cw_blocks_touched(unsigned long addr, unsigned long len,
				unsigned long size)
{
	return ((addr & (size - 1)) + (u64)len - 1) / size + 1;
}

/*
 * The size-aligned blocks in [addr, end) that the walker maps with a
 * contiguous hint: aligned in VA and PA, and inside one contiguous run.
 */
static u64 sm_cw_cont_blocks(struct sm_cw *c, unsigned long addr,
			     unsigned long end, unsigned long size)
{
	unsigned long run_end, stop;
	unsigned int i;
	u64 n = 0;

	sm_cw_seek(c, addr);
	for (i = c->cur; ; i++) {
		bool aligned = !(sm_cw_delta(&c->ext[i]) & (size - 1));

		run_end = sm_cw_run_end(c, &i, end);
		stop = run_end - 1 < end - 1 ? run_end : end;
		if (aligned)
			n += sm_cw_blocks_in(addr, stop - addr, size);
		if (stop == end)
			return n;
		addr = stop;
	}
}

/* sm_alloc_init_cont_pte(); @cont: the PMD's contiguous hint came down */
static void sm_cw_cont_pte(struct sm_cw *c, unsigned long addr,
			   unsigned long end, bool cont)
{
	bool per_cont = c->w->remap == SM_REMAP_CONT;
	bool nosync = c->w->barrier == SM_BARRIER_TABLE;
	u64 pages = (end - addr) >> PAGE_SHIFT, cont_pages, blocks;
	bool fresh;

	fresh = sm_cw_next_table(c, SM_LVL_PTE, addr, !per_cont);
	if (cont)
		cont_pages = pages;
	else if (c->flags & SM_NO_CONT)
		cont_pages = 0;
	else
		cont_pages = sm_cw_cont_blocks(c, addr, end, CONT_PTE_SIZE) *
			     CONT_PTES;
	sm_cw_leaves(c, SM_CNT_PTE_CONT, cont_pages);
	sm_cw_leaves(c, SM_CNT_PTE, pages - cont_pages);
	if (!per_cont) {
		sm_cw_table_done(c, nosync);
		return;
	}

	/*
	 * 6.1 init_pte(): one map and unmap per contiguous block, the first
	 * zeroing a new table.  remap=cont only: no lazy ring to follow.
	 */
	if (fresh && c->w->zero == SM_ZERO_COMBINED)
		sm_cw_zero_combined(c);
	blocks = sm_cw_blocks_touched(addr, end - addr, CONT_PTE_SIZE);
	c->cnt[SM_CNT_REMAP_MAP] += blocks;
	c->cnt[SM_CNT_REMAP_UNMAP] += blocks;
	c->cnt[SM_CNT_TLBI] += blocks;
	c->cnt[SM_CNT_DSB] += 3 * blocks;
	c->cnt[SM_CNT_ISB] += 2 * blocks;
}

/*
 * Whole units of 1 << @shift from @addr (aligned to one) to the end of
 * its physically contiguous run, or to @end when that comes first.
 */
static u64 sm_cw_whole_in_run(struct sm_cw *c, unsigned long addr,
			      unsigned long end, unsigned int shift)
{
	unsigned long run_end;
	unsigned int i;

	sm_cw_seek(c, addr);
	i = c->cur;
	run_end = sm_cw_run_end(c, &i, end);
	if (run_end - 1 > end - 1)
		run_end = end;
	return (run_end - addr) >> shift;
}

/*
 * @n map-unmap pairs on the lazy ring, each slot given back before the
 * next is taken, as the PTE tables of sm_cw_pte_tables() use it: with the
 * slots the upper tables hold left out, the ring flushes at pair free + 1
 * and every free + dirty pairs after it.
 */
static void sm_cw_ring_pairs(struct sm_cw *c, u64 n)
{
	u64 ring = c->free + c->dirty, flushes, after;

	if (n <= c->free) {
		c->free -= n;
		c->dirty += n;
		return;
	}
	if (WARN_ON_ONCE(!ring))
		return;
	flushes = (n - c->free - 1) / ring + 1;
	after = n - c->free - 1 - (flushes - 1) * ring;
	c->cnt[SM_CNT_TLBI] += flushes * SM_LAZY_SLOTS;
	c->cnt[SM_CNT_DSB] += 2 * flushes;
	c->cnt[SM_CNT_ISB] += flushes;
	c->free = ring - 1 - after;
	c->dirty = 1 + after;
}

/*
 * @n PTE tables, one per whole PMD from @addr, of one physically
 * contiguous run: all but the first are new and count alike, so one is
 * walked and the rest multiplied.  4 TiB at 4K is 2M PTE tables, which
 * took seconds each walk under KASAN.
 */
static void sm_cw_pte_tables(struct sm_cw *c, unsigned long addr, u64 n,
			     bool cont)
{
	bool lazy = c->w->remap == SM_REMAP_LAZY;
	unsigned int free, dirty, pairs;
	u64 one[SM_CNT_NR];
	int i;

	sm_cw_cont_pte(c, addr, addr + PMD_SIZE, cont);
	if (n < 2)
		return;
	addr += PMD_SIZE;
	free = c->free;
	dirty = c->dirty;
	/* Walk one with a ring that never flushes, to count its pairs. */
	if (lazy) {
		c->free = UINT_MAX;
		c->dirty = 0;
	}
	memcpy(one, c->cnt, sizeof(one));
	sm_cw_cont_pte(c, addr, addr + PMD_SIZE, cont);
	for (i = 0; i < SM_CNT_NR; i++)
		c->cnt[i] += (c->cnt[i] - one[i]) * (n - 2);
	c->made[SM_LVL_PTE] = addr + (n - 2) * PMD_SIZE;
	if (lazy) {
		pairs = UINT_MAX - c->free;
		c->free = free;
		c->dirty = dirty;
		sm_cw_ring_pairs(c, (u64)pairs * (n - 1));
	}
}

/*
 * Whole PMDs from @addr to the end of its physically contiguous run (and
 * @end) that all get PTE tables: no block allowed, or a PA not aligned to
 * one, which a run shifts alike.
 */
static u64 sm_cw_pte_run(struct sm_cw *c, unsigned long addr,
			 unsigned long end)
{
	if ((addr & ~PMD_MASK) || (c->flags & SM_CW_EVERY_TABLE))
		return 0;
	if (!(c->flags & SM_NO_BLOCK) &&
	    !(sm_cw_delta(sm_cw_seek(c, addr)) & ~PMD_MASK))
		return 0;
	return sm_cw_whole_in_run(c, addr, end, PMD_SHIFT);
}

/* sm_init_pmd() */
static void sm_cw_init_pmd(struct sm_cw *c, unsigned long addr,
			   unsigned long end, bool cont, bool *nosync)
{
	unsigned long next;
	phys_addr_t phys;
	u64 tables;

	do {
		next = pmd_addr_end(addr, end);
		tables = sm_cw_pte_run(c, addr, end);
		if (tables) {
			sm_cw_pte_tables(c, addr, tables, cont);
			next = addr + tables * PMD_SIZE;
			continue;
		}
		phys = sm_cw_phys(c, addr);
		if (((addr | next | phys) & ~PMD_MASK) == 0 &&
		    !(c->flags & SM_NO_BLOCK) && sm_cw_contig(c, addr, next)) {
			sm_cw_leaves(c, cont ? SM_CNT_PMD_BLOCK_CONT :
				     SM_CNT_PMD_BLOCK, 1);
			*nosync |= c->w->barrier == SM_BARRIER_TABLE;
		} else {
			sm_cw_cont_pte(c, addr, next, cont);
		}
	} while (addr = next, addr != end);
}

/* sm_cont_pmd_loop(); @fresh: a new PMD table, for remap=cont's first map */
static void sm_cw_pmd_loop(struct sm_cw *c, unsigned long addr,
			   unsigned long end, bool fresh)
{
	bool per_cont = c->w->remap == SM_REMAP_CONT;
	bool combined = c->w->zero == SM_ZERO_COMBINED;
	bool cont, whole, nosync = false;
	unsigned long next;

	/* No hint and nothing per range: one call counts the same. */
	whole = !per_cont && (c->flags & SM_NO_CONT);
	do {
		next = whole ? end : pmd_cont_addr_end(addr, end);
		cont = ((addr | next | sm_cw_phys(c, addr)) &
			~CONT_PMD_MASK) == 0 &&
		       !(c->flags & SM_NO_CONT) && sm_cw_contig(c, addr, next);
		if (per_cont) {
			sm_cw_map(c);
			if (fresh && combined)
				sm_cw_zero_combined(c);
			fresh = false;
		}
		sm_cw_init_pmd(c, addr, next, cont, &nosync);
		if (per_cont) {
			sm_cw_table_done(c, nosync);
			nosync = false;
		}
	} while (addr = next, addr != end);
	if (!per_cont)
		sm_cw_table_done(c, nosync);
	/* 4 TiB at 4K is 2M PTE tables: let others run now and then */
	cond_resched();
}

/* sm_pieces_add() of a split build's first pass */
static void sm_cw_note(struct sm_cw *c, unsigned long addr, unsigned long end)
{
	int ret;

	/* where the threads' seeks may start */
	c->upper->chunk = c->cur;
	c->upper->last = c->last;
	ret = sm_pieces_add(c->upper, addr, end, 0);
	if (ret && !c->err)
		c->err = ret;
}

/* sm_alloc_init_cont_pmd(), and sm_upper_pmd() in a first pass */
static void sm_cw_cont_pmd(struct sm_cw *c, unsigned long addr,
			   unsigned long end)
{
	bool per_cont = c->w->remap == SM_REMAP_CONT;
	bool combined = c->w->zero == SM_ZERO_COMBINED;
	bool fresh, nosync = false;

	if (!sm_pmd_present()) {
		if (c->upper)
			sm_cw_note(c, addr, end);
		else
			sm_cw_init_pmd(c, addr, end, false, &nosync);
		return;
	}
	fresh = sm_cw_next_table(c, SM_LVL_PMD, addr, !per_cont);
	if (!c->upper) {
		sm_cw_pmd_loop(c, addr, end, fresh);
		return;
	}
	if (fresh && combined) {
		sm_cw_map(c);
		sm_cw_zero_combined(c);
	}
	sm_cw_note(c, addr, end);
	if (!per_cont || (fresh && combined))
		sm_cw_unmap(c);
}

/*
 * Whole PUDs from @addr to the end of its physically contiguous run (and
 * @end) that are no PUD block: each counts as the one before it, but for
 * the lazy ring, whose flushes depend on where it stands.
 */
static u64 sm_cw_pud_run(struct sm_cw *c, unsigned long addr,
			 unsigned long end)
{
	if ((addr & ~PUD_MASK) || (c->flags & SM_CW_EVERY_TABLE) ||
	    c->w->remap == SM_REMAP_LAZY || c->upper)
		return 0;
	if (pud_sect_supported() && !(c->flags & SM_NO_BLOCK) &&
	    !(sm_cw_delta(sm_cw_seek(c, addr)) & ~PUD_MASK))
		return 0;
	return sm_cw_whole_in_run(c, addr, end, PUD_SHIFT);
}

/*
 * @n PUDs of sm_cw_pud_run(): the first is walked, then the second, whose
 * counters go for the n - 2 after it too, as do the tables it made, one
 * PUD further each.
 */
static void sm_cw_puds(struct sm_cw *c, unsigned long addr, u64 n)
{
	unsigned long made[SM_LVL_NR];
	u64 one[SM_CNT_NR];
	int i;

	sm_cw_cont_pmd(c, addr, addr + PUD_SIZE);
	if (n < 2)
		return;
	addr += PUD_SIZE;
	memcpy(one, c->cnt, sizeof(one));
	memcpy(made, c->made, sizeof(made));
	sm_cw_cont_pmd(c, addr, addr + PUD_SIZE);
	for (i = 0; i < SM_CNT_NR; i++)
		c->cnt[i] += (c->cnt[i] - one[i]) * (n - 2);
	for (i = 0; i < SM_LVL_NR; i++)
		if (c->made[i] != made[i])
			c->made[i] += (n - 2) * PUD_SIZE;
}

/* sm_init_pud() */
static void sm_cw_init_pud(struct sm_cw *c, unsigned long addr,
			   unsigned long end, bool *nosync)
{
	unsigned long next;
	phys_addr_t phys;
	u64 puds;

	do {
		next = pud_addr_end(addr, end);
		puds = sm_cw_pud_run(c, addr, end);
		if (puds) {
			sm_cw_puds(c, addr, puds);
			next = addr + puds * PUD_SIZE;
			continue;
		}
		phys = sm_cw_phys(c, addr);
		if (pud_sect_supported() &&
		    ((addr | next | phys) & ~PUD_MASK) == 0 &&
		    !(c->flags & SM_NO_BLOCK) && sm_cw_contig(c, addr, next)) {
			sm_cw_leaves(c, SM_CNT_PUD_BLOCK, 1);
			*nosync |= c->w->barrier == SM_BARRIER_TABLE;
		} else {
			sm_cw_cont_pmd(c, addr, next);
		}
	} while (addr = next, addr != end);
}

/* sm_alloc_init_pud() */
static void sm_cw_pud(struct sm_cw *c, unsigned long addr, unsigned long end)
{
	bool nosync = false;

	if (!sm_pud_present()) {
		sm_cw_init_pud(c, addr, end, &nosync);
		return;
	}
	sm_cw_next_table(c, SM_LVL_PUD, addr, true);
	sm_cw_init_pud(c, addr, end, &nosync);
	sm_cw_table_done(c, nosync);
}

/* sm_alloc_init_p4d() */
static void sm_cw_p4d(struct sm_cw *c, unsigned long addr, unsigned long end)
{
	bool present = sm_p4d_present();
	unsigned long next;

	if (present)
		sm_cw_next_table(c, SM_LVL_P4D, addr, true);
	do {
		next = p4d_addr_end(addr, end);
		sm_cw_pud(c, addr, next);
	} while (addr = next, addr != end);
	if (present)
		sm_cw_unmap(c);
}

/* sm_walk_range(): one walker call, with its own hold on a slot set */
static void sm_cw_walk_range(struct sm_cw *c, unsigned long addr,
			     unsigned long end)
{
	unsigned long next;

	c->free = SM_LAZY_SLOTS;
	c->dirty = 0;
	do {
		next = pgd_addr_end(addr, end);
		sm_cw_p4d(c, addr, next);
	} while (addr = next, addr != end);
	/* sm_fixmap_put() */
	if (c->w->remap == SM_REMAP_LAZY && c->dirty)
		sm_cw_flush(c, SM_LAZY_SLOTS);
}

/* Extents [first, c->last) are one chunk; the next starts at c->last. */
static void sm_cw_chunk(struct sm_cw *c, unsigned int first, unsigned int nr)
{
	unsigned int i = first + 1;

	while (i < nr && c->ext[i].chunk == c->ext[first].chunk)
		i++;
	c->cur = first;
	c->last = i;
}

/* sm_walk_piece() */
static void sm_cw_piece(struct sm_cw *c, unsigned long addr,
			unsigned long end)
{
	bool nosync = false;

	if (!sm_pmd_present()) {
		sm_cw_init_pmd(c, addr, end, false, &nosync);
		return;
	}
	if (c->w->remap != SM_REMAP_CONT)
		sm_cw_map(c);
	sm_cw_pmd_loop(c, addr, end, false);
}

/* sm_walk_pieces(): one span, with its own hold on a slot set */
static void sm_cw_walk_span(struct sm_cw *c, const struct sm_pieces *ps,
			    const struct sm_span *span)
{
	unsigned long addr, end;
	unsigned int i;

	c->free = SM_LAZY_SLOTS;
	c->dirty = 0;
	c->made_any[SM_LVL_PTE] = false;
	for (i = 0; i < ps->nr; i++) {
		if (!sm_span_clip(span, &ps->p[i], &addr, &end))
			continue;
		c->cur = ps->p[i].chunk;
		c->last = ps->p[i].last;
		sm_cw_piece(c, addr, end);
	}
	if (c->w->remap == SM_REMAP_LAZY && c->dirty)
		sm_cw_flush(c, SM_LAZY_SLOTS);
}

/*
 * sm_shadow_map_threads(): the first pass over every chunk, then each
 * span in turn (they touch no table in common, and each is its own walk:
 * whichever thread takes it, in whatever order, counts the same).
 */
static int sm_cw_split(struct sm_cw *c, unsigned int nr, unsigned int threads)
{
	unsigned int units = threads * SM_SPLIT_UNITS, first, u;
	unsigned long bound = 0;
	struct sm_pieces ps;
	struct sm_span *span;
	int ret;

	for (first = 0; first < nr; first = c->last) {
		sm_cw_chunk(c, first, nr);
		bound += sm_pieces_bound(c->ext[first].va,
					 sm_ext_end(&c->ext[c->last - 1]));
	}
	ret = sm_pieces_alloc(&ps, bound);
	if (ret)
		return ret;
	c->upper = &ps;
	for (first = 0; first < nr; first = c->last) {
		sm_cw_chunk(c, first, nr);
		sm_cw_walk_range(c, c->ext[first].va,
				 sm_ext_end(&c->ext[c->last - 1]));
		cond_resched();
	}
	c->upper = NULL;
	ret = c->err;
	if (ret)
		goto out_free_pieces;
	ret = -ENOMEM;
	span = kcalloc(units, sizeof(*span), GFP_KERNEL);
	if (!span)
		goto out_free_pieces;
	sm_split_cut(&ps, units, sm_split_gran(c->w, c->flags), span);
	for (u = 0; u < units; u++) {
		sm_cw_walk_span(c, &ps, &span[u]);
		cond_resched();
	}
	ret = 0;
	kfree(span);
out_free_pieces:
	sm_pieces_free(&ps);
	return ret;
}

/*
 * What sm_chunk_ok() and the count walk need: extents of whole pages that
 * do not wrap, each chunk's extents adjacent in VA, chunks sorted by VA.
 */
static int sm_cw_check(const struct sm_geom_extent *ext, unsigned int nr)
{
	unsigned long end = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct sm_geom_extent *e = &ext[i];
		bool same = i && e->chunk == ext[i - 1].chunk;

		if (!e->nr_pages || e->nr_pages > ULONG_MAX >> PAGE_SHIFT ||
		    ((e->va | e->pa) & ~PAGE_MASK) ||
		    sm_ext_end(e) - 1 < e->va)
			return -EINVAL;
		/* end 0: the previous extent reached the top of the VA space */
		if (i && (!end || (same ? e->va != end : e->va < end)))
			return -EINVAL;
		end = sm_ext_end(e);
	}
	return 0;
}

/*
 * The counters of a build with walker @w and shadow flags @flags
 * (SM_NO_BLOCK, SM_NO_CONT; sm_walker_flags() gives @w's own) of the
 * chunks that @ext describes, into @st, which is cleared first.  The top
 * level, which sm_shadow_create() makes, is counted.  -EINVAL for
 * extents that break the rules of struct sm_geom_extent, or threads over
 * SM_SLOT_SETS.
 */
int sm_count_walk(const struct sm_walker *w, int flags,
		  const struct sm_geom_extent *ext, unsigned int nr,
		  struct sm_stats *st)
{
	struct sm_cw c = { .w = w, .flags = flags, .ext = ext };
	unsigned int threads = w->threads > 1 ? w->threads : 1, first;
	int ret;

	if (threads > SM_SLOT_SETS)
		return -EINVAL;
	ret = sm_cw_check(ext, nr);
	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	c.cnt = st->cnt;
	/* sm_shadow_create() */
	st->cnt[SM_CNT_TABLE_PGD]++;
	st->cnt[SM_CNT_TABLE_BYTES] += PAGE_SIZE;

	if (threads > 1)
		return sm_cw_split(&c, nr, threads);
	for (first = 0; first < nr; first = c.last) {
		sm_cw_chunk(&c, first, nr);
		sm_cw_walk_range(&c, ext[first].va,
				 sm_ext_end(&ext[c.last - 1]));
		cond_resched();
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(sm_count_walk, SM_NS);

/* The flags sm_shadow_create() gives a shadow of walker @w. */
int sm_walker_flags(const struct sm_walker *w)
{
	if (w->leaf == SM_LEAF_PTE)
		return SM_NO_BLOCK | SM_NO_CONT;
	if (w->leaf == SM_LEAF_CONT)
		return SM_NO_BLOCK;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(sm_walker_flags, SM_NS);

void sm_geom_free(struct sm_geom *g)
{
	kvfree(g->ext);
	memset(g, 0, sizeof(*g));
}
EXPORT_SYMBOL_NS_GPL(sm_geom_free, SM_NS);

/* Room for @nr extents more in @g, doubling; *@cap is the room. */
static int sm_geom_grow(struct sm_geom *g, unsigned int *cap, unsigned int nr)
{
	struct sm_geom_extent *n;
	unsigned int want = *cap ?: 16;

	if (g->nr + nr <= *cap)
		return 0;
	while (want < g->nr + nr)
		want *= 2;
	n = kvmalloc_array(want, sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	if (g->nr)
		memcpy(n, g->ext, g->nr * sizeof(*n));
	kvfree(g->ext);
	g->ext = n;
	*cap = want;
	return 0;
}

static int sm_geom_add(struct sm_geom *g, unsigned int *cap, unsigned long va,
		       phys_addr_t pa, unsigned long nr_pages,
		       unsigned int chunk)
{
	int ret = sm_geom_grow(g, cap, 1);

	if (ret)
		return ret;
	g->ext[g->nr++] = (struct sm_geom_extent){ .va = va, .pa = pa,
						   .nr_pages = nr_pages,
						   .chunk = chunk };
	g->bytes += (u64)nr_pages << PAGE_SHIFT;
	return 0;
}

/* The extents sm_geom_from_chunks() would make of @chunks, none made. */
unsigned long sm_geom_runs(const struct sm_chunk *chunks, unsigned int nr)
{
	unsigned long n = 0, k;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct sm_chunk *ch = &chunks[i];

		n++;
		for (k = 1; ch->pfns && k < ch->nr_pages; k++) {
			if (ch->pfns[k] != ch->pfns[k - 1] + 1)
				n++;
			if (!(k % SZ_1M))
				cond_resched();
		}
	}
	return n;
}
EXPORT_SYMBOL_NS_GPL(sm_geom_runs, SM_NS);

/*
 * The geometry of @chunks as the walker maps them: chunk i becomes the
 * extents of chunk index i, one per physically contiguous run of its pfns.
 */
int sm_geom_from_chunks(const struct sm_chunk *chunks, unsigned int nr,
			struct sm_geom *g)
{
	unsigned int i, cap = 0;
	unsigned long k, run;
	int ret;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < nr; i++) {
		const struct sm_chunk *ch = &chunks[i];

		ret = -EINVAL;
		if (!ch->nr_pages)
			goto out_free;
		for (run = 0, k = 1; k <= ch->nr_pages; k++) {
			if (ch->pfns && k < ch->nr_pages &&
			    ch->pfns[k] == ch->pfns[run] + (k - run))
				continue;
			if (!ch->pfns && k < ch->nr_pages)
				continue;
			ret = sm_geom_add(g, &cap, ch->va + run * PAGE_SIZE,
					  PFN_PHYS(ch->pfns ? ch->pfns[run] :
						   ch->pfn),
					  k - run, i);
			if (ret)
				goto out_free;
			run = k;
		}
	}
	g->nr_chunks = nr;
	return 0;

out_free:
	sm_geom_free(g);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(sm_geom_from_chunks, SM_NS);

/* Whether [va, va + size) lies in the linear map. */
static bool sm_geom_linear(unsigned long va, u64 size)
{
	return va >= sm_linear_va0() && va < PAGE_END &&
	       size <= PAGE_END - va;
}

/*
 * "synthetic": @size bytes (whole pages, rounded up) of RAM from PA 0,
 * one chunk at its linear-map VA as map_mem() would map it.  -ERANGE when
 * it does not fit in this kernel's linear map.
 */
int sm_geom_synthetic(u64 size, struct sm_geom *g)
{
	unsigned int cap = 0;
	int ret;

	memset(g, 0, sizeof(*g));
	size = PAGE_ALIGN(size);
	if (!size)
		return -EINVAL;
	if (!sm_geom_linear(sm_linear_va0(), size))
		return -ERANGE;
	ret = sm_geom_add(g, &cap, sm_linear_va0(), 0, size >> PAGE_SHIFT, 0);
	if (ret)
		return ret;
	g->nr_chunks = 1;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(sm_geom_synthetic, SM_NS);

struct sm_geom_ram_walk {
	struct sm_geom *g;
	unsigned int cap;
	u64 limit;
	int err;
};

/* One System RAM resource, whole pages, until the limit is reached. */
static int sm_geom_ram_res(struct resource *res, void *arg)
{
	struct sm_geom_ram_walk *rw = arg;
	struct sm_geom *g = rw->g;
	unsigned long pfn = PFN_UP(res->start);
	unsigned long end = PFN_DOWN(res->end + 1);
	u64 pages;

	if (end <= pfn || g->bytes >= rw->limit)
		return 0;
	pages = min_t(u64, end - pfn, (rw->limit - g->bytes) >> PAGE_SHIFT);
	rw->err = sm_geom_add(g, &rw->cap,
			      (unsigned long)pfn_to_kaddr(pfn),
			      PFN_PHYS(pfn), pages, g->nr_chunks++);
	return rw->err;
}

/*
 * "ram": this machine's System RAM resources, one chunk each at its
 * linear-map VA (as region=ram and map_mem() map them), the first @size
 * bytes (rounded up to pages; 0: all).  Beyond the RAM there is, the last
 * chunk grows on, physically contiguous, as if its RAM went on.  The
 * region's own filters (offline sections, pages the kernel changed since
 * boot) are not applied.  -ERANGE when that leaves the linear map.
 */
int sm_geom_ram(u64 size, struct sm_geom *g)
{
	struct sm_geom_ram_walk rw = { .g = g };
	struct sm_geom_extent *last;
	u64 more;

	memset(g, 0, sizeof(*g));
	size = PAGE_ALIGN(size);
	rw.limit = size ?: U64_MAX;
	/* Its return value only says whether anything matched. */
	walk_iomem_res_desc(IORES_DESC_NONE,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
			    0, U64_MAX, &rw, sm_geom_ram_res);
	if (rw.err)
		goto out_free;
	rw.err = -ENOENT;
	if (!g->nr)
		goto out_free;
	last = &g->ext[g->nr - 1];
	more = size > g->bytes ? size - g->bytes : 0;
	rw.err = -ERANGE;
	if (!sm_geom_linear(last->va, ((u64)last->nr_pages << PAGE_SHIFT) +
			    more))
		goto out_free;
	last->nr_pages += more >> PAGE_SHIFT;
	g->bytes += more;
	return 0;

out_free:
	sm_geom_free(g);
	return rw.err;
}
EXPORT_SYMBOL_NS_GPL(sm_geom_ram, SM_NS);
